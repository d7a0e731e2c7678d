import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { tableRows } from '../helpers/table';
import { getDocumentPart, type DocumentPart } from '../transport/api';
import {
	maxRetriesOption,
	optionsCollection,
	requestTimeoutOption,
	runPerItem,
} from './common';
import { requestIdField } from './getResult.operation';

/** Get Table, Get Signature and Get Stamp: the same call on a different endpoint. */

const OPERATIONS: Record<string, DocumentPart> = { getTable: 'table', getSignature: 'signature', getStamp: 'stamp' };

const documentIdField = (operation: string): INodeProperties => ({
	displayName: 'Document ID',
	name: 'documentId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'doc-1',
	displayOptions: { show: { operation: [operation] } },
	description: 'The document_id of one document in the result of Get Result (documents[].document_id)',
});

export const description: INodeProperties[] = [
	...Object.keys(OPERATIONS).flatMap((operation) => [requestIdField(operation), documentIdField(operation)]),
	optionsCollection(Object.keys(OPERATIONS), [
		maxRetriesOption,
		{
			displayName: 'Output Mode',
			name: 'outputMode',
			type: 'options',
			default: 'raw',
			displayOptions: { show: { '/operation': ['getTable'] } },
			options: [
				{
					name: 'Raw',
					value: 'raw',
					description: 'One item per input item with the tables as GreenNode returns them',
				},
				{
					name: 'Spreadsheet Rows',
					value: 'rows',
					description:
						'One item per table row, keyed by the header row, ready for Google Sheets, Excel or Convert to File',
				},
			],
		},
		requestTimeoutOption,
	]),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const part = OPERATIONS[this.getNodeParameter('operation', 0) as string];
	return await runPerItem.call(this, items, async (itemIndex) => {
		const requestId = this.getNodeParameter('requestId', itemIndex, '') as string;
		const documentId = this.getNodeParameter('documentId', itemIndex, '') as string;
		const data = await getDocumentPart.call(this, part, itemIndex, requestId, documentId);
		const mode = part === 'table' ? (this.getNodeParameter('options.outputMode', itemIndex, 'raw') as string) : 'raw';
		if (mode !== 'rows') return [{ json: data }];
		return tableRows(data).map((row) => ({
			json: { table: row.table, page: row.page, row: row.row, ...row.values },
		}));
	});
}
