import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { runWorkflow } from '../dev/runner';
import { credentialsFor, everythingVisible, FAST, jpegItem, ocr, pdfItem, run, useEmulator } from './support';

const SECRET = 'gn-Secret-Key-7f3a9c1e5b';
const emu = useEmulator({ apiKey: SECRET });

const apiPrefix = () => `/maas/user-${emu.get().portalUserId}/greennode/idp/v1/ocr/ingest`;

describe('errors follow the troubleshooting table', () => {
	it('403: says to check the key, that it is ACTIVE and that the portal user id matches', async () => {
		const emulator = emu.get();
		const wrongKey = 'gn-Wrong-Key-0000-1111';
		const result = await runWorkflow({
			nodes: [ocr({ operation: 'submit', waitForResult: false, docType: 'ID' })],
			items: [jpegItem()],
			credentials: credentialsFor(emulator, { apiKey: wrongKey }),
		});
		expect(result.error).toBeInstanceOf(NodeApiError);
		expect(result.error?.message).toMatch(/refused the API key \(403 Forbidden\)/);
		const description = (result.error as NodeApiError).description ?? '';
		expect(description).toMatch(/ACTIVE/);
		expect(description).toMatch(new RegExp(`Portal User ID \\(${emulator.portalUserId}\\)`));
		expect(description).toMatch(/"Forbidden"/);
		expect((result.error as NodeApiError).httpCode).toBe('403');
		expect(everythingVisible(result)).not.toContain(wrongKey);
		expect(everythingVisible(result)).not.toContain(SECRET);
	});

	it('400: shows the server message and names the required fields', async () => {
		const emulator = emu.get();
		emulator.faults.push({
			match: (request) => request.method === 'POST',
			kind: 'status',
			status: 400,
			body: '{"message":"doc_type does not match the account configuration"}',
		});
		const result = await run(emulator, [ocr({ operation: 'submit', waitForResult: false, docType: 'ID' })], [jpegItem()]);
		expect(result.error?.message).toBe(
			'GreenNode rejected the Submit request (400): "doc_type does not match the account configuration"',
		);
		expect((result.error as NodeApiError).description).toMatch(/flow, file_type \(PDF or IMAGE\) and file, and doc_type/);
	});

	it('500 on submit: hints that the doc_type may not be enabled for the account', async () => {
		const result = await run(emu.get(), [ocr({ operation: 'submit', waitForResult: false, docType: 'PASSPORT' })], [pdfItem()]);
		expect(result.error?.message).toBe('GreenNode could not process the submission (500)');
		expect((result.error as NodeApiError).description).toMatch(/document type "PASSPORT" is not enabled for your account/);
	});

	it('a missing binary property names the property and the ones present', async () => {
		const emulator = emu.get();
		const result = await run(emulator, [ocr({ operation: 'submit', waitForResult: false, docType: 'ID', binaryPropertyName: 'file' })], [
			{ binary: { attachment_0: { data: Buffer.from('x'), fileName: 'a.jpg', mimeType: 'image/jpeg' } } },
		]);
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect(result.error?.message).toBe('The input item has no binary field "file"');
		expect((result.error as NodeOperationError).description).toMatch(/"attachment_0"/);
		expect(emulator.requests).toHaveLength(0);
	});

	it('an item without any binary says how to get one', async () => {
		const result = await run(emu.get(), [ocr({ operation: 'submit', waitForResult: false, docType: 'ID' })], [{ json: { a: 1 } }]);
		expect((result.error as NodeOperationError).description).toMatch(/no binary data at all/);
	});

	it('a file type that cannot be detected asks for File Type', async () => {
		const result = await run(emu.get(), [ocr({ operation: 'submit', waitForResult: false, docType: 'ID' })], [
			{ binary: { data: { data: Buffer.from('hello'), fileName: 'notes.txt', mimeType: 'text/plain' } } },
		]);
		expect(result.error?.message).toBe('Cannot tell whether "notes.txt" is a PDF or an image');
		expect((result.error as NodeOperationError).description).toMatch(/Set File Type to PDF or Image/);
	});

	it('a File Type from an expression that is not auto, PDF or IMAGE is a clear error', async () => {
		const result = await run(emu.get(), [ocr({ operation: 'submit', waitForResult: false, docType: 'ID', fileType: '={{ "docx" }}' })], [jpegItem()]);
		expect(result.error?.message).toBe('File Type "DOCX" is not one of auto, PDF or IMAGE');
		expect(emu.get().requests).toHaveLength(0);
	});

	it('a bad item stops the run before anything is uploaded', async () => {
		const emulator = emu.get();
		const result = await run(emulator, [ocr({ operation: 'submit', waitForResult: false, docType: 'ID' })], [jpegItem(), { json: {} }, jpegItem()]);
		expect(result.error?.message).toMatch(/no binary field "data"/);
		expect((result.error as NodeOperationError).context.itemIndex).toBe(1);
		expect(emulator.requests.filter((request) => request.method === 'POST')).toHaveLength(0);
	});
});

