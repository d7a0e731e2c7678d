import type { IDataObject } from 'n8n-workflow';

/**
 * What a Get Result answer means. The live API can report a terminal `status` before the
 * documents carry any OCR content, so a result is done only when the progress counters say every
 * document is finished or ignored AND each finished document has content.
 */
export type ResultState =
	| { state: 'done' }
	| { state: 'pending'; reason: string }
	| { state: 'failed'; reason: string };

const FAILED_WORDS = ['FAILED', 'FAILURE', 'FAIL', 'ERROR', 'CANCELLED', 'CANCELED', 'REJECTED', 'ABORTED'];
const TERMINAL_OK_WORDS = ['COMPLETED', 'COMPLETE', 'SUCCESS', 'SUCCEEDED', 'DONE', 'FINISHED'];

function asObject(value: unknown): IDataObject | undefined {
	return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as IDataObject) : undefined;
}

function asNumber(value: unknown): number | undefined {
	const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

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

	if (documents.length === 0) return { state: 'pending', reason: 'no documents in the result yet' };
	const ready = documents.every((document) => {
		if (!document) return false;
		const documentStatus = statusWord(document.status);
		if (FAILED_WORDS.includes(documentStatus) || documentStatus === 'IGNORED') return true;
		return documentHasContent(document);
	});
	if (!ready) return { state: 'pending', reason: 'documents have no OCR content yet' };

	const allFailed = documents.every((document) => FAILED_WORDS.includes(statusWord(document?.status)));
	if (allFailed) {
		const detail = failureText(documents[0] ?? {});
		return { state: 'failed', reason: `every document failed${detail ? `: ${detail}` : ''}` };
	}
	return { state: 'done' };
}
