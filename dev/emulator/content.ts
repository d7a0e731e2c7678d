/**
 * Response bodies of the emulator, shaped like the fixtures of the GreenNode IDP API.
 *
 * Field names marked "assumed" in the API notes (document_id, page, file_id, the table,
 * signature and stamp bodies) follow the proposed fixtures; every body also carries fields
 * a client does not know (`extra_field`, `engine_version`, ...) so that clients can be
 * checked to pass them through.
 *
 * Content is chosen by doc_type and page, and by words in the uploaded file name (any case,
 * anywhere in the name; they combine, e.g. `cccd-back-blurry.jpg`):
 *
 *   doc_type `ID`       a citizen ID card (group `eid`): page 1 is the front (a valid CCCD number
 *                       079303009457 for TRẦN THANH VÂN ANH, Nữ, born 03/09/2003, and 10 more
 *                       fields), later pages the back (no `id_number`; date and place of issue,
 *                       features, issuer, MRZ lines). See content/idCard.ts.
 *   `front`, `back`     that side of the card on every page (`front` and `back` together: by page).
 *   doc_type `INVOICE`  a VAT invoice (group `invoice`): page 1 has all fields (seller tax code
 *                       0312345673, buyer branch code 0301234562-001, 4.190.909 + VAT 419.091 =
 *                       total 4.610.000, "Bốn triệu sáu trăm mười nghìn đồng"), a later page the
 *                       totals only. See content/invoice.ts.
 *   `twopage`           the job is ONE document (an INVOICE when no doc_type is sent) whose table
 *                       runs over two pages: two table entries, pages 1 and 2, the same header
 *                       (STT, Tên hàng, Số lượng, Đơn giá, Thành tiền), rows 1–4 then 5–7.
 *                       Without it, doc-1 has the two tables of `invoiceTables` (whatever its type).
 *   `blurry`            some fields with extracted_prob 0.3–0.6.
 *   `rotated`           `is_correct_classification: false`, as the live API answers a rotated photo.
 *   `mismatch`          data that fails validation: an ID numbered 079288004613 (4th digit 2 =
 *                       born 2000–2099) for a holder born 14/06/1988; an invoice whose words say
 *                       4.600.000 against a total of 4.610.000 and whose seller tax code 0312345678
 *                       has a wrong check digit.
 *   `badtotal`          an invoice total read as 4.601.000: 4.190.909 + 419.091 is 4.610.000 (and
 *                       the words say so).
 *   `badvat`            an invoice VAT rate read as 8%: 419.091 is 10% of 4.190.909.
 *   `badlines`          the `twopage` table's line 2 reads 450.000 for 12 × 45.000, so the lines add
 *                       up to 4.100.909, not 4.190.909.
 *                       Without these words an invoice adds up: total, VAT, and the `twopage` lines.
 *   `noexpiry`          an ID card without expiry ("Không thời hạn"), issued at 59 to PHẠM VĂN LONG,
 *                       born 12/05/1962 (001062004215).
 *   `offmilestone`      an ID card whose expiry is off the rules: the issue date + 15 years, on no
 *                       birthday at 25, 40 or 60 (with `noexpiry`: no expiry, but issued at 55).
 *                       Without it the expiry is right: at 25 (issued at 17), at 40 for the
 *                       `mismatch` holder (issued at 32). An ID PDF holds both sides of one card
 *                       (page 1 the front, page 2 the back), which the node reads together.
 *   doc_type `GET_TABLE` finished but empty for good, as seen live: ONE document with
 *                       `ocr_data: null` and `schema: { table: [] }`, progress complete, no tables,
 *                       signatures or stamps (enable it: GREENNODE_EMULATOR_DOC_TYPES or
 *                       `enabledDocTypes`).
 *
 *   `blank`             the job finishes with no documents at all (`total_doc: 0`, `documents: []`),
 *                       as for a blank page.
 *
 * The words `fail`, `stuck` and `notable` steer the job itself (jobs.ts).
 */
import { buildTable, field, grid, type OcrField, type Table } from './content/base';
import { ID_BLURRY, idCardFields } from './content/idCard';
import { INVOICE_BLURRY, invoiceFields, twoPageInvoiceTables } from './content/invoice';

export type { Box, OcrField, Table, TableCell } from './content/base';

/** What the file name asks of the content. */
export interface ContentWords {
	front: boolean;
	back: boolean;
	blurry: boolean;
	rotated: boolean;
	mismatch: boolean;
	twoPage: boolean;
	blank: boolean;
	badTotal: boolean;
	badVat: boolean;
	badLines: boolean;
	noExpiry: boolean;
	offMilestone: boolean;
}

