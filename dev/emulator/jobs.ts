/**
 * Jobs and their phases. A job answers "processing", then "terminal but empty" (COMPLETED
 * with no content, as the live API has been seen to answer), then done, on successive result
 * polls or on a clock. The file name steers it: `fail` ends FAILED, `stuck` never gains
 * content, `notable` has no tables. Words that choose the content itself are listed in content.ts.
 */
import { randomUUID } from 'crypto';
import { contentWords, singleDocument, type DocumentSpec } from './content';
import type { EmulatorSettings, Job, JobOutcome, RecordedFile, ScenarioHook } from './types';

export const FAIL_MESSAGE = 'Document could not be processed';

export type Phase = 'processing' | 'empty' | 'done' | 'failed';

/** An accepted upload. */
export interface JobRequest {
	portalUserId: string;
	flow: string;
	docType: string;
	fileType: 'PDF' | 'IMAGE';
	file: RecordedFile;
	fields: Record<string, string>;
}

function scenarioFromFileName(fileName: string): { outcome: JobOutcome; tables: boolean } {
	const lower = fileName.toLowerCase();
	const outcome: JobOutcome = lower.includes('fail') ? 'fail' : lower.includes('stuck') ? 'stuck' : 'ok';
	return { outcome, tables: !lower.includes('notable') };
}

/** A new job: one page for an image, two for a PDF; the file-name scenario, then the hook's answer. */
export function createJob(request: JobRequest, settings: EmulatorSettings, hook?: ScenarioHook): Job {
	const { file } = request;
	const requestId = randomUUID();
	const prefix = requestId.slice(0, 8);
	const fromName = scenarioFromFileName(file.fileName);
	const job: Job = {
		requestId,
		portalUserId: request.portalUserId,
		flow: request.flow,
		docType: request.docType === '' ? undefined : request.docType,
		fileType: request.fileType,
		fileName: file.fileName,
		mimeType: file.mimeType,
		size: file.size,
		sha256: file.sha256,
		fileIds: request.fileType === 'PDF' ? [`${prefix}_page_1.jpg`, `${prefix}_page_2.png`] : [`${prefix}_page_1.jpg`],
		fields: { ...request.fields },
		polls: 0,
		createdAt: Date.now(),
		outcome: fromName.outcome,
		scenario: {
			tables: fromName.tables,
			pendingPolls: settings.pendingPolls,
			emptyPolls: settings.emptyPolls,
			processingDelayMs: settings.processingDelayMs,
			failMessage: FAIL_MESSAGE,
		},
	};
	const { outcome, ...scenario } = hook?.(job) ?? {};
	if (outcome !== undefined) {
		job.outcome = outcome;
	}
	for (const [key, value] of Object.entries(scenario)) {
		if (value !== undefined) {
			(job.scenario as unknown as Record<string, unknown>)[key] = value;
		}
	}
	return job;
}

/**
 * The documents a job yields: one per page (two for a PDF), or one for the whole file when the
 * content says so (`twopage`, GET_TABLE), none for a `blank` one. Without a doc_type: an ID, then an invoice.
 */
export function jobDocuments(job: Job): DocumentSpec[] {
	if (contentWords(job.fileName).blank) return [];
	const single = singleDocument(job.docType, job.fileName);
	const fileIds = single ? job.fileIds.slice(0, 1) : job.fileIds;
	return fileIds.map((fileId, index) => ({
		documentId: `doc-${index + 1}`,
		docType: job.docType ?? (index === 0 && !single ? 'ID' : 'INVOICE'),
		page: index + 1,
		fileId,
		fileName: job.fileName,
	}));
}

/** The phase of a job for its `answer`-th result poll (1-based), or by the clock. */
export function phaseOf(job: Job, answer: number, now: number): Phase {
	const { pendingPolls, emptyPolls, processingDelayMs } = job.scenario;
	let base: 'processing' | 'empty' | 'done';
	if (processingDelayMs > 0) {
		const elapsed = now - job.createdAt;
		base = elapsed < processingDelayMs * 0.6 ? 'processing' : elapsed < processingDelayMs ? 'empty' : 'done';
	} else {
		base = answer <= pendingPolls ? 'processing' : answer <= pendingPolls + emptyPolls ? 'empty' : 'done';
	}
	if (base === 'processing') {
		return base;
	}
	if (job.outcome === 'fail') {
		return 'failed';
	}
	if (job.outcome === 'stuck') {
		return 'empty';
	}
	return base;
}

/** Phase used by the table, signature, stamp and file routes: that of the last poll answered. */
export function currentPhase(job: Job, now: number): Phase {
	return phaseOf(job, Math.max(job.polls, 1), now);
}
