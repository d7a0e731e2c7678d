import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { getDocumentPart, type DocumentPart } from '../transport/endpoints';
import { documentIdField, maxRetriesOption, optionsCollection, requestIdField, requestTimeoutOption } from './fields';
import { eachItem } from './runner';
import { readRequestSettings } from './settings';

/** What Get Table, Get Signature and Get Stamp share: the same call on a different endpoint. */

export function partDescription(operation: string, extraOptions: INodeProperties[] = []): INodeProperties[] {
	return [
		requestIdField([operation]),
		documentIdField([operation]),
		optionsCollection([operation], [maxRetriesOption, requestTimeoutOption, ...extraOptions]),
	];
}

/** Runs the part's call for every item; `shape` turns one answer into output items. */
export async function executePart(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	part: DocumentPart,
	shape: (data: IDataObject, itemIndex: number) => INodeExecutionData[] = (data) => [{ json: data }],
): Promise<INodeExecutionData[]> {
	return await eachItem.call(this, items, async (itemIndex) => {
		const ids = {
			requestId: this.getNodeParameter('requestId', itemIndex, '') as unknown,
			documentId: this.getNodeParameter('documentId', itemIndex, '') as unknown,
		};
		const data = await getDocumentPart.call(this, part, itemIndex, ids, readRequestSettings.call(this, itemIndex));
		return shape(data, itemIndex);
	});
}
