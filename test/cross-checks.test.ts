import type { INodeExecutionData } from 'n8n-workflow';

import { birthdayAt, crossChecks, expectedExpiry, readVatRate, requestChecks, tableChecks, type Check, type DocumentFields } from '../nodes/GreenNodeOcr/helpers/crossChecks';
import { applyTableChecks, toDocumentItems, type DocumentItem } from '../nodes/GreenNodeOcr/helpers/documents';
import { FAST, jpegItem, ocr, pdfItem, run, useEmulator } from './support';

/** Fields checked against each other: invoice arithmetic, ID card dates, front and back of one card. */

const NOW = Date.parse('2025-06-01T03:00:00Z');
const doc = (fields: Record<string, string | number>, documentType: string | null = 'INVOICE', documentId = 'doc-1'): DocumentFields => ({ documentId, documentType, fields });
const checksOf = (fields: Record<string, string | number>, documentType?: string | null) => crossChecks(doc(fields, documentType), { now: NOW });
const find = (checks: Check[], code: string) => checks.filter((check) => check.code === code);
const one = (checks: Check[], code: string) => {
	const found = find(checks, code);
	expect(found).toHaveLength(1);
	return found[0];
};

describe('invoice arithmetic', () => {
	it('the emulator\'s invoice adds up: total, VAT 10% rounded, date, two tax codes', () => {
		const checks = checksOf({
			'invoice.invoice_date': '15/03/2024',
			'invoice.seller_tax_code': '0312345673',
			'invoice.buyer_tax_code': '0301234562-001',
			'invoice.total_before_vat': '4.190.909',
			'invoice.vat_rate': '10%',
			'invoice.vat_amount': '419.091',
			'invoice.total_amount': '4.610.000',
		});
		expect(checks.map((check) => [check.code, check.valid])).toEqual([
			['invoice_total', true],
			['invoice_vat', true],
			['invoice_date_not_future', true],
			['invoice_tax_codes_differ', true],
		]);
		expect(one(checks, 'invoice_vat')).toEqual({
			code: 'invoice_vat',
			valid: true,
			fields: ['invoice.total_before_vat', 'invoice.vat_rate', 'invoice.vat_amount'],
			expected: 419091,
			found: 419091,
			reason: '10% of invoice.total_before_vat 4.190.909 is 419.091 (419.090,9 rounded), and invoice.vat_amount is 419.091',
		});
	});

	it('a total of 672.000 where 570.000 + 57.000 make 627.000 fails, naming the fields and the numbers', () => {
		const total = one(checksOf({ tong_tien_truoc_thue: '570.000', thue_suat: '10%', tien_thue: '57.000', tong_tien_thanh_toan: '672.000' }), 'invoice_total');
		expect(total).toEqual({
			code: 'invoice_total',
			valid: false,
			fields: ['tong_tien_truoc_thue', 'tien_thue', 'tong_tien_thanh_toan'],
			expected: 627000,
			found: 672000,
			reason: 'tong_tien_truoc_thue 570.000 + tien_thue 57.000 = 627.000, but tong_tien_thanh_toan is 672.000 (off by 45.000)',
		});
	});

	it('recognises the English and Vietnamese names, with or without a group, and numbers already normalised', () => {
		const cases: Array<Record<string, string | number>> = [
			{ subtotal: 1_000_000, tax_rate: '8%', tax_amount: 80_000, total: 1_080_000 },
			{ 'summary.amount_before_tax': '1.000.000', 'summary.vat_rate': '8 %', 'summary.vat_amount': '80.000', 'summary.tong_cong': '1.080.000' },
			{ 'hd.tien_hang': '1.000.000', 'hd.thue_suat': '8', 'hd.tien_thue': '80.000 đ', 'hd.total_amount': '1.080.000 VNĐ' },
			{ 'Tổng tiền trước thuế': '1.000.000', 'Thuế suất': '0,08', 'Tiền thuế': '80.000', 'Tổng tiền thanh toán': '1.080.000' },
		];
		for (const fields of cases) {
			const checks = checksOf(fields, null);
			expect([one(checks, 'invoice_total').valid, one(checks, 'invoice_vat').valid]).toEqual([true, true]);
		}
	});

	it('8% reduced VAT: 8% of 4.190.909 is 335.272,72, rounded to 335.273; 10% there says which rate it is', () => {
		const fields = { total_before_vat: '4.190.909', vat_rate: '8%', vat_amount: '335.273', total_amount: '4.526.182' };
		expect(checksOf(fields).every((check) => check.valid)).toBe(true);
		const wrong = one(checksOf({ ...fields, vat_amount: '419.091', total_amount: '4.610.000' }), 'invoice_vat');
		expect(wrong).toMatchObject({ valid: false, expected: 335273, found: 419091 });
		expect(wrong.reason).toBe(
			'8% of total_before_vat 4.190.909 is 335.273 (335.272,72 rounded), but vat_amount is 419.091 (off by 83.818; that is 10% of total_before_vat)',
		);
	});

	it('VAT rounded on each line or on the total: 1 đồng per VAT line is allowed, more is not', () => {
		// three lines of 10.005 at 10%: 1.001 each (3.003), or 3.001,5 → 3.002 on the total
		const perLine = { total_before_vat: '30.015', vat_rate: '10%', vat_amount: '3.003', total_amount: '33.018' };
		expect(checksOf(perLine).map((check) => check.valid)).toEqual([true, true]);
		expect(one(checksOf(perLine), 'invoice_vat').reason).toMatch(/within 1 đồng/);
		const onTotal = { ...perLine, vat_amount: '3.002', total_amount: '33.017' };
		expect(checksOf(onTotal).map((check) => check.valid)).toEqual([true, true]);
		expect(one(checksOf({ ...perLine, vat_amount: '3.005', total_amount: '33.020' }), 'invoice_vat').valid).toBe(false);
		// two VAT lines (5% and 10%): the total may be off by one đồng on each
		const twoRates = { tien_hang: '300.010', vat_amount: '10.001', 'vat_amount (2)': '10.000', total_amount: '320.013' };
		expect(one(checksOf(twoRates), 'invoice_total')).toMatchObject({ valid: true, expected: 320011, found: 320013 });
		expect(one(checksOf({ ...twoRates, total_amount: '320.014' }), 'invoice_total').valid).toBe(false);
		expect(find(checksOf(twoRates), 'invoice_vat')).toEqual([]);
	});

	it('KCT and KKKNT mean no VAT: the total is the amount before VAT, a VAT amount must be 0', () => {
		expect(checksOf({ total_before_vat: '2.500.000', vat_rate: 'KCT', total_amount: '2.500.000' }).map((check) => [check.code, check.valid])).toEqual([['invoice_total', true]]);
		expect(one(checksOf({ total_before_vat: '2.500.000', vat_rate: 'KCT', total_amount: '2.750.000' }), 'invoice_total').valid).toBe(false);
		const kkknt = checksOf({ total_before_vat: '2.500.000', thue_suat: 'KKKNT', tien_thue: '0', total_amount: '2.500.000' });
		expect(kkknt.map((check) => check.valid)).toEqual([true, true]);
		const taxed = one(checksOf({ total_before_vat: '2.500.000', vat_rate: 'Không chịu thuế', vat_amount: '250.000', total_amount: '2.750.000' }), 'invoice_vat');
		expect(taxed).toMatchObject({ valid: false, expected: 0, found: 250000, reason: 'vat_rate KCT means no VAT, but vat_amount is 250.000' });
		expect(one(checksOf({ total_before_vat: '100', vat_rate: 'KCT', vat_amount: '\\', total_amount: '100' }), 'invoice_vat').valid).toBe(true);
	});

	it('a rate that is not a VAT rate fails; rates are read from the forms invoices print', () => {
		const odd = one(checksOf({ total_before_vat: '1.000.000', vat_rate: '18%', vat_amount: '180.000' }), 'invoice_vat');
		expect(odd.valid).toBe(false);
		expect(odd.reason).toMatch(/18% is not a VAT rate \(0%, 5%, 8%, 10%, KCT or KKKNT\)/);
		expect([readVatRate('10%'), readVatRate('Thuế suất: 5 %'), readVatRate(0.08), readVatRate('0%'), readVatRate('KKKNT'), readVatRate('x')]).toEqual([
			{ percent: 10 },
			{ percent: 5 },
			{ percent: 8 },
			{ percent: 0 },
			{ none: 'KKKNT' },
			undefined,
		]);
	});

	it('an invoice date after today in Vietnam fails; today in Vietnam is already tomorrow in UTC at 18:00', () => {
		const late = Date.parse('2025-03-14T18:00:00Z'); // 01:00 on 15 March in Hà Nội
		const check = (date: string, now: number) => one(crossChecks(doc({ 'invoice.invoice_date': date }), { now }), 'invoice_date_not_future');
		expect(check('15/03/2025', late)).toMatchObject({ valid: true, expected: '2025-03-15 or earlier', found: '2025-03-15' });
		expect(check('16/03/2025', late)).toMatchObject({ valid: false, reason: 'invoice.invoice_date 2025-03-16 is in the future (today is 2025-03-15)' });
		expect(one(checksOf({ 'summary.issued_date': '2026-01-02' }), 'invoice_date_not_future').valid).toBe(false);
		expect(find(checksOf({ 'summary.issued_date': '2026-01-02' }, 'CONTRACT'), 'invoice_date_not_future')).toEqual([]);
	});

	it('seller and buyer with the same tax code fail', () => {
		const same = one(checksOf({ 'seller.tax_code': '0312345673', 'buyer.tax_code': '0312 345 673' }), 'invoice_tax_codes_differ');
		expect(same).toMatchObject({ valid: false, fields: ['seller.tax_code', 'buyer.tax_code'], found: '0312345673' });
		expect(same.reason).toBe('seller.tax_code and buyer.tax_code are both 0312345673: one was probably read from the other party\'s line');
		expect(one(checksOf({ mst_nguoi_ban: '0312345673', mst_nguoi_mua: '0312345673-001' }), 'invoice_tax_codes_differ').valid).toBe(true);
	});

	it('checks nothing it cannot read: an ambiguous amount, a missing figure, several totals', () => {
		expect(checksOf({ total_before_vat: '1,000', vat_rate: '10%', vat_amount: '100', total_amount: '1.100' })).toEqual([]);
		expect(checksOf({ total_before_vat: '1.000', total_amount: '1.100' })).toEqual([]);
		expect(find(checksOf({ total_before_vat: '1.000', vat_amount: '100', total_amount: '1.100', 'total_amount (2)': '1.100' }), 'invoice_total')).toEqual([]);
		expect(checksOf({ amount_in_words: 'Một nghìn đồng', total_quantity: '12' })).toEqual([]);
	});
});

