import { NodeHelpers, Workflow, type INode, type INodeTypes } from 'n8n-workflow';

import { GreenNodeOcr } from '../nodes/GreenNodeOcr/GreenNodeOcr.node';
import { FAST, jpegItem, ocr, pdfItem, run, useEmulator } from './support';

/** Spreadsheet-ready output: one item per document, parts included, checked, low confidence routed to review. */

const emu = useEmulator();
const isPoll = (request: { method: string; path: string }) => request.method === 'GET' && /\/ocr\/ingest\/[^/]+$/.test(request.path);

function outputsOf(result: Awaited<ReturnType<typeof run>>) {
	return result.outputs['GreenNode OCR'] ?? [];
}

describe('documents output (the default)', () => {
	it('Submit waits by default and gives one flat item per document, paired to its input', async () => {
		const result = await run(emu.get(), [ocr({ operation: 'submit', docType: 'INVOICE', options: FAST })], [pdfItem(), pdfItem('second.pdf')]);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(4);
		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }, { item: 1 }, { item: 1 }]);
		const [first] = result.items;
		expect(first.json).toMatchObject({ request_id: expect.any(String), document_id: 'doc-1', document_type: 'INVOICE', needs_review: false, review_reasons: [] });
		const fields = first.json.fields as Record<string, unknown>;
		expect(fields['invoice.total_amount']).toBe(4610000);
		expect(fields['invoice.invoice_date']).toBe('2024-03-15');
		expect((first.json.original as Record<string, string>)['invoice.total_amount']).toBe('4.610.000');
		expect((first.json.confidence as Record<string, number>)['invoice.total_amount']).toBeGreaterThan(0.5);
		expect((first.json.validation as Record<string, { valid: boolean }>)['invoice.amount_in_words']).toMatchObject({ valid: true, check: 'amount_in_words' });
	});

	it('Normalize and Validate can be turned off', async () => {
		const result = await run(emu.get(), [ocr({ operation: 'submit', docType: 'INVOICE', options: { ...FAST, normalize: false, validate: false } })], [pdfItem()]);
		const [first] = result.items;
		expect((first.json.fields as Record<string, unknown>)['invoice.total_amount']).toBe('4.610.000');
		expect(first.json.validation).toBeUndefined();
		expect(first.json.original).toBeUndefined();
	});

	it('raw output is the answer as GreenNode gave it', async () => {
		const result = await run(emu.get(), [ocr({ operation: 'submit', docType: 'ID', output: 'raw', options: FAST })], [jpegItem()]);
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json).toMatchObject({ status: 'COMPLETED', documents: expect.any(Array), request_id: expect.any(String) });
	});

	it('Include fetches tables as rows, signatures, stamps and page images for every document', async () => {
		const result = await run(emu.get(), [ocr({ operation: 'submit', docType: 'INVOICE', options: { ...FAST, include: ['tables', 'signatures', 'stamps', 'images'] } })], [pdfItem()]);
		expect(result.error).toBeUndefined();
		const [first] = result.items;
		expect(first.json.tables).toEqual(expect.arrayContaining([expect.objectContaining({ table: 1, row: 1, STT: 1 })]));
		expect(Array.isArray(first.json.signatures)).toBe(true);
		expect(Array.isArray(first.json.stamps)).toBe(true);
		expect(first.binary?.image).toMatchObject({ mimeType: expect.stringMatching(/^image\//) });
		const parts = emu.get().requests.filter((request) => /\/ocr\/ingest\/(table|signature|stamp|file)\//.test(request.path));
		expect(parts).toHaveLength(2 * 4);
	});

	it('a part that cannot be fetched fails its item, with Continue On Fail an error item', async () => {
		emu.get().faults.push({ match: (request) => request.path.includes('/table/'), kind: 'status', status: 404, times: Infinity });
		const result = await run(emu.get(), [ocr({ operation: 'submit', docType: 'INVOICE', options: { ...FAST, include: ['tables'] } }, { continueOnFail: true })], [pdfItem()]);
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json.error).toMatch(/\(404\) on Get Table/);
		expect(result.items[0].pairedItem).toEqual({ item: 0 });
	});
});

describe('Needs Review', () => {
	const suspicious = {
		request_id: 'r-1',
		status: 'COMPLETED',
		progress: { total_doc: 3, finished: 3, ignored: 0 },
		documents: [
			{ document_id: 'good', document_type: 'ID', is_correct_classification: true, ocr_data: [{ name: 'eid', value: [{ name: 'name', extracted_value: 'TRẦN VĂN AN', extracted_prob: 0.97 }] }] },
			{ document_id: 'blurry', document_type: 'ID', is_correct_classification: true, ocr_data: [{ name: 'eid', value: [{ name: 'name', extracted_value: 'TRẦN V?N', extracted_prob: 0.41 }] }] },
			{ document_id: 'rotated', document_type: 'ID', is_correct_classification: false, ocr_data: [{ name: 'eid', value: [{ name: 'name', extracted_value: 'AN', extracted_prob: 0.99 }] }] },
		],
	};

	it('with a threshold, a second output gets the doubtful documents, both outputs paired', async () => {
		emu.get().faults.push({ match: isPoll, kind: 'body', body: JSON.stringify({ data: suspicious }), times: Infinity });
		const result = await run(emu.get(), [ocr({ operation: 'getResult', requestId: 'r-1', options: { ...FAST, reviewThreshold: 0.6 } })], [{ json: {} }, { json: {} }]);
		expect(result.error).toBeUndefined();
		const [documents, review] = outputsOf(result);
		expect(documents.map((item) => item.json.document_id)).toEqual(['good', 'good']);
		expect(review.map((item) => item.json.document_id)).toEqual(['blurry', 'rotated', 'blurry', 'rotated']);
		expect(review.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }, { item: 1 }, { item: 1 }]);
		expect(review[0].json.review_reasons).toEqual(['confidence of eid.name is 0.41, below 0.6']);
		expect(review[1].json.review_reasons).toEqual([expect.stringMatching(/misclassified/)]);
	});

	it('without a threshold there is one output with every document', async () => {
		emu.get().faults.push({ match: isPoll, kind: 'body', body: JSON.stringify({ data: suspicious }), times: Infinity });
		const result = await run(emu.get(), [ocr({ operation: 'getResult', requestId: 'r-1', options: FAST })]);
		expect(outputsOf(result)).toHaveLength(1);
		expect(result.items.map((item) => item.json.needs_review)).toEqual([false, false, false]);
	});

	it('the editor shows the second output exactly when the node gives it', () => {
		const nodeType = new GreenNodeOcr();
		const nodeTypes: INodeTypes = {
			getByName: () => nodeType,
			getByNameAndVersion: () => nodeType,
			getKnownTypes: () => ({}),
		};
		const outputsFor = (parameters: INode['parameters']) => {
			const node: INode = { id: '1', name: 'OCR', type: 'greenNodeOcr', typeVersion: 1, position: [0, 0], parameters };
			const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
			return NodeHelpers.getNodeOutputs(workflow, node, nodeType.description).map((output) => (typeof output === 'string' ? output : output.displayName ?? output.type));
		};
		expect(outputsFor({ operation: 'getResult', options: { reviewThreshold: 0.7 } })).toEqual(['Documents', 'Needs Review']);
		expect(outputsFor({ options: { reviewThreshold: 0.7 } })).toEqual(['Documents', 'Needs Review']);
		expect(outputsFor({ operation: 'submit', waitForResult: false, options: { reviewThreshold: 0.7 } })).toEqual(['main']);
		expect(outputsFor({ operation: 'getResult', output: 'raw', options: { reviewThreshold: 0.7 } })).toEqual(['main']);
		expect(outputsFor({ operation: 'getResult' })).toEqual(['main']);
		expect(outputsFor({ operation: 'getTable', options: { reviewThreshold: 0.7 } })).toEqual(['main']);
	});
});

