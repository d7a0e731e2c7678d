import type { IDataObject } from 'n8n-workflow';

import shapes from './fixtures/greennode-shapes.json';
import { headerKeys, tableGrid, tableRows } from '../nodes/GreenNodeOcr/helpers/table';
import { sniffFormat } from '../nodes/GreenNodeOcr/helpers/sniff';
import { buildFileName } from '../nodes/GreenNodeOcr/actions/resultImage';

describe('table helpers', () => {
	it('makes every header key unique and readable', () => {
		expect(headerKeys(['Mã', '', 'Mã', ' ', 'mã', 'Page'], ['table', 'page', 'row'])).toEqual([
			'Mã',
			'Column 2',
			'Mã (2)',
			'Column 4',
			'mã (3)',
			'Page (2)',
		]);
	});

	it('spreads a merged header cell over the columns it covers', () => {
		const grid = tableGrid({
			n_rows: 2,
			n_cols: 3,
			cells: [
				{ row: 0, col: 0, text: 'Tên' },
				{ row: 0, col: 1, col_span: 2, text: 'Số tiền' },
				{ row: 1, col: 0, text: 'A' },
				{ row: 1, col: 1, text: '1' },
				{ row: 1, col: 2, text: '2' },
			],
		});
		expect(grid).toEqual([
			['Tên', 'Số tiền', 'Số tiền'],
			['A', '1', '2'],
		]);
		expect(tableRows({ tables: [{ page: 3, cells: grid.flatMap((r, row) => r.map((text, col) => ({ row, col, text }))) }] })).toEqual([
			{ table: 1, page: 3, row: 1, values: { Tên: 'A', 'Số tiền': '1', 'Số tiền (2)': '2' } },
		]);
	});

	it('reads tables given as rows of arrays and skips empty rows', () => {
		const rows = tableRows({ tables: [{ rows: [['a', 'b'], ['1', null], ['', ''], [' 3 ', 4]] }] });
		expect(rows.map((row) => row.values)).toEqual([{ a: '1', b: '' }, { a: '3', b: '4' }]);
		expect(rows[0].page).toBeNull();
	});

	it('the fixture shape gives a header-only table no rows, and junk gives nothing without crashing', () => {
		expect(tableRows(shapes.table_200_assumed.data as IDataObject)).toEqual([]);
		expect(tableRows({ tables: 'x' } as IDataObject)).toEqual([]);
		expect(tableRows({ tables: [null, 1, { cells: 'x' }]} as IDataObject)).toEqual([]);
		expect(tableRows({})).toEqual([]);
	});
});

describe('file helpers', () => {
	it('recognises image formats from their first bytes', () => {
		expect(sniffFormat(Buffer.from('89504e470d0a1a0a0000', 'hex'))?.mime).toBe('image/png');
		expect(sniffFormat(Buffer.from('ffd8ffe000104a46', 'hex'))?.mime).toBe('image/jpeg');
		expect(sniffFormat(Buffer.from('<html>'))).toBeUndefined();
	});

	it('builds a safe file name from the IDs', () => {
		expect(buildFileName('6f1c/2a9e', 'page_1.jpg', 'png')).toBe('6f1c_2a9e-page_1.png');
		expect(buildFileName('r', '../../etc/passwd', 'jpg')).toBe('r-etc_passwd.jpg');
	});
});
