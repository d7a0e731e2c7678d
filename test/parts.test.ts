import { createHash } from 'crypto';

import { PAGE_PNG } from '../dev/emulator/images';
import { FAST, jpegItem, ocr, pdfItem, PAGE_JPEG, run, useEmulator } from './support';

const emu = useEmulator();

async function submittedPdf(fileName = 'invoice.pdf'): Promise<{ requestId: string; fileIds: string[] }> {
	const result = await run(emu.get(), [ocr({ operation: 'submit', waitForResult: false, docType: 'INVOICE' })], [pdfItem(fileName)]);
	expect(result.error).toBeUndefined();
	return { requestId: result.items[0].json.request_id as string, fileIds: result.items[0].json.file_ids as string[] };
}

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

describe('Get Table', () => {
	it('raw: the API data as returned, one item per input item', async () => {
		const { requestId } = await submittedPdf();
		const result = await run(emu.get(), [ocr({ operation: 'getTable', requestId, documentId: 'doc-1' })]);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		const tables = result.items[0].json.tables as Array<Record<string, unknown>>;
		expect(tables).toHaveLength(2);
		expect(tables[1].table_type).toBe('bordered');
		expect(result.items[0].json.document_id).toBe('doc-1');
	});

	it('rows: one item per row of every table, keyed by the header, tagged with table and page', async () => {
		const { requestId } = await submittedPdf();
		const result = await run(emu.get(), [
			ocr({ operation: 'getTable', requestId, documentId: 'doc-1', options: { outputMode: 'rows' } }),
		]);
		expect(result.error).toBeUndefined();
		const rows = result.items.map((item) => item.json);
		expect(rows).toHaveLength(5);
		expect(rows[0]).toEqual({ table: 1, page: 1, row: 1, STT: 1, 'Tên hàng': 'Gạo ST25 túi 5kg', 'Số lượng': 10, 'Đơn giá': 180000 });
		expect(Object.keys(rows[3])).toEqual(['table', 'page', 'row', 'Mã', 'Column 2', 'Mã (2)', 'Thành tiền']);
		expect(rows[3]).toMatchObject({ table: 2, page: 2, row: 1, Mã: 'NCC-01', 'Column 2': 'Gạo ST25 túi 5kg', 'Mã (2)': 'ST25-5KG' });
		// a cell spanning two rows repeats its text so each row stands on its own
		expect(rows[4]).toMatchObject({ table: 2, row: 2, Mã: 'NCC-01', 'Thành tiền': 1560000 });
		expect(result.items.every((item) => JSON.stringify(item.pairedItem) === '{"item":0}')).toBe(true);
		for (const row of rows) for (const value of Object.values(row).slice(3)) expect(['string', 'number']).toContain(typeof value);
	});

	it('rows of several input items are each paired to their own input item', async () => {
		const first = await submittedPdf('a.pdf');
		const second = await submittedPdf('b.pdf');
		const result = await run(
			emu.get(),
			[ocr({ operation: 'getTable', requestId: '={{ $json.id }}', documentId: '={{ $json.doc }}', options: { outputMode: 'rows' } })],
			[{ json: { id: first.requestId, doc: 'doc-1' } }, { json: { id: second.requestId, doc: 'doc-2' } }, { json: { id: second.requestId, doc: 'doc-1' } }],
		);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => (item.pairedItem as { item: number }).item)).toEqual([0, 0, 0, 0, 0, 2, 2, 2, 2, 2]);
	});

	it('a document without tables gives no rows and no error', async () => {
		const { requestId } = await submittedPdf('notable-letter.pdf');
		const rows = await run(emu.get(), [ocr({ operation: 'getTable', requestId, documentId: 'doc-1', options: { outputMode: 'rows' } })]);
		expect(rows.error).toBeUndefined();
		expect(rows.items).toEqual([]);
		const raw = await run(emu.get(), [ocr({ operation: 'getTable', requestId, documentId: 'doc-1' })]);
		expect(raw.items[0].json.tables).toEqual([]);
	});

	it('an unknown document id is a 404 error naming the request; with continueOnFail an error item', async () => {
		const { requestId } = await submittedPdf();
		const failed = await run(emu.get(), [ocr({ operation: 'getTable', requestId, documentId: 'doc-9' })]);
		expect(failed.error?.message).toBe(`GreenNode found nothing at this address (404) on Get Table for request_id "${requestId}"`);
		const continued = await run(emu.get(), [ocr({ operation: 'getTable', requestId, documentId: '../doc-1' }, { continueOnFail: true })]);
		expect(continued.items).toHaveLength(1);
		expect(continued.items[0].json.error).toMatch(/404/);
		expect(emu.get().requests.at(-1)?.path).toMatch(/\/table\/[^/]+\/..%2Fdoc-1$/);
	});
});