describe('realistic documents', () => {
	it('ID cards and invoices: good ones to Documents, a contradictory CCCD and a blurry scan to Needs Review', async () => {
		const items = [jpegItem('cccd-front.jpg'), jpegItem('cccd-back.jpg'), jpegItem('cccd-mismatch.jpg'), jpegItem('invoice-blurry.jpg')];
		const result = await run(
			emu.get(),
			[ocr({ operation: 'submit', docType: '={{ $itemIndex === 3 ? "INVOICE" : "ID" }}', options: { ...FAST, reviewThreshold: 0.7 } })],
			items,
		);
		expect(result.error).toBeUndefined();
		const [documents, review] = outputsOf(result);
		expect(documents.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		const front = documents[0].json as { fields: Record<string, unknown>; validation: Record<string, { valid: boolean; check: string }> };
		expect(front.validation['eid.id_number']).toMatchObject({ check: 'cccd', valid: true });
		expect(front.fields['eid.dob']).toBe('2003-09-03');
		expect(Object.keys((documents[1].json as { fields: object }).fields)).not.toContain('eid.id_number');
		expect(review.map((item) => item.pairedItem)).toEqual([{ item: 2 }, { item: 3 }]);
		expect((review[0].json.review_reasons as string[]).join(' ')).toMatch(/eid\.id_number failed the cccd check/);
		expect((review[1].json.review_reasons as string[]).join(' ')).toMatch(/confidence of invoice\.\S+ is 0\.\d+, below 0\.7/);
	});

	it('a table-type document that finishes empty (as seen live) is output marked empty, and reviewed', async () => {
		const result = await run(emu.get(), [ocr({ operation: 'submit', docType: 'GET_TABLE', options: { ...FAST, emptyResultWait: 0.3, reviewThreshold: 0.5 } })], [pdfItem('listing.pdf')]);
		expect(result.error).toBeUndefined();
		const [documents, review] = outputsOf(result);
		expect(documents).toHaveLength(0);
		expect(review).toHaveLength(1);
		expect(review[0].json).toMatchObject({ empty: true, needs_review: true, extra: { schema: { table: [] } } });
		expect(review[0].json.review_reasons).toEqual(['no OCR content (ocr_data is null)']);
	});
});

describe('chaining without typing', () => {
	it('Submit → Get Table rows uses request_id and document_id of each document item', async () => {
		const result = await run(emu.get(), [
			ocr({ operation: 'submit', docType: 'INVOICE', options: FAST }),
			ocr({ operation: 'getTable', options: { outputMode: 'rows' } }, { name: 'Tables' }),
		], [pdfItem()]);
		expect(result.error).toBeUndefined();
		expect(result.items.length).toBeGreaterThan(0);
		expect(result.items[0].json).toMatchObject({ table: 1, row: 1 });
		const tableCalls = emu.get().requests.filter((request) => request.path.includes('/table/'));
		expect(tableCalls.map((request) => request.path.split('/').at(-1))).toEqual(['doc-1', 'doc-2']);
	});

	it('an empty Document ID gets the part of every document of the request', async () => {
		const submitted = await run(emu.get(), [ocr({ operation: 'submit', waitForResult: false, docType: 'INVOICE' })], [pdfItem()]);
		const requestId = submitted.items[0].json.request_id as string;
		const result = await run(emu.get(), [ocr({ operation: 'getSignature', requestId, documentId: '' })]);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.document_id)).toEqual(['doc-1', 'doc-2']);
	});
});

