import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { description as applyReviewDescription, execute as applyReviewExecute } from './applyReview.operation';
import { description as getFileDescription, execute as getFileExecute } from './getFile.operation';
import { description as getResultDescription, execute as getResultExecute } from './getResult.operation';
import { description as getSignatureDescription, execute as getSignatureExecute } from './getSignature.operation';
import { description as getStampDescription, execute as getStampExecute } from './getStamp.operation';
import { description as getTableDescription, execute as getTableExecute } from './getTable.operation';
import { description as submitDescription, execute as submitExecute } from './submit.operation';

/** The operations: their entry in the selector, their parameters and their code, in one list. */

interface Operation {
	option: INodePropertyOptions & { value: string };
	description: INodeProperties[];
	execute: (this: IExecuteFunctions, items: INodeExecutionData[]) => Promise<INodeExecutionData[]>;
}

const OPERATIONS: Operation[] = [
	{
		option: {
			name: 'Apply Review',
			value: 'applyReview',
			description: 'Put the answer of a document\'s review form back into the document: corrected fields, checked again',
			action: 'Apply a review',
		},
		description: applyReviewDescription,
		execute: applyReviewExecute,
	},
	{
		option: {
			name: 'Get Result',
			value: 'getResult',
			description: 'Get the OCR result of a submitted document, waiting until it is complete',
			action: 'Get OCR result',
		},
		description: getResultDescription,
		execute: getResultExecute,
	},
	{
		option: {
			name: 'Get Result Image',
			value: 'getFile',
			description: 'Download a result image (a page, signature or stamp) as a file',
			action: 'Download result image',
		},
		description: getFileDescription,
		execute: getFileExecute,
	},
	{
		option: {
			name: 'Get Signature',
			value: 'getSignature',
			description: 'Get the signatures found in a document',
			action: 'Get document signatures',
		},
		description: getSignatureDescription,
		execute: getSignatureExecute,
	},
	{
		option: {
			name: 'Get Stamp',
			value: 'getStamp',
			description: 'Get the stamps (seals) found in a document',
			action: 'Get document stamps',
		},
		description: getStampDescription,
		execute: getStampExecute,
	},
	{
		option: {
			name: 'Get Table',
			value: 'getTable',
			description: 'Get the tables of a document, as returned or as spreadsheet rows',
			action: 'Get document tables',
		},
		description: getTableDescription,
		execute: getTableExecute,
	},
	{
		option: {
			name: 'Submit Document',
			value: 'submit',
			description: 'Send a PDF or image to be read, and optionally wait for the result',
			action: 'Submit document for OCR',
		},
		description: submitDescription,
		execute: submitExecute,
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