describe('item tables (Include → Tables)', () => {
	const fields = { 'invoice.total_before_vat': '1.530.000', 'invoice.vat_rate': '10%', 'invoice.vat_amount': '153.000', 'invoice.total_amount': '1.683.000' };
	const row = (n: number, values: Record<string, string | number>) => ({ table: 1, page: 1, row: n, ...values });
	const rows = [
		row(1, { STT: 1, 'Tên hàng hóa, dịch vụ': 'Gạo ST25 túi 5kg', 'Số lượng': 5, 'Đơn giá': 180000, 'Thành tiền': 900000 }),
		row(2, { STT: 2, 'Tên hàng hóa, dịch vụ': 'Nước mắm Phú Quốc 500ml', 'Số lượng': 12, 'Đơn giá': 55000, 'Thành tiền': 660000 }),
		row(3, { STT: 3, 'Tên hàng hóa, dịch vụ': 'Chiết khấu thương mại', 'Số lượng': '', 'Đơn giá': '', 'Thành tiền': '30.000' }),
		row(4, { STT: '', 'Tên hàng hóa, dịch vụ': 'Cộng tiền hàng', 'Số lượng': '', 'Đơn giá': '', 'Thành tiền': '1.530.000' }),
	];

	it('each line: quantity × unit price = amount; the lines, a discount negative and the total row left out, add up', () => {
		const { checks, lines } = tableChecks(doc(fields), rows);
		expect(lines).toBe(3);
		expect(checks).toEqual([
			{
				code: 'invoice_line_amount',
				valid: true,
				fields: ['tables.Số lượng', 'tables.Đơn giá', 'tables.Thành tiền'],
				expected: null,
				found: null,
				reason: 'on each of the 2 lines, Số lượng × Đơn giá = Thành tiền',
			},
			{
				code: 'invoice_lines_sum',
				valid: true,
				fields: ['tables.Thành tiền', 'invoice.total_before_vat'],
				expected: 1530000,
				found: 1530000,
				reason: 'the 3 line amounts (Thành tiền; 1 discount line counted negative) add up to 1.530.000, equal to invoice.total_before_vat 1.530.000',
			},
		]);
	});

	it('a line that does not add up and a sum that does not match fail, naming the cells', () => {
		const misread = rows.map((r) => (r.row === 2 ? { ...r, 'Thành tiền': '606.000' } : r));
		const { checks } = tableChecks(doc(fields), misread);
		expect(checks).toEqual([
			{
				code: 'invoice_line_amount',
				valid: false,
				fields: ['tables.1.2.Số lượng', 'tables.1.2.Đơn giá', 'tables.1.2.Thành tiền'],
				expected: 660000,
				found: 606000,
				reason: 'table 1, row 2: Số lượng 12 × Đơn giá 55.000 = 660.000, but Thành tiền is 606.000',
			},
			expect.objectContaining({ code: 'invoice_lines_sum', valid: false, expected: 1530000, found: 1476000 }),
		]);
		expect(checks[1].reason).toMatch(/add up to 1\.476\.000, but invoice\.total_before_vat is 1\.530\.000 \(off by 54\.000\)$/);
	});

	it('a unit price shown rounded may be off by half a đồng on each unit; a negative discount line counts as printed', () => {
		const priced = [
			row(1, { 'Diễn giải': 'Phí dịch vụ', 'SL': 100, 'Đơn giá': 90909, 'Thành tiền': 9090909 }),
			row(2, { 'Diễn giải': 'Giảm giá', 'SL': 1, 'Đơn giá': -90909, 'Thành tiền': -90909 }),
		];
		const { checks } = tableChecks(doc({ subtotal: '9.000.000' }), priced);
		expect(checks.map((check) => [check.code, check.valid])).toEqual([['invoice_line_amount', true], ['invoice_lines_sum', true]]);
		expect(tableChecks(doc({}), [row(1, { 'Diễn giải': 'x', 'SL': 100, 'Đơn giá': 90909, 'Thành tiền': 9091909 })]).checks[0].valid).toBe(false);
	});

	it('a table without a line amount, or with only codes beside it, is not an item table', () => {
		expect(tableChecks(doc(fields), [row(1, { STT: 1, 'Tên hàng': 'Gạo', 'Số lượng': 10, 'Đơn giá': 180000 })])).toEqual({ checks: [], lines: 0 });
		expect(tableChecks(doc(fields), [row(1, { Mã: 'NCC-01', 'Column 2': 'Gạo', 'Mã (2)': 'ST25', 'Thành tiền': 1800000 })])).toEqual({ checks: [], lines: 0 });
	});

	it('with the lines known, VAT rounded on each of them is no longer a failure, and review follows', () => {
		// five lines of 10.005 at 10%: 1.001 each is 5.005; on the total 5.002,5 → 5.003
		const data = {
			documents: [
				{ document_id: 'd', document_type: 'INVOICE', ocr_data: [{ name: 'invoice', value: [
					{ name: 'total_before_vat', extracted_value: '50.025', extracted_prob: 0.99 },
					{ name: 'vat_rate', extracted_value: '10%', extracted_prob: 0.99 },
					{ name: 'vat_amount', extracted_value: '5.005', extracted_prob: 0.99 },
					{ name: 'total_amount', extracted_value: '55.030', extracted_prob: 0.99 },
				] }] },
			],
		};
		const options = { normalize: true, validate: true, reviewThreshold: 0.5, now: NOW };
		const [item] = toDocumentItems(data, options) as Array<DocumentItem & { tables?: unknown }>;
		expect(item.needs_review).toBe(true);
		expect(item.review_reasons).toEqual([expect.stringMatching(/^invoice\.total_before_vat, invoice\.vat_rate, invoice\.vat_amount failed the invoice_vat check: 10% of invoice\.total_before_vat 50\.025 is 5\.003/)]);
		item.tables = [1, 2, 3, 4, 5].map((n) => row(n, { 'Tên hàng': `Hàng ${n}`, 'Số lượng': 1, 'Đơn giá': 10005, 'Thành tiền': 10005 }));
		applyTableChecks(item, options);
		expect(one(item.checks ?? [], 'invoice_vat')).toMatchObject({ valid: true, reason: expect.stringMatching(/within 5 đồng: VAT rounded on 5 lines/) });
		expect(item.checks?.map((check) => check.code).slice(-2)).toEqual(['invoice_line_amount', 'invoice_lines_sum']);
		expect(item.review_reasons).toEqual([]);
		expect(item.needs_review).toBe(false);
	});
});

