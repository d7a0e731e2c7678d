import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { tableRows } from '../helpers/table';
import { executePart, partDescription } from './documentPart';
import { readBoolean, readChoice, readOptions } from './settings';

export const description: INodeProperties[] = partDescription('getTable', [
	{
		displayName: 'Output Mode',
		name: 'outputMode',
		type: 'options',
		default: 'raw',
		options: [
			{ name: 'Raw', value: 'raw', description: 'One item per input item with the tables as GreenNode returns them' },
			{
				name: 'Spreadsheet Rows',
				value: 'rows',
				description: 'One item per table row, keyed by the header row, ready for Google Sheets, Excel or Convert to File',
			},
		],
	},
	{
		displayName: 'Normalize Numbers',
		name: 'normalize',
		type: 'boolean',
		default: true,
		displayOptions: { show: { outputMode: ['rows'] } },
		description: 'Whether numeric cells become numbers (Vietnamese 1.800.000 → 1800000) in spreadsheet rows; other text stays text',
	},
]);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await executePart.call(this, items, 'tables', (data, itemIndex) => {
		const options = readOptions.call(this, itemIndex);
		if (readChoice.call(this, options.outputMode, 'Output Mode', ['raw', 'rows'], 'raw', itemIndex) !== 'rows') return [{ json: data }];
		const normalize = readBoolean.call(this, options.normalize, 'Normalize Numbers', true, itemIndex);
		return tableRows(data, { normalize }).map((row) => ({ json: { table: row.table, page: row.page, row: row.row, ...row.values } }));
	});
}
