import { NodeHelpers, Workflow, type IExecuteFunctions, type INode, type INodeExecutionData, type INodeTypes } from 'n8n-workflow';

import { GreenNodeOcr } from '../nodes/GreenNodeOcr/GreenNodeOcr.node';
import { configuredOutputs } from '../nodes/GreenNodeOcr/actions/outputs';
import { readFieldThresholds } from '../nodes/GreenNodeOcr/actions/settings';
import { toDocumentItems } from '../nodes/GreenNodeOcr/helpers/documents';
import { FAST, jpegItem, ocr, run, useEmulator } from './support';

/** Field Thresholds: a confidence of their own for some fields, routing to Needs Review even with Review Threshold off. */

const field = (name: string, extracted_value: string, extracted_prob: number) => ({ name, extracted_value, extracted_prob });
const invoice = {
	request_id: 'r-1',
	documents: [
		{
			document_id: 'doc-1',
			document_type: 'INVOICE',
			ocr_data: [
				{
					name: 'invoice',
					value: [
						field('total_amount', '4.610.000', 0.96),
						field('buyer_address', '8 Đại lộ Bình Dương', 0.62),
						field('Tổng tiền', '4.610.000', 0.9),
						field('seller_name', 'Đại Phát', 0.99),
						field('seller_name', 'Đại Phát', 0.8),
					],
				},
			],
		},
	],
};
const base = { normalize: true, validate: false, reviewThreshold: 0 };
const reasonsWith = (fieldThresholds: Array<{ field: string; threshold: number }>, reviewThreshold = 0) =>
	toDocumentItems(invoice, { ...base, reviewThreshold, fieldThresholds })[0].review_reasons;

describe('field thresholds', () => {
	it('route a document whose named field is below its own threshold, with Review Threshold off; the reason names the field', () => {
		const [item] = toDocumentItems(invoice, { ...base, fieldThresholds: [{ field: 'total_amount', threshold: 0.97 }] });
		expect(item.needs_review).toBe(true);
		expect(item.review_reasons).toEqual(['confidence of invoice.total_amount is 0.96, below its field threshold 0.97']);
		expect(toDocumentItems(invoice, { ...base, fieldThresholds: [{ field: 'total_amount', threshold: 0.95 }] })[0].needs_review).toBe(false);
		expect(toDocumentItems(invoice, base)[0]).toMatchObject({ needs_review: false, review_reasons: [] });
	});

	it('match the name with or without the group, in any case or spelling of its words, never a part of a word', () => {
		for (const name of ['total_amount', 'invoice.total_amount', 'Total Amount', 'TotalAmount', 'INVOICE.TOTAL_AMOUNT']) {
			expect(reasonsWith([{ field: name, threshold: 0.97 }])).toEqual(['confidence of invoice.total_amount is 0.96, below its field threshold 0.97']);
		}
		expect(reasonsWith([{ field: 'tong tien', threshold: 0.95 }])).toEqual(['confidence of invoice.Tổng tiền is 0.9, below its field threshold 0.95']);
		for (const name of ['amount', 'total', 'other.total_amount', 'voice.total_amount']) expect(reasonsWith([{ field: name, threshold: 0.97 }])).toEqual([]);
	});

	it('match the end of a nested name: the group nearest the field, or the whole name', () => {
		const nested = { documents: [{ document_id: 'd', ocr_data: [{ name: 'seller', value: [{ name: 'bank', value: [field('account_name', 'Đại Phát', 0.7)] }] }] }] };
		const reasons = (name: string) => toDocumentItems(nested, { ...base, fieldThresholds: [{ field: name, threshold: 0.8 }] })[0].review_reasons;
		for (const name of ['account_name', 'bank.account_name', 'seller.bank.account_name']) {
			expect(reasons(name)).toEqual(['confidence of seller.bank.account_name is 0.7, below its field threshold 0.8']);
		}
		expect(reasons('seller.account_name')).toEqual([]);
	});

	it('apply to every reading of a repeated field', () => {
		expect(reasonsWith([{ field: 'seller_name', threshold: 0.9 }])).toEqual(['confidence of invoice.seller_name (2) is 0.8, below its field threshold 0.9']);
	});

	it('replace the Review Threshold for the fields they name: stricter for amounts, more lenient for an address', () => {
		expect(reasonsWith([], 0.7)).toEqual(['confidence of invoice.buyer_address is 0.62, below 0.7']);
		expect(reasonsWith([{ field: 'buyer_address', threshold: 0.5 }, { field: 'total_amount', threshold: 0.98 }], 0.7)).toEqual([
			'confidence of invoice.total_amount is 0.96, below its field threshold 0.98',
		]);
		expect(reasonsWith([{ field: 'buyer_address', threshold: 65 }])).toEqual(['confidence of invoice.buyer_address is 0.62, below its field threshold 0.65']);
	});

	it('turn review on: a failed check or a request without documents goes to Needs Review too', () => {
		const on = { ...base, validate: true, fieldThresholds: [{ field: 'total_amount', threshold: 0.5 }] };
		const words = { documents: [{ document_id: 'd', ocr_data: [{ name: 'g', value: [field('tong_tien', '4.610.000', 0.99), field('so_tien_bang_chu', 'Bốn triệu đồng', 0.99)] }] }] };
		expect(toDocumentItems(words, on)[0].review_reasons).toEqual([expect.stringMatching(/^g\.so_tien_bang_chu failed the amount_in_words check/)]);
		expect(toDocumentItems(words, { ...on, fieldThresholds: [] })[0].needs_review).toBe(false);
		expect(toDocumentItems({ request_id: 'r', status: 'PROCESSING', documents: [] }, on)[0]).toMatchObject({ needs_review: true, empty: true });
	});
});