export function contentWords(fileName = ''): ContentWords {
	const lower = fileName.toLowerCase();
	const has = (word: string) => lower.includes(word);
	return {
		front: has('front'),
		back: has('back'),
		blurry: has('blurry'),
		rotated: has('rotated'),
		mismatch: has('mismatch'),
		twoPage: has('twopage'),
		blank: has('blank'),
		badTotal: has('badtotal'),
		badVat: has('badvat'),
		badLines: has('badlines'),
		noExpiry: has('noexpiry'),
		offMilestone: has('offmilestone'),
	};
}

/** doc_type values that finish with no content, for good. */
const EMPTY_FOR_GOOD = new Set(['GET_TABLE']);

/**
 * Whether a job is one document over all its pages (`twopage`, or a doc_type that stays empty),
 * instead of one per page.
 */
export function singleDocument(docType: string | undefined, fileName: string): boolean {
	return (docType !== undefined && EMPTY_FOR_GOOD.has(docType)) || contentWords(fileName).twoPage;
}

interface DocTypeInfo {
	title: string;
	group: string;
	fields: (page: number, words: ContentWords) => OcrField[];
	/** Field confidences under `blurry`; without it every second field gets a low one. */
	blurry?: Readonly<Record<string, number>>;
}

/** Fields on page 1, and on every later page (fresh arrays: callers may replace entries). */
function byPage(first: OcrField[], later: OcrField[]): (page: number) => OcrField[] {
	return (page) => [...(page === 1 ? first : later)];
}

function idSide(page: number, words: ContentWords): 'front' | 'back' {
	if (words.front !== words.back) {
		return words.front ? 'front' : 'back';
	}
	return page === 1 ? 'front' : 'back';
}

const DOC_TYPES: Record<string, DocTypeInfo> = {
	ID: {
		title: 'Căn cước công dân',
		group: 'eid',
		fields: (page, words) => idCardFields(idSide(page, words), words.mismatch, words),
		blurry: ID_BLURRY,
	},
	INVOICE: {
		title: 'Hóa đơn giá trị gia tăng',
		group: 'invoice',
		fields: (page, words) => invoiceFields(page, words.mismatch, words),
		blurry: INVOICE_BLURRY,
	},
	BANK_STATEMENT: {
		title: 'Sao kê tài khoản ngân hàng',
		group: 'bank_statement',
		fields: byPage(
			[
				field('bank_name', 'Ngân hàng TMCP Ngoại thương Việt Nam', 0.97, [60, 120, 900, 170]),
				field('account_number', '0071000123456', 0.98, [60, 220, 420, 260]),
				field('account_holder', 'LÊ THỊ HỒNG NHUNG', 0.95, [460, 220, 980, 260]),
				field('opening_balance', '12.500.000', 0.94, [820, 300, 1160, 340]),
			],
			[field('closing_balance', '9.875.000', 0.94, [820, 1300, 1160, 1340])],
		),
	},
	CONTRACT: {
		title: 'Hợp đồng',
		group: 'contract',
		fields: byPage(
			[
				field('contract_number', '27/2024/HĐMB', 0.96, [700, 150, 1100, 190]),
				field('party_a', 'CÔNG TY CỔ PHẦN XÂY DỰNG MIỀN NAM', 0.93, [60, 320, 1000, 360]),
				field('party_b', 'CÔNG TY TNHH THƯƠNG MẠI ĐẠI PHÁT', 0.94, [60, 520, 1000, 560]),
			],
			[field('sign_date', '20/03/2024', 0.92, [700, 1250, 1000, 1290])],
		),
	},
};

function docTypeInfo(docType: string): DocTypeInfo {
	return (
		DOC_TYPES[docType] ?? {
			title: docType,
			group: docType.toLowerCase(),
			fields: (page: number) => [field('text', `Nội dung trang ${page}`, 0.9, [60, 120, 1180, 1500])],
		}
	);
}

const LOW_PROBS = [0.45, 0.38, 0.57, 0.31];

function blur(values: OcrField[], probs: Readonly<Record<string, number>> | undefined): OcrField[] {
	return values.map((value, i) => {
		const low = probs ? probs[value.name] : i % 2 === 1 ? LOW_PROBS[((i - 1) / 2) % LOW_PROBS.length] : undefined;
		return low === undefined ? value : { ...value, extracted_prob: low };
	});
}

