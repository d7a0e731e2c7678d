import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { classifyResult, markEmptyDocuments } from '../helpers/result';
import { pauseFor } from '../helpers/retry';
import { formatSeconds } from '../helpers/values';
import type { AnswerHints } from '../transport/calls';
import { getResult, type RequestSettings } from '../transport/endpoints';
import { isNotFound } from '../transport/errors';
import { PollPlan, type PlannedJob } from './plan';

/**
 * Waits for many results together, from the first upload of a batch to its last result: requests
 * join while the others are still being uploaded, and every round asks for each pending request
 * whose turn has come (at most `concurrency` in flight). The turns follow the batch's plan (plan.ts).
 * A wait ends within its Timeout plus at most one Request Timeout, whatever the server does.
 */

const MIN_RETRY_AFTER_MS = 250;
/** The waiter looks through its requests this often at least: requests join, turns move as the batch learns. */
const LOOK_AGAIN_MS = 250;

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
	/** When GreenNode accepted this run's upload of it (ms since epoch): its turns follow the batch's plan. Unset: check at once. */
	submittedAt?: number;
}

/** `gone`: GreenNode no longer knows the request_id (404) or the job failed: only a new submission helps. */
export type WaitOutcome = { ok: true; data: IDataObject } | { ok: false; error: Error; gone?: boolean };

interface Tracked extends PendingRequest, PlannedJob {
	deadline: number;
	/** A turn set by the answer (Retry-After, or a finished result still without content), before the plan's. */
	hold?: number;
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

/** Polls one request once, tells the plan what it found, and returns its outcome when it has one. */
async function poll(this: IExecuteFunctions, request: Tracked, plan: PollPlan): Promise<WaitOutcome | undefined> {
	const polledAt = Date.now();
	const { settings } = request;
	request.hold = undefined;
	const seen: AnswerHints = {};
	const data = await getResult.call(this, request.itemIndex, request.requestId, { ...settings.request, deadline: request.deadline, urgent: plan.teaches(request) }, seen);
	const state = classifyResult(data);
	plan.checked(request, polledAt, state.state !== 'pending');
	if (state.state === 'done') return { ok: true, data };
	if (state.state === 'failed') return { ok: false, error: jobFailedError.call(this, request, state.reason), gone: true };
	request.lastReason = state.reason;
	if (state.state === 'pending') {
		request.emptySince = undefined;
		// GreenNode's Retry-After wins over the plan, sooner or later (within the Timeout; never
		// sooner than 250 ms, so that "Retry-After: 0" cannot make a busy loop).
		if (seen.retryAfterMs !== undefined) request.hold = polledAt + Math.max(seen.retryAfterMs, MIN_RETRY_AFTER_MS);
		return undefined;
	}
	// Finished but empty: give the content a bounded time to arrive, then output what there is.
	request.emptySince ??= polledAt;
	request.emptyData = data;
	const settleAt = request.emptySince + settings.emptyResultWaitMs;
	if (polledAt >= settleAt) return { ok: true, data: markEmptyDocuments(data) };
	request.hold = Math.min(plan.nextPoll(request), settleAt);
	return undefined;
}

/**
 * The wait of one node run. Requests `add` themselves as their uploads are accepted; `close` says that
 * no more will come (or `stop`, that the run gives up); `finish` gives every outcome.
 */
export class ResultWaiter {
	private readonly plan: PollPlan;
	private readonly outcomes = new Map<number, WaitOutcome>();
	private readonly pending = new Set<Tracked>();
	/** Whether a check ended since the loop last looked, and how to tell a loop that waits for one. */
	private ended = false;
	private onEnd?: () => void;
	private closed = false;
	private stopped = false;
	/** When the loop next looks through the pending requests, and how to wake it sooner. */
	private next = 0;
	private wake?: () => void;
	private failure?: unknown;
	private readonly running: Promise<void>;

	/** `newJobs`: how many requests this run will upload and add (the plan scouts large batches). */
	constructor(
		private readonly context: IExecuteFunctions,
		private readonly concurrency: number,
		newJobs: number,
	) {
		this.plan = new PollPlan(newJobs);
		// Never a rejection nobody waits for: a failure is kept for finish().
		this.running = this.loop().catch((error: unknown) => {
			this.failure = error;
		});
	}

	add(request: PendingRequest): void {
		const tracked: Tracked = { ...request, intervalMs: request.settings.pollIntervalMs, deadline: Date.now() + request.settings.timeoutMs };
		this.plan.enroll(tracked);
		this.pending.add(tracked);
		this.lookBy(this.turn(tracked));
	}

	close(): void {
		this.closed = true;
		this.lookBy(0);
	}

	/** Gives up the wait (the run stops on an error): no more checks, no outcomes for what is pending. */
	stop(): void {
		this.stopped = true;
		this.close();
	}

	/** Has the loop look through the pending requests by `at` (ms since epoch), waking it if it sleeps longer. */
	private lookBy(at: number): void {
		if (at >= this.next) return;
		this.next = at;
		this.wake?.();
	}

