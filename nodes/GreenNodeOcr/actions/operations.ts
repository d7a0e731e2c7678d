import type { INodeProperties } from 'n8n-workflow';

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
			name: 'Submit Document',
			value: 'submit',
			description: 'Send a PDF or image to be read, and optionally wait for the result',
			action: 'Submit a document for OCR',
		},
	],
};

export const operationProperties: INodeProperties[] = [...submit.description, ...getResult.description];

export const operationHandlers = {
	submit: submit.execute,
	getResult: getResult.execute,
};
