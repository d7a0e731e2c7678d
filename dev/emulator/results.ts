/** What the GET routes of a job answer: the result poll, tables, signatures, stamps and files. */
import { documentParts, doneDocument, emptyDocument, SIGNATURE_FILE_ID, STAMP_FILE_ID } from './content';
import { PAGE_JPEG, PAGE_PNG, SIGNATURE_PNG, STAMP_PNG } from './images';
import { currentPhase, jobDocuments, Phase, phaseOf } from './jobs';
import { json, message, Reply, toBuffer } from './replies';
import type { EmulatorState, Job } from './types';

function resultBody(job: Job, phase: Phase): Reply {
	const documents = jobDocuments(job);
	const total = documents.length;
	const progress = { total_doc: total, ignored: 0, finished: phase === 'done' ? total : 0 };
	const data = { request_id: job.requestId };
	switch (phase) {
		case 'processing':
			return json(200, { data: { ...data, status: 'PROCESSING', progress, documents: [] } });
		case 'failed':
			return json(200, {
				data: { ...data, status: 'FAILED', message: job.scenario.failMessage, progress, documents: [] },
			});
		case 'empty':
			return json(200, { data: { ...data, status: 'COMPLETED', progress, documents: documents.map(emptyDocument) } });
		case 'done':
			return json(200, {
				data: {
					...data,
					status: 'COMPLETED',
					progress,
					documents: documents.map(doneDocument),
					extra_field: { engine_version: 'emulator-1', pages: job.fileIds.length },
				},
			});
	}
}

/** Answers a result poll, counting it. */
export function pollRoute(job: Job): Reply {
	job.polls += 1;
	const phase = phaseOf(job, job.polls, Date.now());
	const reply = resultBody(job, phase);
	if (phase === 'processing' && job.scenario.retryAfterSeconds !== undefined) reply.headers['retry-after'] = String(job.scenario.retryAfterSeconds);
	return reply;
}

export function documentRoute(kind: 'table' | 'signature' | 'stamp', job: Job, documentId: string): Reply {
	const phase = currentPhase(job, Date.now());
	const document = jobDocuments(job).find((doc) => doc.documentId === documentId);
	if (phase === 'failed' || !document) {
		return message(404, 'document_id not found');
	}
	if (phase !== 'done') {
		return message(404, 'document not ready');
	}
	const first = document.documentId === 'doc-1';
	const data: Record<string, unknown> = { request_id: job.requestId, document_id: document.documentId };
	const key = kind === 'table' ? 'tables' : kind === 'signature' ? 'signatures' : 'stamps';
	data[key] = first && (kind !== 'table' || job.scenario.tables) ? documentParts(kind, document) : [];
	return json(200, { data });
}

function imageFor(fileId: string): Buffer | undefined {
	if (fileId === SIGNATURE_FILE_ID) {
		return SIGNATURE_PNG;
	}
	if (fileId === STAMP_FILE_ID) {
		return STAMP_PNG;
	}
	if (fileId.endsWith('.png')) {
		return PAGE_PNG;
	}
	if (fileId.endsWith('.jpg') || fileId.endsWith('.jpeg')) {
		return PAGE_JPEG;
	}
	return undefined;
}

/** A page image at any time; a signature or stamp crop once done; a file override in any case. */
export function fileRoute(state: EmulatorState, job: Job, fileId: string): Reply {
	const override = state.fileOverrides.get(fileId);
	if (override) {
		return {
			status: override.status ?? 200,
			headers: { 'content-type': override.contentType ?? 'application/octet-stream', ...override.headers },
			body: toBuffer(override.body ?? ''),
		};
	}
	let image: Buffer | undefined;
	if (job.fileIds.includes(fileId)) {
		image = imageFor(fileId);
	} else if (fileId === SIGNATURE_FILE_ID || fileId === STAMP_FILE_ID) {
		const phase = currentPhase(job, Date.now());
		if (phase === 'failed') {
			return message(404, 'file_id not found');
		}
		if (phase !== 'done') {
			return message(404, 'file not ready');
		}
		image = imageFor(fileId);
	}
	if (!image) {
		return message(404, 'file_id not found');
	}
	const contentType = state.filesAsOctetStream
		? 'application/octet-stream'
		: fileId.endsWith('.png')
			? 'image/png'
			: 'image/jpeg';
	return { status: 200, headers: { 'content-type': contentType }, body: image };
}
