import shapes from './fixtures/greennode-shapes.json';
import { flattenOcrData, toDocumentItems, toProbability } from '../nodes/GreenNodeOcr/helpers/documents';

const off = { normalize: false, validate: false, reviewThreshold: 0 };
const all = { normalize: true, validate: true, reviewThreshold: 0.6 };

const field = (name: string, extracted_value: unknown, extracted_prob?: number) => ({ name, extracted_value, extracted_prob, coordinates: [1, 2, 3, 4] });
const doc = (over: Record<string, unknown>) => ({ document_id: 'doc-1', document_type: 'ID', document_type_title: 'Căn cước công dân', status: 'SUCCESS', ...over });

describe('toDocumentItems', () => {
	it('flattens the observed CCCD result, options off', () => {
		const items = toDocumentItems(shapes.result_done_200.data, off);
		expect(items).toEqual([
			{
				request_id: '6f1c2a9e-...',
				document_id: 'doc-1',
				document_type: 'ID',
				document_type_title: 'Căn cước công dân',
				status: 'SUCCESS',
				is_correct_classification: true,
				page: 1,
				file_id: '6f1c2a9e_page_1.jpg',
				fields: { 'eid.id_number': '079303009457', 'eid.name': 'TRẦN THANH VÂN ANH', 'eid.dob': '03/09/2003' },
				confidence: { 'eid.id_number': 0.98, 'eid.name': 0.96, 'eid.dob': 0.97 },
				needs_review: false,
				review_reasons: [],
				extra: { is_correct: false },
			},
		]);
	});

	it('normalises and validates the observed CCCD: the id stays text, the dob becomes ISO', () => {
		const [item] = toDocumentItems(shapes.result_done_200.data, all);
		expect(item.fields).toEqual({ 'eid.id_number': '079303009457', 'eid.name': 'TRẦN THANH VÂN ANH', 'eid.dob': '2003-09-03' });
		expect(item.original).toEqual({ 'eid.dob': '03/09/2003' });
		expect(item.validation?.['eid.id_number']).toMatchObject({ check: 'cccd', valid: true });
		expect(item.validation?.['eid.dob']).toMatchObject({ check: 'date', valid: true });
		expect(item.needs_review).toBe(false);
		expect(item.review_reasons).toEqual([]);
	});

	it('accepts the whole { data } answer too', () => {
		expect(toDocumentItems(shapes.result_done_200, off)).toHaveLength(1);
	});

	it('lists every reason a document needs review, in plain English', () => {
		const data = {
			request_id: 'r-1',
			documents: [
				doc({
					is_correct_classification: false,
					ocr_data: [
						{
							name: 'eid',
							value: [field('id_number', '079103009457', 0.95), field('dob', '03/09/2003', 0.41), field('sex', 'Nữ', 0.599)],
						},
					],
				}),
			],
		};
		const [item] = toDocumentItems(data, all);
		expect(item.needs_review).toBe(true);
		expect(item.review_reasons[0]).toBe('the document may be misclassified as ID (is_correct_classification is false)');
		expect(item.review_reasons[1]).toBe('confidence of eid.dob is 0.41, below 0.6');
		expect(item.review_reasons[2]).toBe('confidence of eid.sex is 0.599, below 0.6');
		expect(item.review_reasons[3]).toMatch(/^eid\.id_number failed the cccd check: century digit 1 means born 1900–1999, but eid\.dob is 03\/09\/2003/);
		expect(item.review_reasons).toHaveLength(4);
	});

	it('with threshold 0 review is off: no flag, no reasons, the facts stay in place', () => {
		const data = { documents: [doc({ is_correct_classification: false, ocr_data: [{ name: 'eid', value: [field('dob', '31/02/2024', 0.1)] }] })] };
		const [item] = toDocumentItems(data, { normalize: true, validate: true, reviewThreshold: 0 });
		expect(item.needs_review).toBe(false);
		expect(item.review_reasons).toEqual([]);
		expect(item.validation?.['eid.dob'].valid).toBe(false);
		expect(item.confidence['eid.dob']).toBe(0.1);
		expect(item.fields['eid.dob']).toBe('31/02/2024');
		expect(item.original).toEqual({});
	});

	it('reads a threshold above 1 as a percentage', () => {
		const data = { documents: [doc({ ocr_data: [{ name: 'eid', value: [field('name', 'A', 0.55)] }] })] };
		expect(toDocumentItems(data, { ...off, reviewThreshold: 60 })[0].review_reasons).toEqual(['confidence of eid.name is 0.55, below 0.6']);
		expect(toDocumentItems(data, { ...off, reviewThreshold: 50 })[0].needs_review).toBe(false);
	});

	it('marks a document without content as empty and keeps schema under extra', () => {
		const data = { documents: [doc({ document_type: 'GET_TABLE', ocr_data: null, schema: { table: [] } })] };
		const [item] = toDocumentItems(data, all);
		expect(item.empty).toBe(true);
		expect(item.fields).toEqual({});
		expect(item.extra).toEqual({ schema: { table: [] } });
		expect(item.needs_review).toBe(true);
		expect(item.review_reasons).toEqual(['no OCR content (ocr_data is null)']);
		const terminal = toDocumentItems(shapes.result_terminal_but_empty_200.data, all)[0];
		expect(terminal.review_reasons).toEqual(['no OCR content (ocr_data is empty)']);
		expect(terminal.request_id).toBeNull();
	});

	it('finds the document id under id or doc_id, and leaves it null when absent', () => {
		const ids = toDocumentItems({ documents: [{ id: 'a' }, { doc_id: 7 }, { name: 'x' }, 'junk', null] }, off).map((item) => item.document_id);
		expect(ids).toEqual(['a', '7', null]);
	});

	it('checks an invoice: amount words against the total, a wrong MST', () => {
		const data = {
			documents: [
				doc({
					document_type: 'INVOICE',
					ocr_data: [
						{ name: 'seller', value: [field('tax_code', '0100109106', 0.99), field('name', 'Tổng Công ty Viettel', 0.97)] },
						{ name: 'buyer', value: [field('tax_code', '0100109107', 0.99), field('name', 'Công ty TNHH ABC', 0.97)] },
						{
							name: 'summary',
							value: [
								field('total_amount', '4.610.000', 0.93),
								field('amount_in_words', 'Bốn triệu sáu trăm mười nghìn đồng chẵn', 0.9),
								field('issued_date', '15/03/2024', 0.95),
							],
						},
					],
				}),
			],
		};
		const [item] = toDocumentItems(data, all);
		expect(item.fields).toEqual({
			'seller.tax_code': '0100109106',
			'seller.name': 'Tổng Công ty Viettel',
			'buyer.tax_code': '0100109107',
			'buyer.name': 'Công ty TNHH ABC',
			'summary.total_amount': 4610000,
			'summary.amount_in_words': 'Bốn triệu sáu trăm mười nghìn đồng chẵn',
			'summary.issued_date': '2024-03-15',
		});
		expect(item.original).toEqual({ 'summary.total_amount': '4.610.000', 'summary.issued_date': '15/03/2024' });
		expect(item.validation?.['summary.amount_in_words']).toMatchObject({ valid: true, check: 'amount_in_words' });
		expect(item.review_reasons).toEqual(['buyer.tax_code failed the tax_code check: check digit is 7, but the first nine digits call for 6']);
	});

	it('flags amount words that do not match the figures', () => {
		const data = {
			documents: [doc({ ocr_data: [{ name: 'inv', value: [field('tong_tien', '4.610.000 đ', 0.9), field('so_tien_bang_chu', 'Bốn triệu sáu trăm nghìn đồng', 0.9)] }] })],
		};
		const [item] = toDocumentItems(data, all);
		expect(item.review_reasons).toEqual(['inv.so_tien_bang_chu failed the amount_in_words check: the words say 4600000, but inv.tong_tien is 4.610.000 đ']);
	});
});

