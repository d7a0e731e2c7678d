// Sample input files and checks of output files (CSV, PNG, JPEG) for the e2e suite.
import { createRequire } from 'node:module';
import { crc32, inflateSync } from 'node:zlib';

const require = createRequire(import.meta.url);

/** The sample PDF of dev/samples.ts, compiled by `npm run build` (run before any sample is needed). */
export function samplePdf(text) {
	return require('../../../dist/dev/samples.js').samplePdf(text);
}

/** Parses CSV text (RFC 4180 quoting, optional UTF-8 BOM) into rows of strings. */
export function parseCsv(text) {
	const input = text.replace(/^\uFEFF/, '');
	const rows = [];
	let row = [];
	let field = '';
	let quoted = false;
	for (let i = 0; i < input.length; i++) {
		const char = input[i];
		if (quoted) {
			if (char === '"' && input[i + 1] === '"') {
				field += '"';
				i++;
			} else if (char === '"') {
				quoted = false;
			} else {
				field += char;
			}
		} else if (char === '"') {
			quoted = true;
		} else if (char === ',') {
			row.push(field);
			field = '';
		} else if (char === '\n' || char === '\r') {
			if (char === '\r' && input[i + 1] === '\n') i++;
			row.push(field);
			rows.push(row);
			row = [];
			field = '';
		} else {
			field += char;
		}
	}
	if (field !== '' || row.length > 0) {
		row.push(field);
		rows.push(row);
	}
	return rows;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Checks a PNG thoroughly: signature, every chunk's CRC, IHDR first and IEND last, and that the
 * inflated image data has exactly the size IHDR announces. Returns { width, height } or throws.
 */
export function checkPng(buffer) {
	if (buffer.length < 8 || !buffer.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('no PNG signature');
	let offset = 8;
	const chunks = [];
	const idat = [];
	while (offset < buffer.length) {
		if (offset + 12 > buffer.length) throw new Error(`truncated chunk at byte ${offset}`);
		const length = buffer.readUInt32BE(offset);
		const type = buffer.toString('latin1', offset + 4, offset + 8);
		const end = offset + 12 + length;
		if (end > buffer.length) throw new Error(`chunk ${type} runs past the end of the file`);
		const crc = buffer.readUInt32BE(offset + 8 + length);
		if (crc32(buffer.subarray(offset + 4, offset + 8 + length)) !== crc) throw new Error(`bad CRC in chunk ${type}`);
		chunks.push(type);
		if (type === 'IDAT') idat.push(buffer.subarray(offset + 8, offset + 8 + length));
		offset = end;
	}
	if (chunks[0] !== 'IHDR') throw new Error('first chunk is not IHDR');
	if (chunks[chunks.length - 1] !== 'IEND') throw new Error('last chunk is not IEND');
	const width = buffer.readUInt32BE(16);
	const height = buffer.readUInt32BE(20);
	const bitDepth = buffer[24];
	const colorType = buffer[25];
	const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colorType];
	if (!width || !height || !channels) throw new Error(`bad IHDR (${width}x${height}, color type ${colorType})`);
	const raw = inflateSync(Buffer.concat(idat));
	const expected = height * (1 + Math.ceil((width * channels * bitDepth) / 8));
	if (raw.length !== expected) throw new Error(`image data is ${raw.length} bytes, IHDR needs ${expected}`);
	return { width, height, format: 'png' };
}

/**
 * Checks a JPEG: SOI, a walk over the marker segments up to the scan, a frame header (SOFn)
 * with a size, and EOI at the end. Returns { width, height } or throws.
 */
export function checkJpeg(buffer) {
	if (buffer.length < 4 || buffer[0] !== 0xff || buffer[1] !== 0xd8) throw new Error('no JPEG SOI marker');
	if (buffer[buffer.length - 2] !== 0xff || buffer[buffer.length - 1] !== 0xd9) throw new Error('no JPEG EOI marker at the end');
	let offset = 2;
	let size;
	while (offset + 4 <= buffer.length) {
		if (buffer[offset] !== 0xff) throw new Error(`expected a marker at byte ${offset}`);
		const marker = buffer[offset + 1];
		const length = buffer.readUInt16BE(offset + 2);
		if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
			size = { height: buffer.readUInt16BE(offset + 5), width: buffer.readUInt16BE(offset + 7) };
		}
		if (marker === 0xda) break; // start of scan: entropy-coded data follows
		offset += 2 + length;
	}
	if (!size || !size.width || !size.height) throw new Error('no frame header (SOFn) with a size');
	return { ...size, format: 'jpeg' };
}

/** PNG or JPEG, by content. */
export function checkImage(buffer) {
	if (buffer.subarray(0, 8).equals(PNG_SIGNATURE)) return checkPng(buffer);
	if (buffer[0] === 0xff && buffer[1] === 0xd8) return checkJpeg(buffer);
	throw new Error(`neither PNG nor JPEG (starts with ${buffer.subarray(0, 8).toString('hex')})`);
}
