/**
 * The emulator's realistic content, over real HTTP: the ID card front and back, the invoice and
 * its table over two pages, and the file-name words `blurry`, `rotated`, `mismatch`, `twopage`,
 * `badtotal`, `badvat`, `badlines`, `noexpiry` and `offmilestone`, and the GET_TABLE job that
 * finishes empty. The facts a validating client relies on (CCCD
 * structure, tax-code check digits, amount in words) are recomputed here, not read from the
 * emulator's code.
 */
import { Blob } from 'buffer';
import { FormData, request } from 'undici';

import { Emulator, startEmulator } from '../dev/emulator/server';

interface Field {
	name: string;
	extracted_value: string;
	extracted_prob: number;
	coordinates: number[];
}
interface Doc {
	document_id: string;
	document_type: string;
	page: number;
	is_correct_classification: boolean;
	ocr_data: Array<{ name: string; value: Field[] }> | null;
	[key: string]: unknown;
}
interface Result {
	status: string;
	progress: { total_doc: number; ignored: number; finished: number };
	documents: Doc[];
}
interface Cell {
	row: number;
	col: number;
	text: string;
}
interface TableEntry {
	page: number;
	n_rows: number;
	n_cols: number;
	cells: Cell[];
}

let emulator: Emulator;
beforeAll(async () => {
	emulator = await startEmulator({ enabledDocTypes: ['ID', 'INVOICE', 'GET_TABLE'] });
});
afterAll(async () => {
	await emulator.close();
});

const headers = () => ({ authorization: `Bearer ${emulator.apiKey}`, 'portal-user-id': emulator.portalUserId });

async function getJson<T>(apiPath: string): Promise<T> {
	const response = await request(`${emulator.apiUrl}${apiPath}`, { headers: headers() });
	expect(response.statusCode).toBe(200);
	return ((await response.body.json()) as { data: T }).data;
}

/** Uploads `fileName` (a PDF has two pages, an image one) and polls until the job is finished. */
async function ocr(docType: string, fileName: string): Promise<{ requestId: string; result: Result }> {
	const pdf = fileName.endsWith('.pdf');
	const form = new FormData();
	form.append('flow', 'single');
	form.append('doc_type', docType);
	form.append('file_type', pdf ? 'PDF' : 'IMAGE');
	const bytes = pdf ? Buffer.from('%PDF-1.4\n%%EOF\n') : Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 0xff, 0xd9]);
	form.append('file', new Blob([bytes], { type: pdf ? 'application/pdf' : 'image/jpeg' }), fileName);
	const response = await request(`${emulator.apiUrl}/ocr/ingest`, { method: 'POST', headers: headers(), body: form });
	expect(response.statusCode).toBe(201);
	const requestId = ((await response.body.json()) as { data: { request_id: string } }).data.request_id;
	for (let i = 0; i < 10; i++) {
		const result = await getJson<Result>(`/ocr/ingest/${requestId}`);
		if (result.progress.finished > 0) return { requestId, result };
	}
	throw new Error(`${fileName} did not finish`);
}

function fieldsOf(doc: Doc): Record<string, Field> {
	expect(doc.ocr_data).toHaveLength(1);
	return Object.fromEntries((doc.ocr_data ?? [])[0].value.map((f) => [f.name, f]));
}

const valueOf = (fields: Record<string, Field>, name: string) => fields[name]?.extracted_value;

/** dd/mm/yyyy of a day that exists. */
function realDate(text: string): { day: number; month: number; year: number } {
	const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text);
	expect(m).not.toBeNull();
	const [day, month, year] = [Number(m![1]), Number(m![2]), Number(m![3])];
	const date = new Date(Date.UTC(year, month - 1, day));
	expect([date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()]).toEqual([year, month, day]);
	return { day, month, year };
}