describe('flattenOcrData', () => {
	it('gives a repeated name " (2)", and never lets keys collide', () => {
		const out = flattenOcrData([
			{ name: 'eid', value: [field('name', 'A', 0.9), field('name', 'B', 0.8)] },
			{ name: 'eid', value: [field('name', 'C', 0.7)] },
			{ name: 'eid.name (2)', value: 'D' },
		]);
		expect(out.fields).toEqual({ 'eid.name': 'A', 'eid.name (2)': 'B', 'eid.name (3)': 'C', 'eid.name (2) (2)': 'D' });
		expect(out.confidence).toEqual({ 'eid.name': 0.9, 'eid.name (2)': 0.8, 'eid.name (3)': 0.7 });
	});

	it('chains nested groups, numbers rows of a list of lists, keeps scalars', () => {
		const out = flattenOcrData([
			{ name: 'seller', value: [{ name: 'bank', value: [field('name', 'VCB', 0.9)] }] },
			{ name: 'items', value: [[field('product', 'Gạo'), field('quantity', '2')], [field('product', 'Muối'), field('quantity', '1')]] },
			{ name: 'total', value: '4.610.000', extracted_prob: 0.8 },
			{ name: 'notes', value: ['x', 'y'] },
			{ name: 'one', value: { extracted_value: 'z', extracted_prob: 0.5 } },
			{ value: [field('loose', 'L')] },
			{ name: 'nothing', value: null },
			{ name: 'g', value: [{ extracted_value: 'no name' }] },
		]);
		expect(out.fields).toEqual({
			'seller.bank.name': 'VCB',
			'items.1.product': 'Gạo',
			'items.1.quantity': '2',
			'items.2.product': 'Muối',
			'items.2.quantity': '1',
			total: '4.610.000',
			'notes.1': 'x',
			'notes.2': 'y',
			one: 'z',
			loose: 'L',
			'g.1': 'no name',
		});
		expect(out.confidence).toEqual({ 'seller.bank.name': 0.9, total: 0.8, one: 0.5 });
	});

	it('keeps number values, turns null into "" and objects into JSON', () => {
		const out = flattenOcrData([{ name: 'g', value: [field('n', 5), field('e', null), field('o', { a: 1 })] }]);
		expect(out.fields).toEqual({ 'g.n': 5, 'g.e': '', 'g.o': '{"a":1}' });
		expect(flattenOcrData(null).fields).toEqual({});
		expect(flattenOcrData('nonsense').fields).toEqual({});
	});

	it('reads confidence as 0–1, percentages above 1, and ignores nonsense', () => {
		expect([toProbability(0.41), toProbability(97), toProbability('0.5'), toProbability(-1), toProbability(150), toProbability('x')]).toEqual([
			0.41,
			0.97,
			0.5,
			undefined,
			undefined,
			undefined,
		]);
	});
});

