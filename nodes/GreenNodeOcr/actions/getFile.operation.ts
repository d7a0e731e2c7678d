import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { maxRequestsPerSecondOption, maxRetriesOption, optionsCollection, requestIdField, requestTimeoutOption } from './fields';
import { storeResultImage } from './resultImage';
import { eachItem } from './runner';
import { readOptions, readRequestSettings } from './settings';

const operations = ['getFile'];

export const description: INodeProperties[] = [
	requestIdField(operations),
	{
		displayName: 'File ID',
		name: 'fileId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 6f1c2a9e_page_1.jpg',
		displayOptions: { show: { operation: operations } },
		description: 'One of the file_ids returned by Submit (file_ids), or the file_id of a document, signature or stamp',
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		displayOptions: { show: { operation: operations } },
		hint: 'The name of the output binary field to put the image in',
	},
	optionsCollection(operations, [
		{
			displayName: 'File Name',
			name: 'fileName',
			type: 'string',
			default: '',
			description: 'Name of the output file. By default it is built from the request ID and the file ID.',
		},
		maxRequestsPerSecondOption,
		maxRetriesOption,
		requestTimeoutOption,
	]),
];

/** Get Result Image: one result image per input item, in the binary field the user named. */
async function resultImageItem(this: IExecuteFunctions, itemIndex: number, item: INodeExecutionData): Promise<INodeExecutionData> {
	const requestId = String(this.getNodeParameter('requestId', itemIndex, '') ?? '');
	const fileId = String(this.getNodeParameter('fileId', itemIndex, '') ?? '');
	const property = String(this.getNodeParameter('binaryPropertyName', itemIndex, 'data') ?? '').trim() || 'data';
	const options = readOptions.call(this, itemIndex);
	const given = typeof options.fileName === 'string' ? options.fileName.trim() : '';
	const stored = await storeResultImage.call(this, itemIndex, { requestId, fileId }, readRequestSettings.call(this, itemIndex, options), given);
	return {
		json: { request_id: requestId.trim(), file_id: fileId.trim(), fileName: stored.fileName, mimeType: stored.mimeType },
		binary: { ...(item.binary ?? {}), [property]: stored.binary },
	};
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await eachItem.call(this, items, async (itemIndex) => [await resultImageItem.call(this, itemIndex, items[itemIndex])]);
}
