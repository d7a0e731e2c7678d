import type { IDataObject } from 'n8n-workflow';

import { normalizeValue } from './normalize';
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
	values: Record<string, string | number>;
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

export interface RowOptions {
	/** Numeric cells become numbers (Vietnamese "1.800.000" → 1800000); other text stays text. */
	normalize?: boolean;
}

function sameHeader(a: string[], b: string[]): boolean {
	return a.length === b.length && a.some((cell) => cell !== '') && a.every((cell, index) => cell === b[index]);
}

/**
 * One row per data row of every table. A table that continues on the next page with the same
 * header row is one table: its rows keep the table number and count on.
 */
export function tableRows(data: IDataObject, options: RowOptions = {}): TableRow[] {
	const rows: TableRow[] = [];
	let tableNumber = 0;
	let previous: { header: string[]; page: number | null; rows: number } | undefined;
	for (const table of tablesOf(data)) {
		const grid = tableGrid(table);
		if (grid.length === 0) continue;
		const header = grid[0];
		const rawPage = table.page === undefined || table.page === null ? Number.NaN : Number(table.page);
		const page = Number.isFinite(rawPage) ? rawPage : null;
		const continues =
			previous !== undefined && sameHeader(previous.header, header) && page !== null && previous.page !== null && page === previous.page + 1;
		if (!continues) {
			tableNumber++;
			previous = { header, page, rows: 0 };
		}
		const current = previous as { header: string[]; page: number | null; rows: number };
		current.page = page;
		const keys = headerKeys(header, ROW_META_KEYS);
		for (const cells of grid.slice(1)) {
			if (cells.every((cell) => cell === '')) continue;
			const values: Record<string, string | number> = {};
			keys.forEach((key, c) => {
				const text = cells[c] ?? '';
				const normalized = options.normalize ? normalizeValue(text, key) : undefined;
				values[key] = normalized?.kind === 'number' ? normalized.value : text;
			});
			current.rows++;
			rows.push({ table: tableNumber, page, row: current.rows, values });
		}
	}
	return rows;
}
