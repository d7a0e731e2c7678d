import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { checkId, joinPath } from '../helpers/ids';
import { fileCall, jsonCall, type AnswerHints } from './calls';
import type { CallContext } from './errors';
import type { RequestSettings, StreamAnswer } from './request';

/** The GreenNode IDP endpoints, one function each. IDs are checked and encoded here, nowhere else. */

export type { RequestSettings, StreamAnswer };

function idSegment(this: IExecuteFunctions, label: string, raw: unknown, itemIndex: number): string {
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
	body: () => Promise<{ type: string }>,
	docType: string | undefined,
	settings: RequestSettings,
): Promise<IDataObject> {
	const ctx: CallContext = { itemIndex, action: 'Submit', docType };
	return await jsonCall.call(this, ctx, { method: 'POST', path: joinPath(['ocr', 'ingest']), body, retry: 'notReached' }, settings);
}

export async function getResult(
	this: IExecuteFunctions,
	itemIndex: number,
	requestId: unknown,
	settings: RequestSettings,
	seen?: AnswerHints,
): Promise<IDataObject> {
	const segment = idSegment.call(this, 'Request ID', requestId, itemIndex);
	const ctx: CallContext = { itemIndex, action: 'Get Result', requestId: String(requestId).trim() };
	return await jsonCall.call(this, ctx, { method: 'GET', path: joinPath(['ocr', 'ingest', segment]), retry: 'idempotent' }, settings, seen);
}

/** The parts of a document with an endpoint of their own, named as in Include and in the output. */
export type DocumentPart = 'tables' | 'signatures' | 'stamps';

const PART_ENDPOINT: Record<DocumentPart, { path: string; action: string }> = {
	tables: { path: 'table', action: 'Get Table' },
	signatures: { path: 'signature', action: 'Get Signature' },
	stamps: { path: 'stamp', action: 'Get Stamp' },
};

export async function getDocumentPart(
	this: IExecuteFunctions,
	part: DocumentPart,
	itemIndex: number,
	ids: { requestId: unknown; documentId: unknown },
	settings: RequestSettings,
): Promise<IDataObject> {
	const requestSegment = idSegment.call(this, 'Request ID', ids.requestId, itemIndex);
	const documentSegment = idSegment.call(this, 'Document ID', ids.documentId, itemIndex);
	const { path, action } = PART_ENDPOINT[part];
	const ctx: CallContext = { itemIndex, action, requestId: String(ids.requestId).trim() };
	return await jsonCall.call(
		this,
		ctx,
		{ method: 'GET', path: joinPath(['ocr', 'ingest', path, requestSegment, documentSegment]), retry: 'idempotent' },
		settings,
	);
}

/** Reads a result image with `consume`; may follow a redirect to object storage, without the key. */
export async function getResultImage<T>(
	this: IExecuteFunctions,
	itemIndex: number,
	ids: { requestId: unknown; fileId: unknown },
	settings: RequestSettings,
	consume: (answer: StreamAnswer) => Promise<T>,
): Promise<T> {
	const requestSegment = idSegment.call(this, 'Request ID', ids.requestId, itemIndex);
	const fileSegment = idSegment.call(this, 'File ID', ids.fileId, itemIndex);
	const ctx: CallContext = {
		itemIndex,
		action: 'Get Result Image',
		requestId: String(ids.requestId).trim(),
		fileId: String(ids.fileId).trim(),
	};
	const spec = { method: 'GET', path: joinPath(['ocr', 'ingest', 'file', requestSegment, fileSegment]), retry: 'idempotent', foreignRedirects: true } as const;
	return (await fileCall.call(this, ctx, spec, settings, consume)) as T;
}
