/** Shapes and builders shared by the emulator's response bodies. */

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

export function field(name: string, value: string, prob: number, coordinates: Box): OcrField {
	return { name, extracted_value: value, extracted_prob: prob, coordinates };
}

function prob(row: number, col: number): number {
	return Math.round((0.9 + ((row * 7 + col * 3) % 10) / 100) * 100) / 100;
}

export interface CellSpec {
	row: number;
	col: number;
	text: string;
	rowSpan?: number;
	colSpan?: number;
}

/** A table on `page` inside `box`, cells laid out on an even grid. */
export function buildTable(page: number, box: Box, nRows: number, nCols: number, cells: CellSpec[]): Table {
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

/** Cells of a plain grid, one per text, row by row. */
export function grid(rows: string[][]): CellSpec[] {
	return rows.flatMap((cells, row) => cells.map((text, col) => ({ row, col, text })));
}