/** What the 12 digits of a CCCD number say: province, sex and full birth year (Circular 07/2016). */
function readCccd(id: string): { province: string; female: boolean; birthYear: number; yearDigits: string } {
	expect(id).toMatch(/^\d{12}$/);
	const code = Number(id[3]);
	const century = [1900, 1900, 2000, 2000, 2100, 2100, 2200, 2200, 1800, 1800][code];
	return { province: id.slice(0, 3), female: code % 2 === 1, birthYear: century + Number(id.slice(4, 6)), yearDigits: id.slice(4, 6) };
}

/** Whether a 10-digit tax code (MST), or the first 10 of a 10-3 branch code, has its check digit. */
function taxCodeValid(code: string): boolean {
	const m = /^(\d{10})(-\d{3})?$/.exec(code);
	if (!m) return false;
	const weights = [31, 29, 23, 19, 17, 13, 7, 5, 3];
	const sum = weights.reduce((total, w, i) => total + w * Number(m[1][i]), 0);
	return 10 - (sum % 11) === Number(m[1][9]);
}

/** A Vietnamese amount in words, up to the millions: "Bốn triệu sáu trăm mười nghìn đồng" = 4610000. */
function amountFromWords(text: string): number {
	const digits: Record<string, number> = { không: 0, một: 1, mốt: 1, hai: 2, ba: 3, bốn: 4, tư: 4, năm: 5, lăm: 5, sáu: 6, bảy: 7, tám: 8, chín: 9 };
	let total = 0;
	let group = 0;
	let current = 0;
	for (const word of text.normalize('NFC').toLowerCase().split(/\s+/)) {
		if (word in digits) current = digits[word];
		else if (word === 'mười') group += 10;
		else if (word === 'mươi') [group, current] = [group + current * 10, 0];
		else if (word === 'trăm') [group, current] = [group + current * 100, 0];
		else if (word === 'nghìn' || word === 'ngàn') [total, group, current] = [total + (group + current) * 1000, 0, 0];
		else if (word === 'triệu') [total, group, current] = [total + (group + current) * 1_000_000, 0, 0];
		else if (!['đồng', 'chẵn', 'linh', 'lẻ'].includes(word)) throw new Error(`unknown word ${word}`);
	}
	return total + group + current;
}

/** A number in Vietnamese format: "." groups thousands. */
function vnNumber(text: string): number {
	expect(text).toMatch(/^\d{1,3}(\.\d{3})*$/);
	return Number(text.replace(/\./g, ''));
}

/** ICAO 9303 check digit. */
function mrzCheck(text: string): string {
	let sum = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		sum += (c === '<' ? 0 : /\d/.test(c) ? Number(c) : c.charCodeAt(0) - 55) * [7, 3, 1][i % 3];
	}
	return String(sum % 10);
}

const FRONT_FIELDS = ['id_number', 'name', 'dob', 'sex', 'nationality', 'place_of_origin', 'place_of_residence', 'date_of_expiry'];

function headerOf(table: TableEntry): string[] {
	return table.cells.filter((c) => c.row === 0).sort((a, b) => a.col - b.col).map((c) => c.text);
}

function bodyRows(table: TableEntry): string[][] {
	const rows: string[][] = [];
	for (const cell of table.cells) if (cell.row > 0) (rows[cell.row - 1] ??= [])[cell.col] = cell.text;
	return rows;
}

