import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { tableRows } from '../helpers/table';
import { executePart, partDescription } from './documentPart';

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
]);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await executePart.call(this, items, 'table', (data, itemIndex) => {
		if ((this.getNodeParameter('options.outputMode', itemIndex, 'raw') as string) !== 'rows') return [{ json: data }];
		return tableRows(data).map((row) => ({ json: { table: row.table, page: row.page, row: row.row, ...row.values } }));
	});
}