const emu = useEmulator();
const outputsOf = (result: Awaited<ReturnType<typeof run>>): INodeExecutionData[][] => result.outputs['GreenNode OCR'] ?? [];
const thresholds = (...values: Array<Record<string, unknown>>) => ({ values });

describe('Field Thresholds option', () => {
	it('gives the node its Needs Review output, in the editor and when it runs', async () => {
		const result = await run(
			emu.get(),
			[ocr({ operation: 'submit', docType: '={{ $itemIndex === 0 ? "INVOICE" : "ID" }}', options: { ...FAST, fieldThresholds: thresholds({ field: 'total_amount', threshold: 0.97 }) } })],
			[jpegItem('invoice.jpg'), jpegItem('cccd.jpg')],
		);
		expect(result.error).toBeUndefined();
		const [documents, review] = outputsOf(result);
		expect(documents.map((item) => item.pairedItem)).toEqual([{ item: 1 }]);
		expect(review.map((item) => item.pairedItem)).toEqual([{ item: 0 }]);
		expect(review[0].json.review_reasons).toEqual(['confidence of invoice.total_amount is 0.96, below its field threshold 0.97']);
	});

	it('the editor shows the second output exactly when the node gives it', () => {
		const nodeType = new GreenNodeOcr();
		const nodeTypes: INodeTypes = { getByName: () => nodeType, getByNameAndVersion: () => nodeType, getKnownTypes: () => ({}) };
		const outputsFor = (parameters: INode['parameters']) => {
			const node: INode = { id: '1', name: 'OCR', type: 'greenNodeOcr', typeVersion: 1, position: [0, 0], parameters };
			const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
			return NodeHelpers.getNodeOutputs(workflow, node, nodeType.description).map((output) => (typeof output === 'string' ? output : output.displayName ?? output.type));
		};
		const named = { fieldThresholds: thresholds({ field: 'total_amount', threshold: 0.95 }) };
		expect(outputsFor({ operation: 'getResult', options: named })).toEqual(['Documents', 'Needs Review']);
		expect(outputsFor({ options: named })).toEqual(['Documents', 'Needs Review']);
		expect(configuredOutputs({ options: { fieldThresholds: { values: '={{ $json.thresholds }}' } } })).toHaveLength(2);
		expect(configuredOutputs({ options: { fieldThresholds: [{ field: 'total_amount', threshold: 0.95 }] } })).toHaveLength(2);
		expect(outputsFor({ options: { fieldThresholds: thresholds() } })).toEqual(['main']);
		expect(outputsFor({ options: { fieldThresholds: {} } })).toEqual(['main']);
		expect(outputsFor({ operation: 'getResult', output: 'raw', options: named })).toEqual(['main']);
		expect(outputsFor({ operation: 'submit', waitForResult: false, options: named })).toEqual(['main']);
	});

	const wrong: Array<[string, unknown, RegExp]> = [
		['an entry without a field name', thresholds({ field: ' ', threshold: 0.9 }), /Field Thresholds entry 1 has no field name/],
		['a threshold as a word', thresholds({ field: 'total_amount', threshold: 'high' }), /Field Thresholds of total_amount must be a number from 0 to 1 \(it is high\)/],
		['a threshold above 100', thresholds({ field: 'total_amount', threshold: 150 }), /Field Thresholds of total_amount must be a number from 0 to 1 \(it is 150\)/],
		['a field named twice', thresholds({ field: 'total_amount', threshold: 0.9 }, { field: 'Total Amount', threshold: 0.8 }), /Field Thresholds name Total Amount twice/],
		['a threshold from an expression that gives no number', thresholds({ field: 'total_amount', threshold: '={{ $json.missing }}' }), /Field Thresholds of total_amount must be a number from 0 to 1/],
	];

	it.each(wrong)('%s is an error on its item, never a silent default', async (_, value, message) => {
		const node = ocr({ operation: 'submit', docType: 'INVOICE', options: { ...FAST, fieldThresholds: value } as never });
		const lenient = await run(emu.get(), [{ ...node, continueOnFail: true }], [jpegItem('invoice.jpg')]);
		expect(lenient.error).toBeUndefined();
		expect(lenient.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }]);
		expect(lenient.items[0].json.error).toMatch(message);
		expect(emu.get().requests.filter((request) => request.method === 'POST')).toHaveLength(0);
	});
});

