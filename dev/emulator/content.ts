/**
 * Response bodies of the emulator, shaped like the fixtures of the GreenNode IDP API.
 *
 * Field names marked "assumed" in the API notes (document_id, page, file_id, the table,
 * signature and stamp bodies) follow the proposed fixtures; every body also carries fields
 * a client does not know (`extra_field`, `engine_version`, ...) so that clients can be
 * checked to pass them through.
 */

export type Box = [number, number, number, number];

export interface OcrField {
	name: string;
	extracted_value: string;
	extracted_prob: number;
	coordinates: Box;
	[extra: string]: unknown;
}

export interface TableCell {
	row: number;
	col: number;
	row_span: number;
	col_span: number;
	text: string;
	extracted_prob: number;
	coordinates: Box;
}

export interface Table {
	page: number;
	coordinates: Box;
	n_rows: number;
	n_cols: number;
	cells: TableCell[];
	[extra: string]: unknown;
}

interface DocTypeInfo {
	title: string;
	group: string;
	fields: (page: number) => OcrField[];
}

function field(name: string, value: string, prob: number, coordinates: Box): OcrField {
	return { name, extracted_value: value, extracted_prob: prob, coordinates };
}

/** Fields on page 1, and on every later page (fresh arrays: callers may replace entries). */
function byPage(first: OcrField[], later: OcrField[]): (page: number) => OcrField[] {
	return (page) => [...(page === 1 ? first : later)];
}

const DOC_TYPES: Record<string, DocTypeInfo> = {
	ID: {
		title: 'Căn cước công dân',
		group: 'eid',
		fields: byPage(
			[
				field('id_number', '079303009457', 0.98, [412, 301, 861, 356]),
				field('name', 'TRẦN THANH VÂN ANH', 0.96, [325, 393, 1096, 457]),
				field('dob', '03/09/2003', 0.97, [658, 451, 874, 505]),
				field('sex', 'Nữ', 0.99, [515, 505, 580, 552]),
				field('nationality', 'Việt Nam', 0.95, [905, 505, 1090, 552]),
				field('place_of_residence', '12 Nguyễn Huệ, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh', 0.91, [325, 640, 1180, 700]),
			],
			[
				field('issue_date', '15/08/2021', 0.94, [120, 520, 360, 570]),
				field('issued_by', 'CỤC TRƯỞNG CỤC CẢNH SÁT QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI', 0.89, [120, 580, 980, 660]),
			],
		),
	},
	INVOICE: {
		title: 'Hóa đơn giá trị gia tăng',
		group: 'invoice',
		fields: byPage(
			[
				field('invoice_number', '0000123', 0.97, [980, 180, 1160, 220]),
				field('invoice_date', '15/03/2024', 0.96, [480, 230, 760, 270]),
				field('seller_name', 'CÔNG TY TNHH THƯƠNG MẠI ĐẠI PHÁT', 0.95, [60, 300, 900, 345]),
				field('seller_tax_code', '0312345678', 0.98, [60, 350, 420, 390]),
				field('buyer_name', 'Nguyễn Văn Bình', 0.93, [60, 560, 640, 600]),
			],
			[
				field('total_amount', '4.610.000', 0.96, [900, 1330, 1180, 1370]),
				field('amount_in_words', 'Bốn triệu sáu trăm mười nghìn đồng', 0.88, [60, 1380, 1180, 1420]),
			],
		),
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

/** The name of the `ocr_data` group for a document type (`eid` for `ID`). */
export function ocrGroupName(docType: string): string {
	return docTypeInfo(docType).group;
}

export interface DocumentSpec {
	documentId: string;
	docType: string;
	page: number;
	fileId: string;
}

/** A finished document of the result body. */
export function doneDocument(doc: DocumentSpec): Record<string, unknown> {
	const info = docTypeInfo(doc.docType);
	const values = info.fields(doc.page);
	if (values.length > 0) {
		values[0] = { ...values[0], extra_field: { normalized_value: values[0].extracted_value } };
	}
	return {
		document_id: doc.documentId,
		document_type: doc.docType,
		document_type_title: info.title,
		status: 'SUCCESS',
		is_correct: false,
		is_correct_classification: true,
		page: doc.page,
		file_id: doc.fileId,
		ocr_data: [{ name: info.group, value: values }],
		extra_field: { classification_prob: 0.99, rotation: 0 },
	};
}

/** A document of the "terminal before content" answer: a group with no values. */
export function emptyDocument(doc: DocumentSpec): Record<string, unknown> {
	return {
		document_id: doc.documentId,
		ocr_data: [{ name: ocrGroupName(doc.docType), value: [] }],
	};
}

function prob(row: number, col: number): number {
	return Math.round((0.9 + ((row * 7 + col * 3) % 10) / 100) * 100) / 100;
}

function buildTable(
	page: number,
	box: Box,
	nRows: number,
	nCols: number,
	cells: Array<{ row: number; col: number; text: string; rowSpan?: number; colSpan?: number }>,
): Table {
	const [x1, y1, x2, y2] = box;
	const cellWidth = (x2 - x1) / nCols;
	const cellHeight = (y2 - y1) / nRows;
	return {
		page,
		coordinates: box,
		n_rows: nRows,
		n_cols: nCols,
		cells: cells.map((cell) => {
			const rowSpan = cell.rowSpan ?? 1;
			const colSpan = cell.colSpan ?? 1;
			return {
				row: cell.row,
				col: cell.col,
				row_span: rowSpan,
				col_span: colSpan,
				text: cell.text,
				extracted_prob: prob(cell.row, cell.col),
				coordinates: [
					Math.round(x1 + cell.col * cellWidth),
					Math.round(y1 + cell.row * cellHeight),
					Math.round(x1 + (cell.col + colSpan) * cellWidth),
					Math.round(y1 + (cell.row + rowSpan) * cellHeight),
				],
			};
		}),
	};
}

function grid(rows: string[][]): Array<{ row: number; col: number; text: string }> {
	return rows.flatMap((cells, row) => cells.map((text, col) => ({ row, col, text })));
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