describe('continueOnFail', () => {
	it('gives an error item for the failing input and leaves the others untouched', async () => {
		const emulator = emu.get();
		const items = [jpegItem('a.jpg'), { json: { note: 'no file' } }, jpegItem('c.jpg')];
		const result = await run(
			emulator,
			[ocr({ operation: 'submit', output: 'raw', docType: 'ID', waitForResult: true, options: FAST }, { continueOnFail: true })],
			items,
		);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(3);
		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(result.items[1].json.error).toBe('The input item has no binary field "data"');
		expect(result.items[0].json.status).toBe('COMPLETED');
		expect(result.items[2].json.status).toBe('COMPLETED');
		expect(emulator.requests.filter((request) => request.method === 'POST')).toHaveLength(2);
	});

	it('routes the failing item to the error output when On Error asks for it', async () => {
		const emulator = emu.get();
		const result = await run(
			emulator,
			[ocr({ operation: 'getResult', output: 'raw', requestId: '={{ $json.id }}', options: FAST }, { onError: 'continueErrorOutput' })],
			[{ json: { id: 'does-not-exist' } }],
		);
		expect(result.error).toBeUndefined();
		const [success, failure] = result.outputs['GreenNode OCR'];
		expect(success).toHaveLength(0);
		expect(failure).toHaveLength(1);
		expect(failure[0].json.id).toBe('does-not-exist');
		expect(failure[0].json.error).toMatch(/404/);
	});
});

describe('IDs are URL-encoded path segments', () => {
	const attempts = ['../../ingest', 'abc/../../table/x/y', 'x?flow=single', 'y#frag', '..', ' spaced id ', 'hoá-đơn'];

	it.each(attempts)('request id %p never reaches another endpoint', async (requestId) => {
		const emulator = emu.get();
		const result = await run(emulator, [ocr({ operation: 'getResult', output: 'raw', requestId, waitForResult: false }, { continueOnFail: true })]);
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json.error).toEqual(expect.any(String));
		for (const request of emulator.requests) {
			expect(request.path.startsWith(`${apiPrefix()}/`)).toBe(true);
			expect(request.path.slice(apiPrefix().length + 1)).not.toContain('/');
		}
		if (requestId === '..') {
			expect(emulator.requests).toHaveLength(0);
			expect(result.items[0].json.error).toBe('The Request ID is not valid: ".." is not an ID');
		} else {
			expect(emulator.requests).toHaveLength(1);
			expect(decodeURIComponent(emulator.requests[0].path.slice(apiPrefix().length + 1))).toBe(requestId.trim());
			expect(emulator.requests[0].status).toBe(404);
		}
	});

	it('an empty request id is a clear error', async () => {
		const result = await run(emu.get(), [ocr({ operation: 'getResult', output: 'raw', requestId: '={{ "" }}' })]);
		expect(result.error?.message).toBe('The Request ID is not valid: it is empty');
	});
});

describe('secrets', () => {
	it('the API key never shows in any output, error or log line', async () => {
		const emulator = emu.get();
		const runs = [
			await run(emulator, [ocr({ operation: 'submit', output: 'raw', docType: 'ID', waitForResult: true, options: FAST })], [jpegItem()]),
			await run(emulator, [ocr({ operation: 'submit', waitForResult: false, docType: 'PASSPORT' })], [jpegItem()]),
			await run(emulator, [ocr({ operation: 'getResult', output: 'raw', requestId: 'nope', options: FAST }, { continueOnFail: true })]),
			await run(emulator, [ocr({ operation: 'getResult', output: 'raw', requestId: 'nope', options: FAST })]),
			await runWorkflow({
				nodes: [ocr({ operation: 'getResult', output: 'raw', requestId: 'x' })],
				credentials: credentialsFor(emulator, { baseUrl: 'http://127.0.0.1:1' }),
			}),
		];
		expect(runs[4].error?.message).toMatch(/Could not reach GreenNode/);
		for (const result of runs) {
			const visible = everythingVisible(result);
			expect(visible.length).toBeGreaterThan(0);
			expect(visible).not.toContain(SECRET);
		}
		// the key did reach the server, so the check above is not vacuous
		expect(emulator.requests.some((request) => request.authorized)).toBe(true);
	});
});
