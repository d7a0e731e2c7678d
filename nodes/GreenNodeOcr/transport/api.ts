import type FormData from 'form-data';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { checkId, joinPath } from '../helpers/ids';
import { apiRequest, binaryRequest, type CallContext, type StreamResponse } from './index';

/** The GreenNode IDP endpoints, one function each. IDs are checked and encoded here, nowhere else. */

export function idSegment(this: IExecuteFunctions, label: string, raw: unknown, itemIndex: number): string {
	const check = checkId(raw);
	if (!check.ok) {
		throw new NodeOperationError(this.getNode(), `The ${label} is not valid: ${check.reason}`, {
			itemIndex,
			description: `Pass the ${label} exactly as GreenNode returned it (for example with an expression such as {{ $json.request_id }}).`,
		});
	}
	return check.segment;
}

export async function submitDocument(
	this: IExecuteFunctions,
	itemIndex: number,
	form: () => Promise<FormData>,
	docType: string | undefined,
): Promise<IDataObject> {
	const ctx: CallContext = { itemIndex, action: 'Submit', docType };
	return await apiRequest.call(this, ctx, {
		method: 'POST',
		path: joinPath(['ocr', 'ingest']),
		body: form,
		retry: 'notReached',
	});
}

export async function getResult(this: IExecuteFunctions, itemIndex: number, requestId: string): Promise<IDataObject> {
	const segment = idSegment.call(this, 'Request ID', requestId, itemIndex);
	const ctx: CallContext = { itemIndex, action: 'Get Result', requestId: String(requestId).trim() };
	return await apiRequest.call(this, ctx, { method: 'GET', path: joinPath(['ocr', 'ingest', segment]), retry: 'idempotent' });
}

export type DocumentPart = 'table' | 'signature' | 'stamp';

const PART_ACTION: Record<DocumentPart, string> = { table: 'Get Table', signature: 'Get Signature', stamp: 'Get Stamp' };

export async function getDocumentPart(
	this: IExecuteFunctions,
	part: DocumentPart,
	itemIndex: number,
	requestId: string,
	documentId: string,
): Promise<IDataObject> {
	const requestSegment = idSegment.call(this, 'Request ID', requestId, itemIndex);
	const documentSegment = idSegment.call(this, 'Document ID', documentId, itemIndex);
	const ctx: CallContext = { itemIndex, action: PART_ACTION[part], requestId: String(requestId).trim() };
	return await apiRequest.call(this, ctx, {
		method: 'GET',
		path: joinPath(['ocr', 'ingest', part, requestSegment, documentSegment]),
		retry: 'idempotent',
	});
}

export async function getResultFile(
	this: IExecuteFunctions,
	itemIndex: number,
	requestId: string,
	fileId: string,
): Promise<StreamResponse> {
	const requestSegment = idSegment.call(this, 'Request ID', requestId, itemIndex);
	const fileSegment = idSegment.call(this, 'File ID', fileId, itemIndex);
	const ctx: CallContext = { itemIndex, action: 'Get Result Image', requestId: String(requestId).trim() };
	return await binaryRequest.call(this, ctx, {
		method: 'GET',
		path: joinPath(['ocr', 'ingest', 'file', requestSegment, fileSegment]),
		retry: 'idempotent',
	});
}