describe('Get Table rows', () => {
	const twoPages = {
		tables: [
			{ page: 1, rows: [['STT', 'Tên hàng', 'Thành tiền'], ['1', 'Gạo', '1.800.000'], ['2', 'Muối', '25.000']] },
			{ page: 2, rows: [['STT', 'Tên hàng', 'Thành tiền'], ['3', 'Đường', '1.234,5']] },
			{ page: 2, rows: [['Mã', 'Ghi chú'], ['A-01', 'khác']] },
		],
	};

	it('merges a table that continues on the next page with the same header, numbers normalised', async () => {
		emu.get().faults.push({ match: (request) => request.path.includes('/table/'), kind: 'body', body: JSON.stringify({ data: twoPages }) });
		const result = await run(emu.get(), [ocr({ operation: 'getTable', requestId: 'r', documentId: 'd', options: { outputMode: 'rows' } })]);
		expect(result.items.map((item) => item.json)).toEqual([
			{ table: 1, page: 1, row: 1, STT: 1, 'Tên hàng': 'Gạo', 'Thành tiền': 1800000 },
			{ table: 1, page: 1, row: 2, STT: 2, 'Tên hàng': 'Muối', 'Thành tiền': 25000 },
			{ table: 1, page: 2, row: 3, STT: 3, 'Tên hàng': 'Đường', 'Thành tiền': 1234.5 },
			{ table: 2, page: 2, row: 1, Mã: 'A-01', 'Ghi chú': 'khác' },
		]);
	});

	it('keeps cells as text with Normalize Numbers off', async () => {
		emu.get().faults.push({ match: (request) => request.path.includes('/table/'), kind: 'body', body: JSON.stringify({ data: twoPages }) });
		const result = await run(emu.get(), [ocr({ operation: 'getTable', requestId: 'r', documentId: 'd', options: { outputMode: 'rows', normalize: false } })]);
		expect(result.items[0].json).toMatchObject({ STT: '1', 'Thành tiền': '1.800.000' });
	});
});