describe('ID card dates', () => {
	const card = (fields: Record<string, string>, documentType = 'ID') => crossChecks(doc(Object.fromEntries(Object.entries(fields).map(([k, v]) => [`eid.${k}`, v])), documentType), { now: NOW });

	it('the expiry falls on the birthday at 25, 40 or 60, by the age at issue (Luật CCCD 2014)', () => {
		const ok = one(card({ dob: '03/09/2003', date_of_issue: '15/08/2021', date_of_expiry: '03/09/2028' }), 'id_expiry_milestone');
		expect(ok).toMatchObject({ valid: true, expected: '2028-09-03', found: '2028-09-03', fields: ['eid.dob', 'eid.date_of_issue', 'eid.date_of_expiry'] });
		expect(ok.reason).toBe('eid.date_of_issue 2021-08-15: issued at 17 (Luật CCCD 2014), valid until the 25th birthday 2028-09-03, as eid.date_of_expiry says');
		const off = one(card({ dob: '03/09/2003', date_of_issue: '15/08/2021', date_of_expiry: '15/08/2036' }), 'id_expiry_milestone');
		expect(off).toMatchObject({ valid: false, expected: '2028-09-03', found: '2036-08-15' });
		expect(off.reason).toMatch(/but eid\.date_of_expiry is 2036-08-15$/);
	});

	it('a card issued within two years before a milestone is valid until the next one', () => {
		// born 20/11/1998, issued at 23 on 05/03/2022: not until 25 (2023), but until 40
		const renewed = { dob: '20/11/1998', date_of_issue: '05/03/2022' };
		const ok = one(card({ ...renewed, date_of_expiry: '20/11/2038' }), 'id_expiry_milestone');
		expect(ok).toMatchObject({ valid: true, expected: '2038-11-20' });
		expect(ok.reason).toMatch(/issued at 23 \(Luật CCCD 2014\), within two years before 25, valid until the 40th birthday 2038-11-20/);
		expect(one(card({ ...renewed, date_of_expiry: '20/11/2023' }), 'id_expiry_milestone')).toMatchObject({ valid: false, expected: '2038-11-20', found: '2023-11-20' });
		// two years and a day before 25: still until 25
		expect(expectedExpiry({ iso: '1998-11-20', year: 1998, month: 11, day: 20 }, '2021-11-19').age).toBe(25);
		expect(expectedExpiry({ iso: '1998-11-20', year: 1998, month: 11, day: 20 }, '2021-11-20')).toMatchObject({ age: 40, renewedEarly: 25 });
	});

	it('no expiry only when issued at 58 or later; without the issue date, only when the holder is 58 by now', () => {
		const elder = { dob: '12/05/1962', date_of_expiry: 'Không thời hạn' };
		expect(one(card({ ...elder, date_of_issue: '10/07/2021' }), 'id_expiry_milestone')).toMatchObject({ valid: true, expected: 'no expiry', found: 'Không thời hạn' });
		const early = one(card({ ...elder, date_of_issue: '20/03/2018' }), 'id_expiry_milestone');
		expect(early).toMatchObject({ valid: false, expected: '2022-05-12' });
		expect(early.reason).toMatch(/issued at 55 .* valid until the 60th birthday 2022-05-12, but eid\.date_of_expiry says "Không thời hạn"/);
		expect(one(card({ ...elder, date_of_issue: '10/07/2021', date_of_expiry: '12/05/2022' }), 'id_expiry_milestone')).toMatchObject({ valid: false, expected: 'no expiry' });
		expect(one(card(elder), 'id_expiry_milestone').valid).toBe(true);
		expect(one(card({ dob: '03/09/2003', date_of_expiry: 'KHÔNG THỜI HẠN' }), 'id_expiry_milestone')).toMatchObject({ valid: false, found: 'KHÔNG THỜI HẠN' });
	});

	it('Luật Căn cước 2023 (cards issued from 1 July 2024) adds 14', () => {
		expect(one(card({ dob: '10/01/2014', date_of_issue: '01/08/2024', date_of_expiry: '10/01/2028' }), 'id_expiry_milestone')).toMatchObject({ valid: true, expected: '2028-01-10' });
		// issued at 12, within two years before 14: until 25
		expect(one(card({ dob: '10/01/2012', date_of_issue: '01/08/2024', date_of_expiry: '10/01/2026' }), 'id_expiry_milestone')).toMatchObject({ valid: false, expected: '2037-01-10' });
		// the same card under the 2014 law (issued before 1 July 2024) runs to 25
		expect(one(card({ dob: '10/01/2012', date_of_issue: '01/06/2024', date_of_expiry: '10/01/2037' }), 'id_expiry_milestone').valid).toBe(true);
		// without the issue date, 14 only when that birthday is under the 2023 law
		expect(one(card({ dob: '10/01/2014', date_of_expiry: '10/01/2028' }), 'id_expiry_milestone').valid).toBe(true);
		expect(one(card({ dob: '10/01/2005', date_of_expiry: '10/01/2019' }), 'id_expiry_milestone').valid).toBe(false);
	});

	it('a birthday on 29 February: 28 February in a year without one (1 March accepted), 29 February in a leap year', () => {
		const leapling = { dob: '29/02/2000', date_of_issue: '10/05/2016' };
		expect(birthdayAt({ year: 2000, month: 2, day: 29 }, 25)).toEqual({ iso: '2025-02-28', alt: '2025-03-01' });
		expect(birthdayAt({ year: 2000, month: 2, day: 29 }, 40)).toEqual({ iso: '2040-02-29' });
		expect(one(card({ ...leapling, date_of_expiry: '28/02/2025' }), 'id_expiry_milestone')).toMatchObject({ valid: true, expected: '2025-02-28' });
		expect(one(card({ ...leapling, date_of_expiry: '01/03/2025' }), 'id_expiry_milestone').valid).toBe(true);
		expect(one(card({ ...leapling, date_of_expiry: '02/03/2025' }), 'id_expiry_milestone').valid).toBe(false);
		expect(one(card({ dob: '29/02/2000', date_of_expiry: '29/02/2040' }), 'id_expiry_milestone').valid).toBe(true);
		expect(find(card({ ...leapling, date_of_expiry: '29/02/2025' }), 'id_expiry_milestone')).toEqual([]); // not a date: the date check says so
	});

	it('the issue date is after the birth, not in the future, and before the expiry', () => {
		const checks = card({ dob: '03/09/2003', date_of_issue: '15/08/2021', date_of_expiry: '03/09/2028' });
		expect(['id_issue_after_birth', 'id_issue_not_future', 'id_issue_before_expiry'].map((code) => one(checks, code).valid)).toEqual([true, true, true]);
		expect(one(card({ dob: '03/09/2003', date_of_issue: '15/08/2001' }), 'id_issue_after_birth')).toMatchObject({
			valid: false,
			reason: 'eid.date_of_issue 2001-08-15 is not after eid.dob 2003-09-03',
		});
		expect(one(card({ dob: '03/09/2003', date_of_issue: '15/08/2001', date_of_expiry: '03/09/2028' }), 'id_expiry_milestone')).toMatchObject({ valid: true, expected: expect.stringMatching(/^one of /) });
		expect(one(card({ date_of_issue: '02/06/2025' }), 'id_issue_not_future')).toMatchObject({ valid: false, expected: '2025-06-01 or earlier' });
		expect(one(card({ date_of_issue: '15/08/2021', date_of_expiry: '15/08/2020' }), 'id_issue_before_expiry').valid).toBe(false);
	});

	it('reads the names of other readers (doi, doe, ngay_cap, co_gia_tri_den), and leaves passports, licences and CMND alone', () => {
		const named = crossChecks(doc({ ngay_sinh: '03/09/2003', ngay_cap: '15/08/2021', co_gia_tri_den: '03/09/2028' }, 'CCCD'), { now: NOW });
		expect(one(named, 'id_expiry_milestone').valid).toBe(true);
		expect(one(crossChecks(doc({ date_of_birth: '03/09/2003', doi: '15/08/2021', doe: '03/09/2029' }, 'CAN_CUOC'), { now: NOW }), 'id_expiry_milestone').valid).toBe(false);
		expect(one(crossChecks(doc({ id_number: '079303009457', dob: '03/09/2003', valid_date: '03/09/2029' }, null), { now: NOW }), 'id_expiry_milestone').valid).toBe(false);
		expect(card({ dob: '03/09/2003', date_of_expiry: '01/01/2030' }, 'PASSPORT')).toEqual([]);
		expect(card({ dob: '03/09/2003', date_of_expiry: '01/01/2030' }, 'DRIVER_LICENSE')).toEqual([]);
		expect(find(card({ id_number: '025123456', dob: '03/09/1990', date_of_expiry: '01/01/2030' }), 'id_expiry_milestone')).toEqual([]);
	});
});