/** The name of the `ocr_data` group for a document type (`eid` for `ID`). */
export function ocrGroupName(docType: string): string {
	return docTypeInfo(docType).group;
}

export interface DocumentSpec {
	documentId: string;
	docType: string;
	page: number;
	fileId: string;
	/** The uploaded file's name, whose words choose variants of the content. */
	fileName?: string;
}

/** A finished document of the result body. */
export function doneDocument(doc: DocumentSpec): Record<string, unknown> {
	const info = docTypeInfo(doc.docType);
	const words = contentWords(doc.fileName);
	const base = {
		document_id: doc.documentId,
		document_type: doc.docType,
		document_type_title: info.title,
		status: 'SUCCESS',
		is_correct: false,
		is_correct_classification: !words.rotated,
		page: doc.page,
		file_id: doc.fileId,
	};
	if (EMPTY_FOR_GOOD.has(doc.docType)) {
		return { ...base, ocr_data: null, schema: { table: [] } };
	}
	let values = info.fields(doc.page, words);
	if (words.blurry) {
		values = blur(values, info.blurry);
	}
	if (values.length > 0) {
		values[0] = { ...values[0], extra_field: { normalized_value: values[0].extracted_value } };
	}
	return {
		...base,
		ocr_data: [{ name: info.group, value: values }],
		extra_field: { classification_prob: words.rotated ? 0.41 : 0.99, rotation: 0 },
	};
}

/** A document of the "terminal before content" answer: a group with no values. */
export function emptyDocument(doc: DocumentSpec): Record<string, unknown> {
	return {
		document_id: doc.documentId,
		ocr_data: [{ name: ocrGroupName(doc.docType), value: [] }],
	};
}

/**
 * Tables of a document with content: table 1 on page 1 (a plain invoice table), table 2
 * on page 2 with a blank and a duplicated header and a cell spanning two rows.
 */
export function invoiceTables(): Table[] {
	const first = buildTable(
		1,
		[60, 720, 1180, 1310],
		4,
		4,
		grid([
			['STT', 'Tên hàng', 'Số lượng', 'Đơn giá'],
			['1', 'Gạo ST25 túi 5kg', '10', '180.000'],
			['2', 'Nước mắm Phú Quốc 500ml', '24', '65.000'],
			['3', 'Cà phê rang xay Buôn Ma Thuột', '5', '250.000'],
		]),
	);
	const second = buildTable(2, [60, 200, 1180, 520], 3, 4, [
		{ row: 0, col: 0, text: 'Mã' },
		{ row: 0, col: 1, text: '' },
		{ row: 0, col: 2, text: 'Mã' },
		{ row: 0, col: 3, text: 'Thành tiền' },
		{ row: 1, col: 0, text: 'NCC-01', rowSpan: 2 },
		{ row: 1, col: 1, text: 'Gạo ST25 túi 5kg' },
		{ row: 1, col: 2, text: 'ST25-5KG' },
		{ row: 1, col: 3, text: '1.800.000' },
		{ row: 2, col: 1, text: 'Nước mắm Phú Quốc 500ml' },
		{ row: 2, col: 2, text: 'NM-500' },
		{ row: 2, col: 3, text: '1.560.000' },
	]);
	second.table_type = 'bordered';
	return [first, second];
}

export const SIGNATURE_FILE_ID = 'sig_1.png';
export const STAMP_FILE_ID = 'stamp_1.png';

export function signatures(): Array<Record<string, unknown>> {
	return [{ page: 1, coordinates: [820, 1400, 1100, 1520], extracted_prob: 0.93, file_id: SIGNATURE_FILE_ID }];
}

export function stamps(): Array<Record<string, unknown>> {
	return [
		{
			page: 1,
			coordinates: [700, 1350, 980, 1630],
			extracted_prob: 0.91,
			extracted_value: 'CÔNG TY TNHH THƯƠNG MẠI ĐẠI PHÁT',
			file_id: STAMP_FILE_ID,
		},
	];
}

/**
 * What the table, signature or stamp route answers for the first document of a job that has
 * them: the two-page table under `twopage`, nothing for a doc_type that stays empty.
 */
export function documentParts(kind: 'table' | 'signature' | 'stamp', doc: DocumentSpec): Array<Record<string, unknown>> {
	if (EMPTY_FOR_GOOD.has(doc.docType)) {
		return [];
	}
	if (kind === 'signature') {
		return signatures();
	}
	if (kind === 'stamp') {
		return stamps();
	}
	const words = contentWords(doc.fileName);
	return words.twoPage ? twoPageInvoiceTables(words) : invoiceTables();
}