describe('emulator content', () => {
	it('ID front: a valid CCCD number agreeing with dob and sex, realistic fields and confidences', async () => {
		const { result } = await ocr('ID', 'cccd.jpg');
		expect(result.documents).toHaveLength(1);
		const [doc] = result.documents;
		expect(doc.is_correct_classification).toBe(true);
		expect(doc.ocr_data?.[0].name).toBe('eid');
		const fields = fieldsOf(doc);
		expect(Object.keys(fields).length).toBeGreaterThanOrEqual(10);
		for (const name of FRONT_FIELDS) expect(valueOf(fields, name)).toBeTruthy();
		for (const f of Object.values(fields)) {
			expect(f.extracted_prob).toBeGreaterThanOrEqual(0.9);
			expect(f.extracted_prob).toBeLessThanOrEqual(0.99);
			expect(f.coordinates).toHaveLength(4);
		}
		expect(valueOf(fields, 'id_number')).toBe('079303009457');
		const id = readCccd(valueOf(fields, 'id_number'));
		const dob = realDate(valueOf(fields, 'dob'));
		expect(id.province).toBe('079'); // Hồ Chí Minh
		expect(id.birthYear).toBe(dob.year);
		expect(['Nam', 'Nữ']).toContain(valueOf(fields, 'sex'));
		expect(id.female).toBe(valueOf(fields, 'sex') === 'Nữ');
		const expiry = realDate(valueOf(fields, 'date_of_expiry'));
		expect(expiry.year).toBeGreaterThan(dob.year);
		expect([expiry.day, expiry.month]).toEqual([dob.day, dob.month]); // a CCCD expires on a birthday
	});

	it('ID PDF: page 1 is the front, page 2 the back, which has no id_number but issue data and a valid MRZ', async () => {
		const { result } = await ocr('ID', 'cccd-scan.pdf');
		expect(result.documents.map((d) => [d.document_id, d.page])).toEqual([['doc-1', 1], ['doc-2', 2]]);
		const frontFields = fieldsOf(result.documents[0]);
		const backFields = fieldsOf(result.documents[1]);
		expect(valueOf(frontFields, 'id_number')).toMatch(/^\d{12}$/);
		expect(backFields.id_number).toBeUndefined();
		for (const name of ['date_of_issue', 'place_of_issue', 'personal_identification', 'issuer']) expect(valueOf(backFields, name)).toBeTruthy();
		const issued = realDate(valueOf(backFields, 'date_of_issue'));
		expect(issued.year).toBeGreaterThan(realDate(valueOf(frontFields, 'dob')).year);

		const lines = ['mrz_line_1', 'mrz_line_2', 'mrz_line_3'].map((name) => valueOf(backFields, name));
		for (const line of lines) expect(line).toMatch(/^[A-Z0-9<]{30}$/);
		const id = valueOf(frontFields, 'id_number');
		expect(lines[0].slice(0, 5)).toBe('IDVNM');
		expect(lines[0].slice(5, 14)).toBe(id.slice(3));
		expect(lines[0][14]).toBe(mrzCheck(lines[0].slice(5, 14)));
		const [d, m, y] = valueOf(frontFields, 'dob').split('/');
		expect(lines[1].slice(0, 6)).toBe(`${y.slice(2)}${m}${d}`);
		expect(lines[1][6]).toBe(mrzCheck(lines[1].slice(0, 6)));
		expect(lines[1][7]).toBe(valueOf(frontFields, 'sex') === 'Nữ' ? 'F' : 'M');
		expect(lines[1][14]).toBe(mrzCheck(lines[1].slice(8, 14)));
		expect(lines[1][29]).toBe(mrzCheck(lines[0].slice(5) + lines[1].slice(0, 7) + lines[1].slice(8, 15) + lines[1].slice(18, 29)));
		expect(lines[2]).toMatch(/^TRAN<<THANH<VAN<ANH<*$/);
	});

	it('ID: the file-name words front and back choose the side on every page', async () => {
		const back = fieldsOf((await ocr('ID', 'cccd-back.jpg')).result.documents[0]);
		expect(back.id_number).toBeUndefined();
		expect(valueOf(back, 'date_of_issue')).toBeTruthy();
		const fronts = (await ocr('ID', 'cccd-front.pdf')).result.documents.map(fieldsOf);
		expect(fronts.map((f) => valueOf(f, 'id_number'))).toEqual(['079303009457', '079303009457']);
	});

	it('invoice: valid tax codes, figures that add up and an amount in words matching the total', async () => {
		const { result } = await ocr('INVOICE', 'invoice.jpg');
		const fields = fieldsOf(result.documents[0]);
		expect(result.documents[0].ocr_data?.[0].name).toBe('invoice');
		for (const name of ['seller_name', 'invoice_number', 'buyer_name']) expect(valueOf(fields, name)).toBeTruthy();
		realDate(valueOf(fields, 'invoice_date'));
		expect(valueOf(fields, 'seller_tax_code')).toMatch(/^\d{10}$/);
		expect(taxCodeValid(valueOf(fields, 'seller_tax_code'))).toBe(true);
		expect(valueOf(fields, 'buyer_tax_code')).toMatch(/^\d{10}-\d{3}$/);
		expect(taxCodeValid(valueOf(fields, 'buyer_tax_code'))).toBe(true);
		expect(valueOf(fields, 'total_amount')).toBe('4.610.000');
		expect(vnNumber(valueOf(fields, 'total_before_vat')) + vnNumber(valueOf(fields, 'vat_amount'))).toBe(4_610_000);
		expect(valueOf(fields, 'amount_in_words')).toBe('Bốn triệu sáu trăm mười nghìn đồng');
		expect(amountFromWords(valueOf(fields, 'amount_in_words'))).toBe(vnNumber(valueOf(fields, 'total_amount')));
		for (const f of Object.values(fields)) expect(f.extracted_prob).toBeGreaterThanOrEqual(0.9);
	});

	it('invoice PDF without twopage: two documents and today\'s two different tables on doc-1', async () => {
		const { requestId, result } = await ocr('INVOICE', 'invoice.pdf');
		expect(result.progress.total_doc).toBe(2);
		const page2 = fieldsOf(result.documents[1]);
		expect(amountFromWords(valueOf(page2, 'amount_in_words'))).toBe(vnNumber(valueOf(page2, 'total_amount')));
		const { tables } = await getJson<{ tables: TableEntry[] }>(`/ocr/ingest/table/${requestId}/doc-1`);
		expect(tables.map(headerOf)).toEqual([
			['STT', 'Tên hàng', 'Số lượng', 'Đơn giá'],
			['Mã', '', 'Mã', 'Thành tiền'],
		]);
	});

	it('twopage: one document whose table runs over pages 1 and 2 with the same header, rows numbered on', async () => {
		const { requestId, result } = await ocr('INVOICE', 'invoice-twopage.pdf');
		expect(result.progress).toEqual({ total_doc: 1, ignored: 0, finished: 1 });
		expect(result.documents.map((d) => [d.document_id, d.document_type, d.page])).toEqual([['doc-1', 'INVOICE', 1]]);
		const fields = fieldsOf(result.documents[0]);
		const { tables } = await getJson<{ tables: TableEntry[] }>(`/ocr/ingest/table/${requestId}/doc-1`);
		expect(tables.map((t) => t.page)).toEqual([1, 2]);
		const header = ['STT', 'Tên hàng', 'Số lượng', 'Đơn giá', 'Thành tiền'];
		expect(tables.map(headerOf)).toEqual([header, header]);
		for (const t of tables) expect([t.n_cols, t.cells.length]).toEqual([5, t.n_rows * 5]);
		const [first, second] = tables.map(bodyRows);
		expect(first.map((r) => r[0])).toEqual(['1', '2', '3', '4']);
		expect(second.map((r) => r[0])).toEqual(['5', '6', '7']);
		expect(first[0]).toEqual(['1', 'Gạo ST25 túi 5kg', '10', '180.000', '1.800.000']);
		let sum = 0;
		for (const [, , quantity, price, amount] of [...first, ...second]) {
			expect(Number(quantity) * vnNumber(price)).toBe(vnNumber(amount));
			sum += vnNumber(amount);
		}
		expect(sum).toBe(vnNumber(valueOf(fields, 'total_before_vat')));
		expect(sum + vnNumber(valueOf(fields, 'vat_amount'))).toBe(vnNumber(valueOf(fields, 'total_amount')));
	});

	it('blurry: some fields read with confidence 0.3–0.6, the values unchanged', async () => {
		for (const [docType, name] of [['ID', 'cccd-blurry.jpg'], ['INVOICE', 'invoice-blurry.jpg'], ['ID', 'cccd-back-blurry.jpg']]) {
			const sharp = fieldsOf((await ocr(docType, name.replace('-blurry', ''))).result.documents[0]);
			const blurry = fieldsOf((await ocr(docType, name)).result.documents[0]);
			expect(Object.keys(blurry)).toEqual(Object.keys(sharp));
			const low = Object.values(blurry).filter((f) => f.extracted_prob < 0.6);
			expect(low.length).toBeGreaterThanOrEqual(2);
			for (const f of low) expect(f.extracted_prob).toBeGreaterThanOrEqual(0.3);
			for (const f of Object.values(blurry)) expect(f.extracted_value).toBe(sharp[f.name].extracted_value);
		}
		expect(fieldsOf((await ocr('ID', 'cccd-blurry.jpg')).result.documents[0]).name.extracted_prob).toBeLessThan(0.6);
	});

	it('rotated: the document is flagged as possibly misclassified', async () => {
		const rotated = await ocr('ID', 'cccd-rotated.jpg');
		expect(rotated.result.documents[0].is_correct_classification).toBe(false);
		expect(rotated.result.documents[0].document_type).toBe('ID');
		const upright = await ocr('ID', 'cccd.jpg');
		expect(upright.result.documents[0].is_correct_classification).toBe(true);
	});

	it('mismatch: an ID whose century digit contradicts the dob, an invoice with a bad check digit and wrong words', async () => {
		const id = fieldsOf((await ocr('ID', 'cccd-mismatch.jpg')).result.documents[0]);
		const number = readCccd(valueOf(id, 'id_number'));
		const dob = realDate(valueOf(id, 'dob'));
		expect(number.province).toBe('079');
		expect(number.yearDigits).toBe(String(dob.year).slice(2)); // digits 5–6 agree…
		expect(number.birthYear).not.toBe(dob.year); // …the century digit does not
		expect([valueOf(id, 'id_number'), valueOf(id, 'dob')]).toEqual(['079288004613', '14/06/1988']);
		expect(number.female).toBe(valueOf(id, 'sex') === 'Nữ'); // only the century is wrong

		const invoice = fieldsOf((await ocr('INVOICE', 'invoice-mismatch.jpg')).result.documents[0]);
		expect(valueOf(invoice, 'seller_tax_code')).toMatch(/^\d{10}$/);
		expect(taxCodeValid(valueOf(invoice, 'seller_tax_code'))).toBe(false);
		expect(taxCodeValid(valueOf(invoice, 'buyer_tax_code'))).toBe(true);
		expect(vnNumber(valueOf(invoice, 'total_amount'))).toBe(4_610_000);
		expect(amountFromWords(valueOf(invoice, 'amount_in_words'))).toBe(4_600_000);
	});

	it('badtotal, badvat, badlines: invoices whose figures do not add up, each in one way only', async () => {
		const figures = async (fileName: string) => {
			const fields = fieldsOf((await ocr('INVOICE', fileName)).result.documents[0]);
			const [before, vat, total] = ['total_before_vat', 'vat_amount', 'total_amount'].map((name) => vnNumber(valueOf(fields, name)));
			const rate = Number(/^(\d+)%$/.exec(valueOf(fields, 'vat_rate'))![1]);
			return { before, vat, total, rate, words: amountFromWords(valueOf(fields, 'amount_in_words')) };
		};
		const good = await figures('invoice.jpg');
		expect(good.before + good.vat).toBe(good.total);
		expect(Math.round((good.before * good.rate) / 100)).toBe(good.vat);
		const badTotal = await figures('invoice-badtotal.jpg');
		expect(badTotal.total).not.toBe(badTotal.before + badTotal.vat);
		expect(badTotal.words).toBe(badTotal.before + badTotal.vat);
		expect(Math.round((badTotal.before * badTotal.rate) / 100)).toBe(badTotal.vat);
		const badVat = await figures('invoice-badvat.jpg');
		expect(badVat.rate).toBe(8);
		expect(Math.round((badVat.before * badVat.rate) / 100)).not.toBe(badVat.vat);
		expect(badVat.before + badVat.vat).toBe(badVat.total);

		const { requestId, result } = await ocr('INVOICE', 'invoice-twopage-badlines.pdf');
		const before = vnNumber(valueOf(fieldsOf(result.documents[0]), 'total_before_vat'));
		const { tables } = await getJson<{ tables: TableEntry[] }>(`/ocr/ingest/table/${requestId}/doc-1`);
		const lines = tables.flatMap(bodyRows);
		const wrong = lines.filter(([, , quantity, price, amount]) => Number(quantity) * vnNumber(price) !== vnNumber(amount));
		expect(wrong.map((line) => line[0])).toEqual(['2']);
		expect(lines.reduce((sum, line) => sum + vnNumber(line[4]), 0)).not.toBe(before);
	});

	it('ID expiry: on the birthday at 25 or 40 by the age at issue, off it under offmilestone; noexpiry issued at 59 (at 55 under offmilestone)', async () => {
		const card = async (fileName: string) => {
			const [front, back] = (await ocr('ID', fileName)).result.documents.map(fieldsOf);
			const dob = realDate(valueOf(front, 'dob'));
			const issue = realDate(valueOf(back, 'date_of_issue'));
			const ageAtIssue = issue.year - dob.year - (issue.month * 100 + issue.day < dob.month * 100 + dob.day ? 1 : 0);
			return { front, back, dob, issue, ageAtIssue, expiry: valueOf(front, 'date_of_expiry'), mrz: valueOf(back, 'mrz_line_2') };
		};
		// Luật CCCD 2014: issued before 23 → 25; before 38 → 40; before 58 → 60; later, none
		const dueAge = (age: number) => (age < 23 ? 25 : age < 38 ? 40 : age < 58 ? 60 : undefined);
		for (const fileName of ['cccd.pdf', 'cccd-mismatch.pdf']) {
			const { dob, ageAtIssue, expiry } = await card(fileName);
			const due = realDate(expiry);
			expect([due.day, due.month, due.year]).toEqual([dob.day, dob.month, dob.year + dueAge(ageAtIssue)!]);
		}
		const off = await card('cccd-offmilestone.pdf');
		const due = realDate(off.expiry);
		expect([due.day, due.month]).not.toEqual([off.dob.day, off.dob.month]);
		expect(off.mrz.slice(8, 14)).toBe(`${String(due.year).slice(2)}${off.expiry.slice(3, 5)}${off.expiry.slice(0, 2)}`);

		const elder = await card('cccd-noexpiry.pdf');
		expect(elder.expiry).toBe('Không thời hạn');
		expect(elder.ageAtIssue).toBeGreaterThanOrEqual(58);
		expect(readCccd(valueOf(elder.front, 'id_number')).birthYear).toBe(elder.dob.year);
		expect(elder.mrz.slice(8, 15)).toBe('<<<<<<0');
		const early = await card('cccd-noexpiry-offmilestone.pdf');
		expect(early.expiry).toBe('Không thời hạn');
		expect(dueAge(early.ageAtIssue)).toBe(60);
	});

	it('GET_TABLE: finishes with ocr_data null and an empty schema table, and stays so', async () => {
		const { requestId, result } = await ocr('GET_TABLE', 'listing-6-pages.pdf');
		for (const answer of [result, ...(await Promise.all([1, 2, 3].map(() => getJson<Result>(`/ocr/ingest/${requestId}`))))]) {
			expect(answer.status).toBe('COMPLETED');
			expect(answer.progress).toEqual({ total_doc: 1, ignored: 0, finished: 1 });
			expect(answer.documents).toHaveLength(1);
			expect(answer.documents[0]).toMatchObject({ document_id: 'doc-1', document_type: 'GET_TABLE', status: 'SUCCESS', ocr_data: null, schema: { table: [] } });
		}
		expect((await getJson<{ tables: unknown[] }>(`/ocr/ingest/table/${requestId}/doc-1`)).tables).toEqual([]);
	});
});
