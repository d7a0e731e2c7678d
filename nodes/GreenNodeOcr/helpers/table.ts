import type { IDataObject } from 'n8n-workflow';

import { asObject } from './values';

/**
 * Turns GreenNode table results into spreadsheet rows: one object per data row, keyed by the
 * table's header row. Header text that is empty or repeated still gets a unique, readable key.
 * Merged cells (row_span / col_span) repeat their text in every cell they cover, so each row
 * stands on its own in a spreadsheet.
 */

export interface TableRow {
	/** 1-based index of the table in the document. */
	table: number;
	page: number | null;
	/** 1-based index of the data row within its table. */
	row: number;
	values: Record<string, string>;
}

function toInt(value: unknown, fallback: number): number {
	const n = Number(value);
	return Number.isInteger(n) && n >= 0 ? n : fallback;
}

export function cellText(value: unknown): string {
	if (value === null || value === undefined) return '';
	if (typeof value === 'object') {
		const record = value as IDataObject;
		for (const key of ['text', 'value', 'extracted_value', 'content']) {
			if (record[key] !== undefined && record[key] !== null) return cellText(record[key]);
		}
		return '';
	}
	return String(value).replace(/\s+/g, ' ').trim();
}

/** Builds a grid of text from a table in any of the shapes seen: a `cells` list, or rows as arrays. */
export function tableGrid(table: IDataObject): string[][] {
	const cells = table.cells;
	if (Array.isArray(cells) && cells.every((cell) => asObject(cell) && 'row' in (cell as IDataObject))) {
		const grid: string[][] = [];
		let width = toInt(table.n_cols, 0);
		const height = toInt(table.n_rows, 0);
		for (const raw of cells as IDataObject[]) {
			const row = toInt(raw.row, 0);
			const col = toInt(raw.col ?? raw.column, 0);
			const rowSpan = Math.max(1, toInt(raw.row_span, 1));
			const colSpan = Math.max(1, toInt(raw.col_span, 1));
			const text = cellText(raw);
			for (let r = row; r < row + rowSpan; r++) {
				for (let c = col; c < col + colSpan; c++) {
					grid[r] = grid[r] ?? [];
					if (grid[r][c] === undefined || grid[r][c] === '') grid[r][c] = text;
				}
			}
			width = Math.max(width, col + colSpan);
		}
		const rows = Math.max(height, grid.length);
		return Array.from({ length: rows }, (_, r) => Array.from({ length: width }, (__, c) => grid[r]?.[c] ?? ''));
	}
	const rows = Array.isArray(table.rows) ? table.rows : Array.isArray(table.data) ? table.data : Array.isArray(cells) ? cells : [];
	const arrays = (rows as unknown[]).map((row) =>
		Array.isArray(row) ? row.map(cellText) : asObject(row) && Array.isArray((row as IDataObject).cells) ? ((row as IDataObject).cells as unknown[]).map(cellText) : [],
	);
	const width = Math.max(0, ...arrays.map((row) => row.length));
	return arrays.map((row) => Array.from({ length: width }, (_, c) => row[c] ?? ''));
}

/** Unique, readable keys: empty headers become "Column N", repeats get " (2)", " (3)"… */
export function headerKeys(header: string[], reserved: readonly string[] = []): string[] {
	const used = new Set(reserved.map((key) => key.toLowerCase()));
	return header.map((text, index) => {
		const base = text.trim() === '' ? `Column ${index + 1}` : text.trim();
		let key = base;
		for (let n = 2; used.has(key.toLowerCase()); n++) key = `${base} (${n})`;
		used.add(key.toLowerCase());
		return key;
	});
}

export const ROW_META_KEYS = ['table', 'page', 'row'] as const;

/** Finds the list of tables in a Get Table `data` object (`tables`, or a single `table`). */
export function tablesOf(data: IDataObject): IDataObject[] {
	const list = Array.isArray(data.tables) ? data.tables : data.table !== undefined ? [data.table] : [];
	return (list as unknown[]).map(asObject).filter((table): table is IDataObject => table !== undefined);
}

export function tableRows(data: IDataObject): TableRow[] {
	const rows: TableRow[] = [];
	tablesOf(data).forEach((table, tableIndex) => {
		const grid = tableGrid(table);
		if (grid.length === 0) return;
		const keys = headerKeys(grid[0], ROW_META_KEYS);
		const page = table.page === undefined || table.page === null ? null : Number(table.page);
		grid.slice(1).forEach((cells, rowIndex) => {
			if (cells.every((cell) => cell === '')) return;
			const values: Record<string, string> = {};
			keys.forEach((key, c) => (values[key] = cells[c] ?? ''));
			rows.push({ table: tableIndex + 1, page: Number.isFinite(page) ? page : null, row: rowIndex + 1, values });
		});
	});
	return rows;
}
