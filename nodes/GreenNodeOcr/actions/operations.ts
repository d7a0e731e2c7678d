import type { INodeProperties } from 'n8n-workflow';

import * as documentPart from './documentPart.operation';
import * as getFile from './getFile.operation';
import * as getResult from './getResult.operation';
import * as submit from './submit.operation';

/** The operation selector and, after it, each operation's own parameters. */

export const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	default: 'submit',
	options: [
		{
			name: 'Get Result',
			value: 'getResult',
			description: 'Get the OCR result of a submitted document, waiting until it is complete',
			action: 'Get the OCR result',
		},
		{
			name: 'Get Result Image',
			value: 'getFile',
			description: 'Download a result image (a page, signature or stamp) as a file',
			action: 'Download a result image',
		},
		{
			name: 'Get Signature',
			value: 'getSignature',
			description: 'Get the signatures found in a document',
			action: 'Get the signatures of a document',
		},
		{
			name: 'Get Stamp',
			value: 'getStamp',
			description: 'Get the stamps (seals) found in a document',
			action: 'Get the stamps of a document',
		},
		{
			name: 'Get Table',
			value: 'getTable',
			description: 'Get the tables of a document, as returned or as spreadsheet rows',
			action: 'Get the tables of a document',
		},
		{
			name: 'Submit Document',
			value: 'submit',
			description: 'Send a PDF or image to be read, and optionally wait for the result',
			action: 'Submit a document for OCR',
		},
	],
};

export const operationProperties: INodeProperties[] = [
	...submit.description,
	...getResult.description,
	...documentPart.description,
	...getFile.description,
];

export const operationHandlers = {
	submit: submit.execute,
	getResult: getResult.execute,
	getTable: documentPart.execute,
	getSignature: documentPart.execute,
	getStamp: documentPart.execute,
	getFile: getFile.execute,
};
