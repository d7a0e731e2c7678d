import type { IDataObject } from 'n8n-workflow';

import { asNumber, asObject } from './values';

/**
 * What a Get Result answer means. The live API can report a terminal `status` before the
 * documents carry any OCR content, so a result is done only when the progress counters say every
 * document is finished or ignored AND each finished document has content.
 */
export type ResultState =
	| { state: 'done' }
	| { state: 'pending'; reason: string }
	/** Progress (or status) says finished, yet documents have no content: it may still fill, or never. */
	| { state: 'empty'; reason: string }
	| { state: 'failed'; reason: string };

const FAILED_WORDS = ['FAILED', 'FAILURE', 'FAIL', 'ERROR', 'CANCELLED', 'CANCELED', 'REJECTED', 'ABORTED'];
const TERMINAL_OK_WORDS = ['COMPLETED', 'COMPLETE', 'SUCCESS', 'SUCCEEDED', 'DONE', 'FINISHED'];

function statusWord(value: unknown): string {
	return typeof value === 'string' ? value.trim().toUpperCase() : '';
}

/** True when an `ocr_data` group list holds at least one extracted field. */
export function documentHasContent(document: IDataObject): boolean {
	const groups = document.ocr_data;
	if (!Array.isArray(groups)) return false;
	return groups.some((group) => {
		const values = asObject(group)?.value;
		if (Array.isArray(values)) return values.length > 0;
		return values !== undefined && values !== null && values !== '';
	});
}

function failureText(data: IDataObject): string {
	for (const key of ['message', 'error', 'reason', 'detail', 'error_message']) {
		const value = data[key];
		if (typeof value === 'string' && value.trim() !== '') return value.trim();
		const nested = asObject(value);
		if (nested && typeof nested.message === 'string') return nested.message;
	}
	return '';
}

export function classifyResult(data: IDataObject): ResultState {
	const status = statusWord(data.status);
	if (FAILED_WORDS.includes(status)) {
		const detail = failureText(data);
		return { state: 'failed', reason: `status ${status}${detail ? `: ${detail}` : ''}` };
	}

	const documents = Array.isArray(data.documents) ? (data.documents as unknown[]).map(asObject) : [];
	const progress = asObject(data.progress);
	const total = asNumber(progress?.total_doc);
	const finished = asNumber(progress?.finished) ?? 0;
	const ignored = asNumber(progress?.ignored) ?? 0;

	if (total !== undefined) {
		if (finished + ignored < total) {
			return { state: 'pending', reason: `${finished + ignored} of ${total} documents processed` };
		}
		if (total > 0 && ignored >= total) return { state: 'done' };
	} else if (!TERMINAL_OK_WORDS.includes(status)) {
		return { state: 'pending', reason: status ? `status ${status}` : 'no status yet' };
	}

	const settled = documents.length > 0 && documents.every(isSettled);
	if (!settled) {
		// Only a result that says it is finished may end up empty; anything else is still on its way.
		if (status !== '' && !TERMINAL_OK_WORDS.includes(status)) return { state: 'pending', reason: `status ${status}` };
		return {
			state: 'empty',
			reason: documents.length === 0 ? 'finished with no documents' : 'finished, but documents have no OCR content yet',
		};
	}

	const allFailed = documents.every((document) => FAILED_WORDS.includes(statusWord(document?.status)));
	if (allFailed) {
		const detail = failureText(documents[0] ?? {});
		return { state: 'failed', reason: `every document failed${detail ? `: ${detail}` : ''}` };
	}
	return { state: 'done' };
}

/** A document that needs nothing more: failed, ignored, or with content. */
function isSettled(document: IDataObject | undefined): boolean {
	if (!document) return false;
	const documentStatus = statusWord(document.status);
	if (FAILED_WORDS.includes(documentStatus) || documentStatus === 'IGNORED') return true;
	return documentHasContent(document);
}

/**
 * A finished result that stayed empty, output as it is: `empty: true` on each document without
 * content, and on the result when no document has any. Unknown keys (such as `schema`) pass through.
 */
export function markEmptyDocuments(data: IDataObject): IDataObject {
	const documents = Array.isArray(data.documents) ? (data.documents as unknown[]) : [];
	const marked = documents.map((document) => {
		const object = asObject(document);
		return object && !isSettled(object) ? { ...object, empty: true } : document;
	});
	const anyContent = marked.some((document) => asObject(document) !== undefined && documentHasContent(asObject(document) as IDataObject));
	return { ...data, documents: marked as IDataObject[], ...(anyContent ? {} : { empty: true }) };
}
