import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { getResult } from '../transport/api';
import { mapWithConcurrency } from './concurrency';
import { classifyResult } from './result';

/**
 * Polls many requests together: every round asks for each pending request whose turn has come
 * (at most `concurrency` in flight), so N documents take about as long as the slowest one.
 */

export interface PendingRequest {
	itemIndex: number;
	requestId: string;
	/** Seconds between polls of this request. */
	pollInterval: number;
	/** Seconds to wait for this request before giving up. */
	timeout: number;
}

export type PollOutcome = { ok: true; data: IDataObject } | { ok: false; error: Error };

export interface PollSettings {
	concurrency: number;
}

export function formatSeconds(ms: number): string {
	const seconds = Math.round(ms / 100) / 10;
	return `${seconds} s`;
}

export async function waitForResults(
	this: IExecuteFunctions,
	requests: PendingRequest[],
	settings: PollSettings,
): Promise<Map<number, PollOutcome>> {
	const outcomes = new Map<number, PollOutcome>();
	const started = Date.now();
	const nextPoll = new Map<number, number>();
	const lastState = new Map<number, string>();
	for (const request of requests) nextPoll.set(request.itemIndex, started);
	const cancelSignal = this.getExecutionCancelSignal?.();

	let pending = requests;
	while (pending.length > 0) {
		if (cancelSignal?.aborted) {
			for (const request of pending) {
				outcomes.set(request.itemIndex, {
					ok: false,
					error: new NodeOperationError(this.getNode(), `Stopped while waiting for request_id "${request.requestId}"`, {
						itemIndex: request.itemIndex,
						description: 'The execution was cancelled. Use Get Result with this request_id to fetch the result later.',
					}),
				});
			}
			break;
		}
		const now = Date.now();
		const due = pending.filter((request) => (nextPoll.get(request.itemIndex) ?? now) <= now);
		await mapWithConcurrency(due, settings.concurrency, async (request) => {
			// The next poll is one interval after this one started, not after its answer came back.
			const polledAt = Date.now();
			try {
				const data = await getResult.call(this, request.itemIndex, request.requestId);
				const state = classifyResult(data);
				if (state.state === 'done') {
					outcomes.set(request.itemIndex, { ok: true, data });
				} else if (state.state === 'failed') {
					outcomes.set(request.itemIndex, {
						ok: false,
						error: new NodeOperationError(this.getNode(), `GreenNode could not process request_id "${request.requestId}" (${state.reason})`, {
							itemIndex: request.itemIndex,
							description: `The OCR job failed on the GreenNode side. Check that the file is a readable PDF or image of the expected document type. If it keeps failing, send the request_id "${request.requestId}", the time of the call and the file to GreenNode support.`,
						}),
					});
				} else {
					lastState.set(request.itemIndex, state.reason);
				}
			} catch (error) {
				outcomes.set(request.itemIndex, { ok: false, error: error as Error });
			}
			const deadline = started + request.timeout * 1000;
			nextPoll.set(request.itemIndex, Math.min(polledAt + request.pollInterval * 1000, deadline));
		});

		const after = Date.now();
		pending = pending.filter((request) => {
			if (outcomes.has(request.itemIndex)) return false;
			const waited = after - started;
			if (due.includes(request) && waited >= request.timeout * 1000) {
				outcomes.set(request.itemIndex, {
					ok: false,
					error: new NodeOperationError(
						this.getNode(),
						`No result for request_id "${request.requestId}" after waiting ${formatSeconds(waited)}`,
						{
							itemIndex: request.itemIndex,
							description:
								`GreenNode is still processing (${lastState.get(request.itemIndex) ?? 'no content yet'}). ` +
								`Fetch it later with the Get Result operation and this request_id, or raise the Timeout option (now ${request.timeout} s). ` +
								`If it never completes, send the request_id, the time of the call and the file to GreenNode support.`,
						},
					),
				});
				return false;
			}
			return true;
		});
		if (pending.length === 0) break;
		const wakeAt = Math.min(...pending.map((request) => nextPoll.get(request.itemIndex) ?? after));
		const delay = wakeAt - Date.now();
		if (delay > 0) await sleep(delay);
	}
	return outcomes;
}