describe('front and back of one card in one request', () => {
	const front = (id: string, number: string, dob: string, expiry: string) =>
		doc({ 'eid.id_number': number, 'eid.name': 'X', 'eid.dob': dob, 'eid.sex': 'Nữ', 'eid.date_of_expiry': expiry }, 'ID', id);
	const back = (id: string, number: string, dob: string, expiry: string, issue: string) => {
		const documentNumber = number.slice(3);
		const digit = (text: string) => {
			let sum = 0;
			for (let i = 0; i < text.length; i++) sum += (text[i] === '<' ? 0 : Number(text[i])) * [7, 3, 1][i % 3];
			return String(sum % 10);
		};
		const yymmdd = (date: string) => `${date.slice(8, 10)}${date.slice(3, 5)}${date.slice(0, 2)}`;
		const line1 = `IDVNM${documentNumber}${digit(documentNumber)}${number}<<<`;
		const line2 = `${yymmdd(dob)}${digit(yymmdd(dob))}F${yymmdd(expiry)}${digit(yymmdd(expiry))}VNM<<<<<<<<<<<0`;
		return doc({ 'eid.date_of_issue': issue, 'eid.mrz_line_1': line1, 'eid.mrz_line_2': line2 }, 'ID', id);
	};

	it('pairs them, and the checks that need both sides use both, listed on each side', () => {
		const { checks, pairs } = requestChecks(
			[front('doc-1', '079303009457', '03/09/2003', '03/09/2028'), back('doc-2', '079303009457', '03/09/2003', '03/09/2028', '15/08/2021')],
			{ now: NOW },
		);
		expect(pairs).toEqual([1, 0]);
		const [onFront, onBack] = checks.map((list) => one(list, 'id_expiry_milestone'));
		expect(onFront).toMatchObject({ valid: true, fields: ['eid.dob', 'eid.date_of_expiry'], paired_fields: ['eid.date_of_issue'], expected: '2028-09-03' });
		expect(onBack).toMatchObject({ valid: true, fields: ['eid.date_of_issue'], paired_fields: ['eid.dob', 'eid.date_of_expiry'] });
		expect(onFront.reason).toBe(onBack.reason);
		expect(onFront.reason).toMatch(/^eid\.date_of_issue \(doc-2\) 2021-08-15: issued at 17/);
		expect(one(checks[1], 'id_mrz')).toMatchObject({ valid: true, reason: 'the MRZ agrees with eid.id_number (doc-1), eid.dob (doc-1), eid.sex (doc-1), eid.date_of_expiry (doc-1)' });
		expect(find(checks[0], 'id_issue_not_future')).toEqual([]);
		expect(one(checks[1], 'id_issue_not_future').paired_fields).toBeUndefined();
	});

	it('a number the MRZ contradicts fails on both sides; fronts and backs in any order pair by the MRZ', () => {
		const [a, b] = [front('a', '079303009457', '03/09/2003', '03/09/2028'), front('b', '001185000123', '07/01/1985', '07/01/2025')];
		const backA = back('back-a', '079303009457', '03/09/2003', '03/09/2028', '15/08/2021');
		const backB = back('back-b', '001185000123', '07/01/1985', '07/01/2025', '01/02/2021');
		expect(requestChecks([a, b, backB, backA], { now: NOW }).pairs).toEqual([3, 2, 1, 0]);
		const misread = front('a', '079303009451', '03/09/2003', '03/09/2028');
		const { checks, pairs } = requestChecks([misread, backA], { now: NOW });
		expect(pairs).toEqual([1, 0]);
		for (const list of checks) {
			expect(one(list, 'id_mrz')).toMatchObject({
				valid: false,
				expected: '079303009457',
				found: '079303009451',
				reason: 'the MRZ number is 079303009457, but eid.id_number (a) says 079303009451',
			});
		}
	});

	it('two fronts, or a front and an invoice, are not paired', () => {
		expect(requestChecks([front('a', '079303009457', '03/09/2003', '03/09/2028'), front('b', '079303009457', '03/09/2003', '03/09/2028')], { now: NOW }).pairs).toEqual([-1, -1]);
		expect(requestChecks([front('a', '079303009457', '03/09/2003', '03/09/2028'), doc({ 'invoice.invoice_date': '15/03/2024' }, 'INVOICE', 'b')], { now: NOW }).pairs).toEqual([-1, -1]);
	});
});

