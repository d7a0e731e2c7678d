import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { describeBody } from '../helpers/errors';
import { extensionForMime, sniffFormat } from '../helpers/sniff';
import { peekStream } from '../helpers/stream';
import { getResultFile } from '../transport/api';
import { header } from '../transport/index';
import {
	maxRetriesOption,
	optionsCollection,
	requestTimeoutOption,
	runPerItem,
} from './common';
import { requestIdField } from './getResult.operation';

const show = { operation: ['getFile'] };

export const description: INodeProperties[] = [
	requestIdField('getFile'),
	{
		displayName: 'File ID',
		name: 'fileId',
		type: 'string',
		default: '',
		required: true,
		placeholder: '6f1c2a9e_page_1.jpg',
		displayOptions: { show },
		description: 'One of the file_ids returned by Submit (file_ids), or the file_id of a document, signature or stamp',
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		displayOptions: { show },
		hint: 'The name of the output binary field to put the image in',
	},
	optionsCollection(show.operation, [
		{
			displayName: 'File Name',
			name: 'fileName',
			type: 'string',
			default: '',
			description: 'Name of the output file. By default it is built from the request ID and the file ID.',
		},
		maxRetriesOption,
		requestTimeoutOption,
	]),
];

/** "6f1c/2a9e", "page_1.jpg" → "6f1c_2a9e-page_1.png": only safe characters, the real extension. */
export function buildFileName(requestId: string, fileId: string, extension: string): string {
	const safe = (text: string) => text.replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^[._]+/, '');
	const stem = fileId.trim().replace(/\.[a-z0-9]{1,5}$/i, '');
	return `${safe(requestId.trim()).slice(0, 80)}-${safe(stem).slice(0, 80) || 'file'}.${extension}`;
}

async function fetchImage(this: IExecuteFunctions, itemIndex: number, item: INodeExecutionData): Promise<INodeExecutionData> {
	const requestId = String(this.getNodeParameter('requestId', itemIndex, '') ?? '');
	const fileId = String(this.getNodeParameter('fileId', itemIndex, '') ?? '');
	const property = (this.getNodeParameter('binaryPropertyName', itemIndex, 'data') as string).trim() || 'data';
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const response = await getResultFile.call(this, itemIndex, requestId, fileId);
	const { head, stream } = await peekStream(response.body, 64);
	const declared = (header(response.headers, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
	const sniffed = sniffFormat(head);
	const where = `file_id "${fileId.trim()}" of request_id "${requestId.trim()}"`;
	if (head.length === 0) {
		stream.destroy();
		throw new NodeOperationError(this.getNode(), `GreenNode returned an empty file for ${where}`, {
			itemIndex,
			description: 'The result image is not there (yet). Check the file ID, or wait until Get Result is complete and try again.',
		});
	}
	const mimeType = sniffed?.mime.startsWith('image/') ? (declared.startsWith('image/') ? declared : sniffed.mime) : undefined;
	if (!mimeType) {
		stream.destroy();
		throw new NodeOperationError(this.getNode(), `GreenNode did not return an image for ${where}`, {
			itemIndex,
			description: `It returned ${declared ? `"${declared}" content` : 'content'} starting with ${describeBody(head.toString('utf8'), declared)}. Check the file ID: it comes from file_ids of Submit or a file_id in the result.`,
		});
	}
	const extension = extensionForMime(mimeType) ?? sniffed?.extension ?? 'bin';
	const given = typeof options.fileName === 'string' ? options.fileName.trim() : '';
	const fileName = given || buildFileName(requestId, fileId, extension);
	const binary = await this.helpers.prepareBinaryData(stream, fileName, mimeType);
	return {
		json: { request_id: requestId.trim(), file_id: fileId.trim(), fileName, mimeType },
		binary: { ...(item.binary ?? {}), [property]: binary },
	};
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem.call(this, items, async (itemIndex) => [await fetchImage.call(this, itemIndex, items[itemIndex])]);
}
