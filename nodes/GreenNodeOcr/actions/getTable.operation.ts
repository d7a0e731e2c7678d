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
	return await executePart.call(this, items, 'table', (data, itemIndex) => {
		if ((this.getNodeParameter('options.outputMode', itemIndex, 'raw') as string) !== 'rows') return [{ json: data }];
		const normalize = this.getNodeParameter('options.normalize', itemIndex, true) !== false;
		return tableRows(data, { normalize }).map((row) => ({ json: { table: row.table, page: row.page, row: row.row, ...row.values } }));
	});
}