describe('Get Signature and Get Stamp', () => {
	it('output the API data with unknown fields kept', async () => {
		const { requestId } = await submittedPdf();
		const signature = await run(emu.get(), [ocr({ operation: 'getSignature', requestId, documentId: 'doc-1' })]);
		expect(signature.error).toBeUndefined();
		expect(signature.items[0].json).toMatchObject({ document_id: 'doc-1', signatures: [{ page: 1, file_id: 'sig_1.png' }] });
		const stamp = await run(emu.get(), [ocr({ operation: 'getStamp', requestId, documentId: 'doc-1' })]);
		expect(stamp.items[0].json).toMatchObject({ stamps: [{ extracted_value: 'CÔNG TY TNHH THƯƠNG MẠI ĐẠI PHÁT' }] });
		expect(emu.get().requests.slice(-2).map((request) => request.path.split('/').slice(-3, -2)[0])).toEqual(['signature', 'stamp']);
	});

	it('a wrong key is the 403 error of the troubleshooting table', async () => {
		const { requestId } = await submittedPdf();
		const emulator = emu.get();
		const { runWorkflow } = await import('../dev/runner');
		const result = await runWorkflow({
			nodes: [ocr({ operation: 'getStamp', requestId, documentId: 'doc-1' })],
			credentials: { greenNodeOcrApi: { apiKey: 'nope-nope', portalUserId: emulator.portalUserId, baseUrl: emulator.url } },
		});
		expect(result.error?.message).toBe('GreenNode refused the API key (403 Forbidden) on Get Stamp');
	});
});

describe('Get Result Image', () => {
	it.each(['default', 'filesystem'] as const)('returns the JPEG and PNG page images as binary data (%s mode)', async (binaryMode) => {
		const { requestId, fileIds } = await submittedPdf();
		const result = await run(
			emu.get(),
			[ocr({ operation: 'getFile', requestId, fileId: '={{ $json.fileId }}', binaryPropertyName: 'image' })],
			fileIds.map((fileId) => ({ json: { fileId } })),
			{ binaryMode },
		);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(2);
		const [jpeg, png] = result.items;
		expect(jpeg.binary?.image.mimeType).toBe('image/jpeg');
		expect(png.binary?.image.mimeType).toBe('image/png');
		expect(jpeg.binary?.image.fileName).toBe(`${requestId}-${fileIds[0].replace('.jpg', '')}.jpg`);
		expect(png.binary?.image.fileName).toMatch(/\.png$/);
		expect(md5(await result.readBinary(jpeg, 'image'))).toBe(md5(PAGE_JPEG));
		expect(md5(await result.readBinary(png, 'image'))).toBe(md5(PAGE_PNG));
		if (binaryMode === 'filesystem') expect(jpeg.binary?.image.id).toMatch(/^filesystem/);
		expect(jpeg.json).toMatchObject({ request_id: requestId, file_id: fileIds[0], mimeType: 'image/jpeg' });
		expect(jpeg.pairedItem).toEqual({ item: 0 });
	});

	it('takes the MIME type from the bytes when the server sends application/octet-stream, and honours File Name', async () => {
		const { requestId, fileIds } = await submittedPdf();
		const emulator = emu.get();
		emulator.filesAsOctetStream = true;
		const result = await run(emulator, [ocr({ operation: 'getFile', requestId, fileId: fileIds[1], options: { fileName: 'page-2.png' } })]);
		expect(result.error).toBeUndefined();
		expect(result.items[0].binary?.data).toMatchObject({ mimeType: 'image/png', fileName: 'page-2.png' });
	});

	it('an empty body is a clear error', async () => {
		const { requestId, fileIds } = await submittedPdf();
		emu.get().fileOverrides.set(fileIds[0], { contentType: 'image/jpeg', body: '' });
		const result = await run(emu.get(), [ocr({ operation: 'getFile', requestId, fileId: fileIds[0] })]);
		expect(result.error?.message).toBe(`GreenNode returned an empty file for file_id "${fileIds[0]}" of request_id "${requestId}"`);
	});

	it('a body that is not an image is a clear error, even when labelled as one', async () => {
		const { requestId, fileIds } = await submittedPdf();
		emu.get().fileOverrides.set(fileIds[0], { contentType: 'image/jpeg', body: '<html><title>Gateway error</title></html>' });
		emu.get().fileOverrides.set(fileIds[1], { contentType: 'application/json', body: '{"message":"no image"}' });
		const result = await run(
			emu.get(),
			[ocr({ operation: 'getFile', requestId, fileId: '={{ $json.fileId }}' }, { continueOnFail: true })],
			[{ json: { fileId: fileIds[0] } }, { json: { fileId: fileIds[1] } }, { json: { fileId: 'nope.png' } }],
		);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.error)).toEqual([
			expect.stringMatching(/did not return an image/),
			expect.stringMatching(/did not return an image/),
			expect.stringMatching(/404/),
		]);
		expect(result.items[0].json.details).toMatch(/Gateway error/);
		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});
});

describe('a chained workflow', () => {
	it('Submit (wait) → Get Table rows for several documents', async () => {
		const emulator = emu.get();
		emulator.configure({ pendingPolls: 1, emptyPolls: 1 });
		const result = await run(
			emulator,
			[
				ocr({ operation: 'submit', output: 'raw', docType: 'INVOICE', waitForResult: true, options: FAST }, { name: 'Submit' }),
				ocr(
					{
						operation: 'getTable',
						requestId: '={{ $json.request_id }}',
						documentId: '={{ $json.documents[0].document_id }}',
						options: { outputMode: 'rows' },
					},
					{ name: 'Rows' },
				),
			],
			[pdfItem('one.pdf'), jpegItem('two.jpg'), pdfItem('three-notable.pdf')],
		);
		expect(result.error).toBeUndefined();
		expect(result.outputs.Submit[0]).toHaveLength(3);
		expect(result.items).toHaveLength(10);
		expect(result.items.map((item) => (item.pairedItem as { item: number }).item)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
		expect(result.items[0].json).toMatchObject({ table: 1, STT: 1 });
	});
});
