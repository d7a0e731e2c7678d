import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { documentIds } from '../helpers/documents';
import { getDocumentPart, getResult, type DocumentPart } from '../transport/endpoints';
import { documentIdField, maxRequestsPerSecondOption, maxRetriesOption, optionsCollection, requestIdField, requestTimeoutOption } from './fields';
import { eachItem } from './runner';
import { readRequestSettings } from './settings';

/** What Get Table, Get Signature and Get Stamp share: the same call on a different endpoint. */

export function partDescription(operation: string, extraOptions: INodeProperties[] = []): INodeProperties[] {
	return [
		requestIdField([operation]),
		documentIdField([operation]),
		optionsCollection([operation], [maxRequestsPerSecondOption, maxRetriesOption, requestTimeoutOption, ...extraOptions]),
	];
}

/**
 * Runs the part's call for every item; `shape` turns one answer into output items. An empty
 * Document ID means every document of the request, read from its result.
 */
export async function executePart(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	part: DocumentPart,
	shape: (data: IDataObject, itemIndex: number) => INodeExecutionData[] = (data) => [{ json: data }],
): Promise<INodeExecutionData[]> {
	return await eachItem.call(this, items, async (itemIndex) => {
		const requestId = this.getNodeParameter('requestId', itemIndex, '') as unknown;
		const documentId = this.getNodeParameter('documentId', itemIndex, '') as unknown;
		const settings = readRequestSettings.call(this, itemIndex);
		const every = documentId === undefined || documentId === null || (typeof documentId === 'string' && documentId.trim() === '');
		if (!every) return shape(await getDocumentPart.call(this, part, itemIndex, { requestId, documentId }, settings), itemIndex);
		const ids = documentIds(await getResult.call(this, itemIndex, requestId, settings));
		const output: INodeExecutionData[] = [];
		for (const id of ids) {
			const data = await getDocumentPart.call(this, part, itemIndex, { requestId, documentId: id }, settings);
			for (const item of shape(data, itemIndex)) output.push({ ...item, json: { document_id: id, ...item.json } });
		}
		return output;
	});
}