describe('checks', () => {
	const invoice = (total: string) => ({
		request_id: 'r-1',
		documents: [
			doc({
				document_type: 'INVOICE',
				ocr_data: [
					{
						name: 'invoice',
						value: [
							field('invoice_date', '15/03/2024', 0.96),
							field('total_before_vat', '570.000', 0.95),
							field('vat_rate', '10%', 0.97),
							field('vat_amount', '57.000', 0.95),
							field('total_amount', total, 0.96),
						],
					},
				],
			}),
		],
	});

	it('lists the checks of fields alone and against each other; validation keeps one check per field', () => {
		const [item] = toDocumentItems(invoice('627.000'), { ...all, now: Date.parse('2025-01-01') });
		expect(item.validation).toEqual({ 'invoice.invoice_date': { check: 'date', valid: true, reason: '2024-03-15 exists' } });
		expect(item.checks?.map((check) => [check.code, check.valid])).toEqual([
			['date', true],
			['invoice_total', true],
			['invoice_vat', true],
			['invoice_date_not_future', true],
		]);
		expect(item.checks?.[0]).toEqual({ code: 'date', valid: true, fields: ['invoice.invoice_date'], expected: null, found: '15/03/2024', reason: '2024-03-15 exists' });
		expect(item.needs_review).toBe(false);
	});

	it('a failed cross-field check goes to review with a reason naming the fields and the numbers', () => {
		const [item] = toDocumentItems(invoice('672.000'), { ...all, now: Date.parse('2025-01-01') });
		expect(item.needs_review).toBe(true);
		expect(item.review_reasons).toEqual([
			'invoice.total_before_vat, invoice.vat_amount, invoice.total_amount failed the invoice_total check: invoice.total_before_vat 570.000 + invoice.vat_amount 57.000 = 627.000, but invoice.total_amount is 672.000 (off by 45.000)',
		]);
		expect(item.checks?.filter((check) => !check.valid).map((check) => check.code)).toEqual(['invoice_total']);
	});

	it('the clock decides what is in the future: now by default, the given one in tests', () => {
		const [past] = toDocumentItems(invoice('627.000'), { ...all, now: Date.parse('2024-03-14T12:00:00Z') });
		expect(past.review_reasons).toEqual([expect.stringMatching(/^invoice\.invoice_date failed the invoice_date_not_future check: invoice\.invoice_date 2024-03-15 is in the future \(today is 2024-03-14\)$/)]);
		expect(toDocumentItems(invoice('627.000'), all)[0].needs_review).toBe(false);
	});

	it('no checks without Validate Fields; the sides of one card still name each other', () => {
		const front = doc({ document_id: 'f', ocr_data: [{ name: 'eid', value: [field('id_number', '079303009457'), field('dob', '03/09/2003')] }] });
		const back = doc({ document_id: 'b', ocr_data: [{ name: 'eid', value: [field('date_of_issue', '15/08/2021')] }] });
		const items = toDocumentItems({ documents: [front, back] }, off);
		expect(items.map((item) => [item.paired_document_id, item.checks, item.validation])).toEqual([
			['b', undefined, undefined],
			['f', undefined, undefined],
		]);
		expect(toDocumentItems({ documents: [front] }, all)[0]).not.toHaveProperty('paired_document_id');
	});
});
