/**
 * Small, valid images served by the emulator as result images.
 *
 * PNGs are built at load time (RGB, 8 bits per channel, zlib-compressed scanlines with
 * correct CRCs). The JPEG is a 64x48 baseline (SOF0) JFIF image, 4:2:0 sampled.
 */
import { deflateSync } from 'zlib';

const CRC_TABLE: Uint32Array = (() => {
	const table = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) {
			c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		}
		table[n] = c >>> 0;
	}
	return table;
})();

/** CRC-32 as used by PNG chunks and zlib. */
export function crc32(data: Buffer): number {
	let c = 0xffffffff;
	for (let i = 0; i < data.length; i++) {
		c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
	}
	return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length, 0);
	const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(typeAndData), 0);
	return Buffer.concat([length, typeAndData, crc]);
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Builds an RGB PNG; `pixel` returns [r, g, b] (0-255) for each position. */
export function makePng(
	width: number,
	height: number,
	pixel: (x: number, y: number) => [number, number, number],
): Buffer {
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(width, 0);
	ihdr.writeUInt32BE(height, 4);
	ihdr[8] = 8; // bit depth
	ihdr[9] = 2; // colour type: truecolour
	ihdr[10] = 0; // compression
	ihdr[11] = 0; // filter
	ihdr[12] = 0; // interlace: none
	const stride = width * 3 + 1;
	const raw = Buffer.alloc(stride * height);
	for (let y = 0; y < height; y++) {
		raw[y * stride] = 0; // filter type: none
		for (let x = 0; x < width; x++) {
			const [r, g, b] = pixel(x, y);
			const offset = y * stride + 1 + x * 3;
			raw[offset] = r & 0xff;
			raw[offset + 1] = g & 0xff;
			raw[offset + 2] = b & 0xff;
		}
	}
	return Buffer.concat([
		PNG_SIGNATURE,
		pngChunk('IHDR', ihdr),
		pngChunk('IDAT', deflateSync(raw)),
		pngChunk('IEND', Buffer.alloc(0)),
	]);
}

/** A 64x48 page scan: a colour gradient with a few dark ruled lines. */
export const PAGE_PNG: Buffer = makePng(64, 48, (x, y) => {
	const ruled = y === 10 || y === 11 || ((x === 8 || x === 9) && y >= 10 && y <= 40) ||
		((y === 20 || y === 30 || y === 40) && x >= 8 && x <= 56);
	return ruled ? [30, 30, 30] : [Math.min(255, 40 + x * 3), Math.min(255, 90 + y * 3), 200 - x];
});

/** A 48x24 signature crop: a dark blue stroke on white. */
export const SIGNATURE_PNG: Buffer = makePng(48, 24, (x, y) => {
	const curve = Math.round(12 + 7 * Math.sin(x / 5));
	return Math.abs(y - curve) <= 1 ? [20, 40, 140] : [255, 255, 255];
});

/** A 40x40 stamp crop: a red ring on white. */
export const STAMP_PNG: Buffer = makePng(40, 40, (x, y) => {
	const d = Math.hypot(x - 19.5, y - 19.5);
	return d >= 14 && d <= 18 ? [200, 30, 30] : [255, 255, 255];
});

/** The same page as PAGE_PNG, as a baseline JPEG (919 bytes). */
export const PAGE_JPEG: Buffer = Buffer.from(
	'/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAYEBQYFBAYGBQYHBwYIChAKCgkJChQODwwQFxQYGBcUFhYaHSUfGhsjHBYWICwgIyYnKSopGR8tMC0oMCUoKSj/2wBDAQcHBwoIChMKChMoGhYaKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCj/wAARCAAwAEADASIAAhEBAxEB/8QAGAABAQEBAQAAAAAAAAAAAAAABAUGAwL/xAA5EAAABAMFAgwDCQAAAAAAAAAAAQIDBAUGEUFhlNGV0wcSExUiMUVTVYSF0hQhkRYzRlFUcXOks//EABcBAQEBAQAAAAAAAAAAAAAAAAUGBwT/xAAoEQACAQMCBAYDAAAAAAAAAAABAwACBBFB0RIhUbEjUmGBkaFCweH/2gAMAwEAAhEDEQA/AMq2zgENs4CeiUTi6eWeTRqDyCHnU1lbEYU65LleN0PhEKssUZdfy/IV7byrPCaDn23gNuRjiFYx77TQts4BDbOAloks8uqCzySNR2RJJ9dUdnkW9RwNuKvKfreMIaBrKzbOAS2zgI6JHUF1S/0G9R2RIaiuqez09vUHteekaRcEadpaQzgEIZwENEgqS6qrPTm9R2RT9TXVZZ6a1qD2tjKLuofgfreem2cBmaFKY/ZeC+GhYRxrp2KciVIUfTVcTZ2fUbhtnAZPg9mEOxSUA241GqUXKWm3BPOJ+8V1KSkyP6iguG+IDnHI/qZDZNJTVgZ5jtVLCOeLoCAzq90EI558Pl+dXughE3hO5mWzYj2DuicwfcTPZsTuwe1vrF0Mq8veHRz14fLs8vcjug554dLc+vchKJ1B9xNNmRO7HdE8gu4muy4ndg9rDGUOMMg574bLNoObkXIVlw2WzeQlDppI1pQrjER3kR2FaWNhfsBonsD+nm2yordi/CpS8y26glklaSURLQaFWGVvzSZEZHgZWg5zCI3bO9ZmkM4DO8FTXGoSWH/L/qsbVtkARSchPsSV5RvQUbmc8zGrO6pCyurUg/Gd41DOAQhnACRSMgPsKV5RvQd0UfTx9gyrJt6A5rYzbuo6n4/sehnAIbZwE9FG06fYEpybegQijKcP8PyjJN+0GtaOsbt3DQyg2zgEts4Caiiqavp2T5Jr2jQwkG1DsNsw7SGmW0khDaEklKUkVhERF1ERXA1zRoY5bun/2Q==',
	'base64',
);