const emu = useEmulator();
const outputsOf = (result: Awaited<ReturnType<typeof run>>): INodeExecutionData[][] => result.outputs['GreenNode OCR'] ?? [];
const codesFailed = (item: INodeExecutionData) => ((item.json.checks ?? []) as Check[]).filter((check) => !check.valid).map((check) => check.code);

describe('in a workflow', () => {
	it('invoices that do not add up go to Needs Review with the reason; the consistent one to Documents', async () => {
		const items = [jpegItem('invoice.jpg'), jpegItem('invoice-badtotal.jpg'), jpegItem('invoice-badvat.jpg')];
		const result = await run(emu.get(), [ocr({ operation: 'submit', docType: 'INVOICE', options: { ...FAST, reviewThreshold: 0.5 } })], items);
		expect(result.error).toBeUndefined();
		const [documents, review] = outputsOf(result);
		expect(documents.map((item) => item.pairedItem)).toEqual([{ item: 0 }]);
		expect(codesFailed(documents[0])).toEqual([]);
		expect((documents[0].json.checks as Check[]).map((check) => check.code)).toEqual(
			expect.arrayContaining(['tax_code', 'amount_in_words', 'invoice_total', 'invoice_vat', 'invoice_date_not_future', 'invoice_tax_codes_differ']),
		);
		expect(review.map((item) => item.pairedItem)).toEqual([{ item: 1 }, { item: 2 }]);
		expect(codesFailed(review[0])).toEqual(['amount_in_words', 'invoice_total']);
		expect(review[0].json.review_reasons).toContain(
			'invoice.total_before_vat, invoice.vat_amount, invoice.total_amount failed the invoice_total check: invoice.total_before_vat 4.190.909 + invoice.vat_amount 419.091 = 4.610.000, but invoice.total_amount is 4.601.000 (off by 9.000)',
		);
		expect(codesFailed(review[1])).toEqual(['invoice_vat']);
		expect((review[1].json.review_reasons as string[]).join(' ')).toMatch(/8% of invoice\.total_before_vat 4\.190\.909 is 335\.273/);
	});

	it('with Include → Tables, lines that do not add up go to Needs Review; lines that do stay', async () => {
		const result = await run(
			emu.get(),
			[ocr({ operation: 'submit', docType: 'INVOICE', options: { ...FAST, include: ['tables'], reviewThreshold: 0.5 } })],
			[pdfItem('invoice-twopage.pdf'), pdfItem('invoice-twopage-badlines.pdf')],
		);
		expect(result.error).toBeUndefined();
		const [documents, review] = outputsOf(result);
		expect(documents.map((item) => item.pairedItem)).toEqual([{ item: 0 }]);
		expect((documents[0].json.checks as Check[]).filter((check) => check.code.startsWith('invoice_line'))).toMatchObject([
			{ code: 'invoice_line_amount', valid: true },
			{ code: 'invoice_lines_sum', valid: true, expected: 4190909, found: 4190909 },
		]);
		expect(review.map((item) => item.pairedItem)).toEqual([{ item: 1 }]);
		expect(codesFailed(review[0])).toEqual(['invoice_line_amount', 'invoice_lines_sum']);
		expect(review[0].json.review_reasons).toEqual([
			'tables.1.2.Số lượng, tables.1.2.Đơn giá, tables.1.2.Thành tiền failed the invoice_line_amount check: table 1, row 2: Số lượng 12 × Đơn giá 45.000 = 540.000, but Thành tiền is 450.000',
			'tables.Thành tiền, invoice.total_before_vat failed the invoice_lines_sum check: the 7 line amounts (Thành tiền) add up to 4.100.909, but invoice.total_before_vat is 4.190.909 (off by 90.000)',
		]);
	});

	it('front and back of one card in one request name each other and are checked together', async () => {
		const result = await run(
			emu.get(),
			[ocr({ operation: 'submit', docType: 'ID', options: { ...FAST, reviewThreshold: 0.5 } })],
			[pdfItem('cccd.pdf'), pdfItem('cccd-offmilestone.pdf'), pdfItem('cccd-noexpiry-offmilestone.pdf'), jpegItem('cccd-front-noexpiry-offmilestone.jpg')],
		);
		expect(result.error).toBeUndefined();
		const [documents, review] = outputsOf(result);
		const pairing = (item: INodeExecutionData) => [item.pairedItem, item.json.document_id, item.json.paired_document_id];
		expect(documents.map(pairing)).toEqual([
			[{ item: 0 }, 'doc-1', 'doc-2'],
			[{ item: 0 }, 'doc-2', 'doc-1'],
			[{ item: 3 }, 'doc-1', undefined],
		]);
		for (const item of documents.slice(0, 2)) {
			expect((item.json.checks as Check[]).filter((check) => check.paired_fields).map((check) => check.code)).toEqual(
				expect.arrayContaining(['id_expiry_milestone', 'id_issue_after_birth', 'id_mrz']),
			);
		}
		// the card without expiry issued at 55 fails only when its back (the issue date) is read with its front
		expect(codesFailed(documents[2])).toEqual([]);
		expect(review.map(pairing)).toEqual([
			[{ item: 1 }, 'doc-1', 'doc-2'],
			[{ item: 1 }, 'doc-2', 'doc-1'],
			[{ item: 2 }, 'doc-1', 'doc-2'],
			[{ item: 2 }, 'doc-2', 'doc-1'],
		]);
		for (const item of review) expect(codesFailed(item)).toEqual(['id_expiry_milestone']);
		expect((review[0].json.review_reasons as string[])[0]).toBe(
			'eid.dob, eid.date_of_expiry failed the id_expiry_milestone check: eid.date_of_issue (doc-2) 2021-08-15: issued at 17 (Luật CCCD 2014), valid until the 25th birthday 2028-09-03, but eid.date_of_expiry (doc-1) is 2036-08-15',
		);
		expect((review[3].json.review_reasons as string[])[0]).toMatch(/^eid\.date_of_issue failed the id_expiry_milestone check: .*issued at 55/);
	});

	it('with review off, failed checks stay visible in checks and nothing is routed', async () => {
		const result = await run(emu.get(), [ocr({ operation: 'submit', docType: 'INVOICE', options: FAST })], [jpegItem('invoice-badtotal.jpg')]);
		expect(outputsOf(result)).toHaveLength(1);
		expect(result.items[0].json).toMatchObject({ needs_review: false, review_reasons: [] });
		expect(codesFailed(result.items[0])).toEqual(['amount_in_words', 'invoice_total']);
	});

	it('Validate Fields off: no checks, the sides still name each other', async () => {
		const result = await run(emu.get(), [ocr({ operation: 'submit', docType: 'ID', options: { ...FAST, validate: false } })], [pdfItem('cccd.pdf')]);
		expect(result.items.map((item) => [item.json.paired_document_id, item.json.checks])).toEqual([
			['doc-2', undefined],
			['doc-1', undefined],
		]);
	});
});
