import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { mapWithConcurrency } from '../helpers/concurrency';
import { classifyResult, markEmptyDocuments } from '../helpers/result';
import { pauseFor } from '../helpers/retry';
import { formatSeconds } from '../helpers/values';
import type { AnswerHints } from '../transport/calls';
import { getResult, type RequestSettings } from '../transport/endpoints';
import { isNotFound } from '../transport/errors';

/**
 * Waits for many results together: every round asks for each pending request whose turn has come
 * (at most `concurrency` in flight), so N documents take about as long as the slowest one. A wait
 * ends within its Timeout plus at most one Request Timeout, whatever the server does.
 */

const MIN_RETRY_AFTER_MS = 250;

export interface WaitSettings {
	pollIntervalMs: number;
	timeoutMs: number;
	/** How long a finished result may stay without content before it is output as empty. */
	emptyResultWaitMs: number;
	request: RequestSettings;
}

export interface PendingRequest {
	itemIndex: number;
	requestId: string;
	settings: WaitSettings;
	/** When it was submitted (ms since epoch): its first check is one Poll Interval later. Unset: check at once. */
	submittedAt?: number;
}

/** `gone`: GreenNode no longer knows the request_id (404) or the job failed: only a new submission helps. */
export type WaitOutcome = { ok: true; data: IDataObject } | { ok: false; error: Error; gone?: boolean };

interface Tracked extends PendingRequest {
	deadline: number;
	nextPoll: number;
	lastReason?: string;
	/** When the result was first seen finished but empty, and that answer. */
	emptySince?: number;
	emptyData?: IDataObject;
}

function stoppedError(this: IExecuteFunctions, request: Tracked): Error {
	return new NodeOperationError(this.getNode(), `Stopped while waiting for request_id "${request.requestId}"`, {
		itemIndex: request.itemIndex,
		description: 'The execution was cancelled. Use Get Result with this request_id to fetch the result later.',
	});
}

function jobFailedError(this: IExecuteFunctions, request: Tracked, reason: string): Error {
	return new NodeOperationError(this.getNode(), `GreenNode could not process request_id "${request.requestId}" (${reason})`, {
		itemIndex: request.itemIndex,
		description: `The OCR job failed on the GreenNode side. Check that the file is a readable PDF or image of the expected document type. If it keeps failing, send the request_id "${request.requestId}", the time of the call and the file to GreenNode support.`,
	});
}

function timeoutError(this: IExecuteFunctions, request: Tracked, waited: number): Error {
	return new NodeOperationError(this.getNode(), `No result for request_id "${request.requestId}" after waiting ${formatSeconds(waited)}`, {
		itemIndex: request.itemIndex,
		description:
			`GreenNode is still processing (${request.lastReason ?? 'no content yet'}). ` +
			`Fetch it later with the Get Result operation and this request_id, or raise the Timeout option (now ${formatSeconds(request.settings.timeoutMs)}). ` +
			'If it never completes, send the request_id, the time of the call and the file to GreenNode support.',
	});
}

/** Polls one request once and returns its outcome when it has one. */
async function poll(this: IExecuteFunctions, request: Tracked): Promise<WaitOutcome | undefined> {
	const polledAt = Date.now();
	const { settings } = request;
	request.nextPoll = Math.min(polledAt + settings.pollIntervalMs, request.deadline);
	const seen: AnswerHints = {};
	const data = await getResult.call(this, request.itemIndex, request.requestId, { ...settings.request, deadline: request.deadline }, seen);
	const state = classifyResult(data);
	if (state.state === 'done') return { ok: true, data };
	if (state.state === 'failed') return { ok: false, error: jobFailedError.call(this, request, state.reason), gone: true };
	request.lastReason = state.reason;
	if (state.state === 'pending') {
		request.emptySince = undefined;
		// GreenNode's Retry-After wins over the Poll Interval, longer or shorter (within the Timeout; never
		// sooner than 250 ms, so that "Retry-After: 0" cannot make a busy loop).
		if (seen.retryAfterMs !== undefined) request.nextPoll = Math.min(polledAt + Math.max(seen.retryAfterMs, MIN_RETRY_AFTER_MS), request.deadline);
		return undefined;
	}
	// Finished but empty: give the content a bounded time to arrive, then output what there is.
	request.emptySince ??= polledAt;
	request.emptyData = data;
	const settleAt = request.emptySince + settings.emptyResultWaitMs;
	if (polledAt >= settleAt) return { ok: true, data: markEmptyDocuments(data) };
	request.nextPoll = Math.min(request.nextPoll, settleAt);
	return undefined;
}

export async function waitForResults(
	this: IExecuteFunctions,
	requests: PendingRequest[],
	concurrency: number,
): Promise<Map<number, WaitOutcome>> {
	const outcomes = new Map<number, WaitOutcome>();
	const started = Date.now();
	const cancelSignal = this.getExecutionCancelSignal?.();
	// A document just submitted is not read yet: its first check waits one interval from its own upload.
	const firstPoll = (request: PendingRequest) =>
		request.submittedAt === undefined ? started : Math.max(started, request.submittedAt + request.settings.pollIntervalMs);
	let pending: Tracked[] = requests.map((request) => ({
		...request,
		deadline: started + request.settings.timeoutMs,
		nextPoll: Math.min(firstPoll(request), started + request.settings.timeoutMs),
	}));

	while (pending.length > 0) {
		if (cancelSignal?.aborted) {
			for (const request of pending) outcomes.set(request.itemIndex, { ok: false, error: stoppedError.call(this, request) });
			break;
		}
		const now = Date.now();
		const due = pending.filter((request) => request.nextPoll <= now);
		await mapWithConcurrency(due, concurrency, async (request) => {
			try {
				const outcome = await poll.call(this, request);
				if (outcome) outcomes.set(request.itemIndex, outcome);
			} catch (error) {
				outcomes.set(request.itemIndex, { ok: false, error: error as Error, gone: isNotFound(error) });
			}
		});
		const after = Date.now();
		pending = pending.filter((request) => {
			if (outcomes.has(request.itemIndex)) return false;
			if (!due.includes(request) || after < request.deadline) return true;
			outcomes.set(
				request.itemIndex,
				request.emptyData
					? { ok: true, data: markEmptyDocuments(request.emptyData) }
					: { ok: false, error: timeoutError.call(this, request, after - started) },
			);
			return false;
		});
		if (pending.length === 0) break;
		const delay = Math.min(...pending.map((request) => request.nextPoll)) - Date.now();
		if (delay > 0) await pauseFor(delay, cancelSignal);
	}
	return outcomes;
}