	async finish(): Promise<Map<number, WaitOutcome>> {
		this.close();
		await this.running;
		if (this.failure !== undefined) throw this.failure;
		return this.outcomes;
	}

	private turn(request: Tracked): number {
		return Math.min(request.hold ?? this.plan.nextPoll(request), request.deadline);
	}

	/** One check of a request, its outcome recorded; a request past its deadline gets what there is. */
	private async check(request: Tracked): Promise<void> {
		const context = this.context;
		try {
			const outcome = await poll.call(context, request, this.plan);
			if (outcome) this.outcomes.set(request.itemIndex, outcome);
		} catch (error) {
			this.outcomes.set(request.itemIndex, { ok: false, error: error as Error, gone: isNotFound(error) });
		}
		const after = Date.now();
		if (!this.outcomes.has(request.itemIndex) && after >= request.deadline) {
			this.outcomes.set(
				request.itemIndex,
				request.emptyData
					? { ok: true, data: markEmptyDocuments(request.emptyData) }
					: { ok: false, error: timeoutError.call(context, request, after - (request.deadline - request.settings.timeoutMs)) },
			);
		}
		if (this.outcomes.has(request.itemIndex)) this.pending.delete(request);
	}

	/** Resolves when a check ends (at once if one ended since the loop last looked). */
	private checkEnded(): Promise<void> {
		if (this.ended) return Promise.resolve();
		return new Promise((resolve) => (this.onEnd = resolve));
	}

	/**
	 * Checks each request when its turn comes, at most `concurrency` at a time: a lane that frees takes
	 * the longest overdue request, so a turn is not held back by a slow batch of others. The pending
	 * requests are looked through when a turn may have come (the next turn, and every 250 ms), not at
	 * every answer: a batch of thousands costs no more per check than one.
	 */
	private async loop(): Promise<void> {
		const context = this.context;
		const cancelSignal = context.getExecutionCancelSignal?.();
		const checking = new Set<Tracked>();
		const running = new Set<Promise<void>>();
		/** Requests found due at the last look, longest overdue first; those from `taken` on are not started yet. */
		let due: Tracked[] = [];
		let taken = 0;
		for (;;) {
			this.ended = false;
			if (this.stopped) break;
			if (cancelSignal?.aborted) {
				for (const request of [...this.pending]) {
					if (checking.has(request)) continue;
					this.outcomes.set(request.itemIndex, { ok: false, error: stoppedError.call(context, request) });
					this.pending.delete(request);
				}
				if (this.closed && this.pending.size === 0) break;
				// Requests still joining are stopped as they come, until the uploads stop too.
				await sleep(LOOK_AGAIN_MS);
				continue;
			}
			if (this.closed && this.pending.size === 0) break;
			let now = Date.now();
			if (taken === due.length && now >= this.next) {
				const found: Array<{ request: Tracked; turn: number }> = [];
				// Looked through again at least every 250 ms: what the batch learns moves turns.
				let next = now + LOOK_AGAIN_MS;
				for (const request of this.pending) {
					if (checking.has(request)) continue;
					const turn = this.turn(request);
					if (turn > now) next = Math.min(next, turn);
					else found.push({ request, turn });
				}
				this.next = next;
				due = found.sort((a, b) => a.turn - b.turn).map(({ request }) => request);
				taken = 0;
			}
			while (taken < due.length && running.size < this.concurrency) {
				const request = due[taken++];
				if (!this.pending.has(request) || checking.has(request)) continue;
				checking.add(request);
				const task: Promise<void> = this.check(request).finally(() => {
					checking.delete(request);
					running.delete(task);
					// Still pending: its next turn may come before the one the loop waits for.
					if (this.pending.has(request)) this.next = Math.min(this.next, this.turn(request));
					this.ended = true;
					this.onEnd?.();
				});
				running.add(task);
			}
			// Wait for a free lane when there is more to start, or for the last answers; else for the next turn.
			const lastAnswers = this.closed && running.size > 0 && running.size === this.pending.size;
			if ((taken < due.length && running.size >= this.concurrency) || lastAnswers) await this.checkEnded();
			else if (taken === due.length) {
				now = Date.now();
				if (this.next > now) {
					await Promise.race([pauseFor(this.next - now, cancelSignal), new Promise<void>((resolve) => (this.wake = resolve))]);
					this.wake = undefined;
				}
			}
		}
		await Promise.all(running);
	}
}

/** Waits for requests that are all known now (Get Result; a second wait of Submit). */
export async function waitForResults(
	this: IExecuteFunctions,
	requests: PendingRequest[],
	concurrency: number,
): Promise<Map<number, WaitOutcome>> {
	const waiter = new ResultWaiter(this, concurrency, requests.filter((request) => request.submittedAt !== undefined).length);
	for (const request of requests) waiter.add(request);
	return await waiter.finish();
}
