// The documents the queue-mode suite uploads, and the upload itself: a multipart POST to a
// workflow's webhook, as a caller of the published workflow sends it.
import { createHash, randomUUID } from 'node:crypto';

import { samplePdf } from './files.mjs';

const DOC_TYPES = ['INVOICE', 'ID', 'BANK_STATEMENT', 'CONTRACT'];

function sha256(buffer) {
	return createHash('sha256').update(buffer).digest('hex');
}

/** `count` different documents: a PDF each, a doc type each, every 7th one without tables. */
export function makeDocuments(prefix, count) {
	const docs = [];
	for (let i = 1; i <= count; i++) {
		const number = String(i).padStart(3, '0');
		const tables = i % 7 !== 0;
		const name = `${prefix}-${number}${tables ? '' : '-notable'}.pdf`;
		const bytes = samplePdf(`${prefix.toUpperCase()} DOCUMENT ${number} ${randomUUID()}`);
		docs.push({ id: `${prefix}-${number}`, name, bytes, sha256: sha256(bytes), docType: DOC_TYPES[i % DOC_TYPES.length], tables });
	}
	return docs;
}

/** The invoice uploaded while a worker is killed; `id` is its document key. */
export function crashDocument(id) {
	const bytes = samplePdf(`CRASH TEST ${id} ${randomUUID()}`);
	return { id, name: `${id}-slow-invoice.pdf`, bytes, sha256: sha256(bytes), docType: 'INVOICE', tables: true };
}

/**
 * A multipart upload of `doc` to a webhook: file field `data`, fields `docType` and `documentKey`.
 * Resolves with { status, body } (the body parsed when it is JSON); status 0 when no answer came
 * within `timeoutMs` or the request failed.
 */
export async function post(url, doc, timeoutMs = 180000) {
	const form = new FormData();
	form.append('data', new Blob([doc.bytes], { type: 'application/pdf' }), doc.name);
	form.append('docType', doc.docType);
	form.append('documentKey', doc.id);
	let response;
	try {
		response = await fetch(url, { method: 'POST', body: form, signal: AbortSignal.timeout(timeoutMs) });
	} catch (error) {
		return { status: 0, body: error.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : error.message };
	}
	const text = await response.text();
	let body;
	try {
		body = JSON.parse(text);
	} catch {
		body = text;
	}
	return { status: response.status, body };
}
