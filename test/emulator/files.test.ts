import { inflateSync } from 'zlib';

import { crc32 } from '../../dev/emulator/images';
import { Emulator, get, jsonOf, PDF, pollUntilDone, submitOk, useTestEmulator } from './support';

describe('GreenNode IDP emulator', () => {
	let emulator: Emulator;
	useTestEmulator((started) => (emulator = started));

	describe('result files', () => {
		async function doneJob(): Promise<{ requestId: string; fileIds: string[] }> {
			const job = await submitOk(emulator, { flow: 'single', doc_type: 'INVOICE', file_type: 'PDF' }, PDF);
			await pollUntilDone(emulator, job.requestId);
			return job;
		}

		function checkPng(bytes: Buffer, width: number, height: number): void {
			expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
			const chunks: Array<{ type: string; data: Buffer }> = [];
			let offset = 8;
			while (offset < bytes.length) {
				const length = bytes.readUInt32BE(offset);
				const type = bytes.toString('ascii', offset + 4, offset + 8);
				const data = bytes.subarray(offset + 8, offset + 8 + length);
				expect(bytes.readUInt32BE(offset + 8 + length)).toBe(crc32(bytes.subarray(offset + 4, offset + 8 + length)));
				chunks.push({ type, data });
				offset += 12 + length;
			}
			expect(offset).toBe(bytes.length);
			expect(chunks[0].type).toBe('IHDR');
			expect(chunks[0].data.readUInt32BE(0)).toBe(width);
			expect(chunks[0].data.readUInt32BE(4)).toBe(height);
			expect([...chunks[0].data.subarray(8)]).toEqual([8, 2, 0, 0, 0]);
			expect(chunks[chunks.length - 1]).toEqual({ type: 'IEND', data: Buffer.alloc(0) });
			const idat = Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data));
			expect(inflateSync(idat).length).toBe(height * (width * 3 + 1));
		}

		it('uses a correct CRC-32', () => {
			expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
		});

		it('serves a valid JPEG for .jpg and a valid PNG for .png file ids', async () => {
			const { requestId, fileIds } = await doneJob();
			const jpeg = await get(emulator, `/ocr/ingest/file/${requestId}/${fileIds[0]}`);
			expect(jpeg.status).toBe(200);
			expect(jpeg.headers['content-type']).toBe('image/jpeg');
			expect(jpeg.headers['content-length']).toBe(String(jpeg.body.length));
			expect([...jpeg.body.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
			expect([...jpeg.body.subarray(-2)]).toEqual([0xff, 0xd9]);
			const sof = jpeg.body.indexOf(Buffer.from([0xff, 0xc0]));
			expect(sof).toBeGreaterThan(0);
			expect(jpeg.body.readUInt16BE(sof + 5)).toBe(48);
			expect(jpeg.body.readUInt16BE(sof + 7)).toBe(64);

			const png = await get(emulator, `/ocr/ingest/file/${requestId}/${fileIds[1]}`);
			expect(png.status).toBe(200);
			expect(png.headers['content-type']).toBe('image/png');
			expect(png.headers['content-length']).toBe(String(png.body.length));
			checkPng(png.body, 64, 48);
		});

		it('serves the signature and stamp crops', async () => {
			const { requestId } = await doneJob();
			const signature = await get(emulator, `/ocr/ingest/file/${requestId}/sig_1.png`);
			expect(signature.headers['content-type']).toBe('image/png');
			checkPng(signature.body, 48, 24);
			const stamp = await get(emulator, `/ocr/ingest/file/${requestId}/stamp_1.png`);
			checkPng(stamp.body, 40, 40);
			const unknown = await get(emulator, `/ocr/ingest/file/${requestId}/nope.png`);
			expect(unknown.status).toBe(404);
			expect(jsonOf(unknown)).toEqual({ message: 'file_id not found' });
		});

		it('can serve files as application/octet-stream, empty or as HTML', async () => {
			const { requestId, fileIds } = await doneJob();
			emulator.filesAsOctetStream = true;
			const octet = await get(emulator, `/ocr/ingest/file/${requestId}/${fileIds[1]}`);
			expect(octet.headers['content-type']).toBe('application/octet-stream');
			checkPng(octet.body, 64, 48);

			emulator.fileOverrides.set(fileIds[0], { contentType: 'image/jpeg', body: '' });
			const empty = await get(emulator, `/ocr/ingest/file/${requestId}/${fileIds[0]}`);
			expect([empty.status, empty.headers['content-type'], empty.body.length]).toEqual([200, 'image/jpeg', 0]);

			emulator.fileOverrides.set(fileIds[0], { contentType: 'text/html', body: '<html><body>Maintenance</body></html>' });
			const html = await get(emulator, `/ocr/ingest/file/${requestId}/${fileIds[0]}`);
			expect(html.headers['content-type']).toBe('text/html');
			expect(html.body.toString()).toContain('<html>');
		});
	});
});
