/**
 * VAT invoice (doc_type `INVOICE`, group `invoice`). The figures add up: the seven lines of the
 * two-page table come to 4.190.909 before VAT, VAT at 10% is 419.091 (419.090,9 rounded), and the
 * total 4.610.000 is what the words say. Both tax codes are valid (check digit
 * 10 − (Σ dᵢ·wᵢ mod 11), weights 31 29 23 19 17 13 7 5 3); the buyer's is a branch code (10-3).
 * Under `mismatch` the seller's check digit is wrong and the words say 4.600.000. The figures that
 * do not add up: `badtotal` reads the total as 4.601.000 (the words still say 4.610.000), `badvat`
 * reads the rate as 8% (8% of 4.190.909 is 335.273, not 419.091), `badlines` reads line 2 of the
 * two-page table as 450.000 (12 × 45.000 is 540.000; the lines then add up to 4.100.909).
 */
import { buildTable, field, grid, type OcrField, type Table } from './base';

export const INVOICE_VALUES = {
	sellerTaxCode: '0312345673',
	buyerTaxCode: '0301234562-001',
	totalBeforeVat: '4.190.909',
	vatAmount: '419.091',
	totalAmount: '4.610.000',
	amountInWords: 'Bốn triệu sáu trăm mười nghìn đồng',
} as const;

export const MISMATCH_INVOICE_VALUES = {
	/** 0312345678: the first nine digits call for 3. */
	sellerTaxCode: '0312345678',
	/** 4.600.000 in words. */
	amountInWords: 'Bốn triệu sáu trăm nghìn đồng',
} as const;

/** What `badtotal`, `badvat` and `badlines` read instead. */
export const BAD_INVOICE_VALUES = {
	totalAmount: '4.601.000',
	vatRate: '8%',
	/** The amount of line 2 (12 × 45.000 = 540.000). */
	lineAmount: '450.000',
} as const;

/** Figures that do not add up, chosen by file-name words. */
export interface InvoiceFaults {
	badTotal?: boolean;
	badVat?: boolean;
	badLines?: boolean;
}

/** Confidences under the `blurry` file-name word (0.3–0.6); the other fields keep theirs. */
export const INVOICE_BLURRY: Readonly<Record<string, number>> = {
	invoice_date: 0.41,
	seller_tax_code: 0.47,
	total_amount: 0.55,
	amount_in_words: 0.33,
};

function totals(mismatch: boolean, faults: InvoiceFaults): OcrField[] {
	const v = INVOICE_VALUES;
	return [
		field('total_before_vat', v.totalBeforeVat, 0.95, [900, 1230, 1180, 1265]),
		field('vat_rate', faults.badVat ? BAD_INVOICE_VALUES.vatRate : '10%', 0.97, [420, 1270, 520, 1305]),
		field('vat_amount', v.vatAmount, 0.95, [900, 1270, 1180, 1305]),
		field('total_amount', faults.badTotal ? BAD_INVOICE_VALUES.totalAmount : v.totalAmount, 0.96, [900, 1330, 1180, 1370]),
		field('amount_in_words', mismatch ? MISMATCH_INVOICE_VALUES.amountInWords : v.amountInWords, 0.93, [60, 1380, 1180, 1420]),
	];
}

/**
 * The `invoice` fields of a page: page 1 has the whole invoice (header, parties, totals), a
 * later page only the totals it ends with.
 */
export function invoiceFields(page: number, mismatch: boolean, faults: InvoiceFaults = {}): OcrField[] {
	if (page !== 1) {
		return totals(mismatch, faults);
	}
	return [
		field('invoice_number', '0000123', 0.97, [980, 180, 1160, 220]),
		field('invoice_series', '1C24TDP', 0.96, [980, 130, 1160, 170]),
		field('invoice_date', '15/03/2024', 0.96, [480, 230, 760, 270]),
		field('seller_name', 'CÔNG TY TNHH THƯƠNG MẠI ĐẠI PHÁT', 0.95, [60, 300, 900, 345]),
		field('seller_tax_code', mismatch ? MISMATCH_INVOICE_VALUES.sellerTaxCode : INVOICE_VALUES.sellerTaxCode, 0.98, [60, 350, 420, 390]),
		field('seller_address', '45 Lê Lợi, Phường Bến Thành, Quận 1, TP. Hồ Chí Minh', 0.93, [60, 395, 1000, 435]),
		field('buyer_name', 'Nguyễn Văn Bình', 0.93, [60, 560, 640, 600]),
		field('buyer_company', 'CHI NHÁNH CÔNG TY CỔ PHẦN XÂY DỰNG MIỀN NAM TẠI BÌNH DƯƠNG', 0.92, [60, 605, 1150, 645]),
		field('buyer_tax_code', INVOICE_VALUES.buyerTaxCode, 0.97, [60, 650, 470, 690]),
		field('buyer_address', 'Số 8 Đại lộ Bình Dương, Phường Phú Hòa, TP. Thủ Dầu Một, Bình Dương', 0.91, [60, 695, 1150, 735]),
		field('payment_method', 'TM/CK', 0.96, [60, 740, 400, 775]),
		...totals(mismatch, faults),
	];
}

const HEADER = ['STT', 'Tên hàng', 'Số lượng', 'Đơn giá', 'Thành tiền'];

/** Lines of the two-page table: rows 1–4 on page 1, 5–7 on page 2; quantity × price = amount. */
export const INVOICE_LINES: ReadonlyArray<readonly [string, string, string, string]> = [
	['Gạo ST25 túi 5kg', '10', '180.000', '1.800.000'],
	['Nước mắm Phú Quốc 500ml', '12', '45.000', '540.000'],
	['Cà phê rang xay Buôn Ma Thuột 500g', '5', '150.000', '750.000'],
	['Dầu ăn đậu nành 1L', '6', '55.000', '330.000'],
	['Đường kính trắng 1kg', '10', '28.000', '280.000'],
	['Trà Thái Nguyên 200g', '4', '100.000', '400.000'],
	['Phí vận chuyển', '1', '90.909', '90.909'],
];

/**
 * One table running over two pages, as two table entries: the header row repeated on page 2,
 * the rows numbered on (under `badlines`, line 2 does not add up).
 */
export function twoPageInvoiceTables(faults: InvoiceFaults = {}): Table[] {
	const rows = INVOICE_LINES.map((line, i) => [String(i + 1), ...line]);
	if (faults.badLines) rows[1][4] = BAD_INVOICE_VALUES.lineAmount;
	const first = buildTable(1, [60, 800, 1180, 1200], 5, 5, grid([HEADER, ...rows.slice(0, 4)]));
	const second = buildTable(2, [60, 140, 1180, 460], 4, 5, grid([HEADER, ...rows.slice(4)]));
	return [first, second];
}
