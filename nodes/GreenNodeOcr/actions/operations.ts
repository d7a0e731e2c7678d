import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import * as getFile from './getFile.operation';
import * as getResult from './getResult.operation';
import * as getSignature from './getSignature.operation';
import * as getStamp from './getStamp.operation';
import * as getTable from './getTable.operation';
import * as submit from './submit.operation';

/** The operations: their entry in the selector, their parameters and their code, in one list. */

interface Operation {
	option: INodePropertyOptions & { value: string };
	description: INodeProperties[];
	execute: (this: IExecuteFunctions, items: INodeExecutionData[]) => Promise<INodeExecutionData[]>;
}

const OPERATIONS: Operation[] = [
	{
		option: {
			name: 'Get Result',
			value: 'getResult',
			description: 'Get the OCR result of a submitted document, waiting until it is complete',
			action: 'Get OCR result',
		},
		...getResult,
	},
	{
		option: {
			name: 'Get Result Image',
			value: 'getFile',
			description: 'Download a result image (a page, signature or stamp) as a file',
			action: 'Download result image',
		},
		...getFile,
	},
	{
		option: {
			name: 'Get Signature',
			value: 'getSignature',
			description: 'Get the signatures found in a document',
			action: 'Get document signatures',
		},
		...getSignature,
	},
	{
		option: {
			name: 'Get Stamp',
			value: 'getStamp',
			description: 'Get the stamps (seals) found in a document',
			action: 'Get document stamps',
		},
		...getStamp,
	},
	{
		option: {
			name: 'Get Table',
			value: 'getTable',
			description: 'Get the tables of a document, as returned or as spreadsheet rows',
			action: 'Get document tables',
		},
		...getTable,
	},
	{
		option: {
			name: 'Submit Document',
			value: 'submit',
			description: 'Send a PDF or image to be read, and optionally wait for the result',
			action: 'Submit document for OCR',
		},
		...submit,
	},
];

export const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	default: 'submit',
	options: OPERATIONS.map((operation) => operation.option),
};

export const operationProperties: INodeProperties[] = OPERATIONS.flatMap((operation) => operation.description);

/** The node's subtitle: the selected operation's display name. */
export const subtitle = `={{ ${JSON.stringify(Object.fromEntries(OPERATIONS.map(({ option }) => [option.value, option.name])))}[$parameter["operation"]] }}`;

export const operationHandlers: Record<string, Operation['execute']> = Object.fromEntries(
	OPERATIONS.map((operation) => [operation.option.value, operation.execute]),
);