describe('readFieldThresholds', () => {
	const context = { getNode: () => ({ name: 'GreenNode OCR' }) } as unknown as IExecuteFunctions;
	const read = (raw: unknown) => readFieldThresholds.call(context, raw, 0);

	it('reads the fixed collection, a list from an expression, percentages and number text', () => {
		expect(read(undefined)).toEqual([]);
		expect(read({})).toEqual([]);
		expect(read({ values: [{ field: ' invoice.total_amount ', threshold: 0.95 }, { field: 'id_number', threshold: '90%' }] })).toEqual([
			{ field: 'invoice.total_amount', threshold: 0.95 },
			{ field: 'id_number', threshold: 0.9 },
		]);
		expect(read([{ field: 'dob', threshold: '0.8' }])).toEqual([{ field: 'dob', threshold: 0.8 }]);
	});

	it('anything but a list of fields and thresholds is an error', () => {
		expect(() => read('total_amount: 0.9')).toThrow('Field Thresholds must be a list of fields and thresholds (it is total_amount: 0.9)');
		expect(() => read({ values: [null] })).toThrow('Field Thresholds entry 1 has no field name (it is null)');
		expect(() => read({ values: [{ field: '-', threshold: 0.9 }] })).toThrow('Field Thresholds entry 1 has no field name');
		expect(() => read({ values: [{ field: 'dob' }] })).toThrow('Field Thresholds of dob must be a number from 0 to 1 (it is undefined)');
		expect(() => read({ values: [{ field: 'Ngày sinh', threshold: 0.9 }, { field: 'ngay_sinh', threshold: 0.9 }] })).toThrow('Field Thresholds name ngay_sinh twice');
	});
});
