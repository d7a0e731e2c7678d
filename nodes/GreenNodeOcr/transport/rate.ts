import type { IExecuteFunctions } from 'n8n-workflow';

import { pauseFor } from '../helpers/retry';

/**
 * Max Requests per Second: one cap for every request of a node run to GreenNode (uploads, polls,
 * parts, images), whatever the Concurrency. Requests start evenly spaced, so that `cap` gaps
 * span a second and 150 ms: a request can take up to about 100 ms longer than the next to reach
 * the server (measured: the first uploads of a run), and the server counts arrivals, so no second
 * it sees holds more than the cap. Files downloaded from a URL do not count: they are not GreenNode's.
 */

class Spacing {
	private next = 0;

	constructor(private readonly gapMs: number) {}

	/** The time to wait before the next request may start; reserves its slot. */
	reserve(now: number): number {
		const at = Math.max(now, this.next);
		this.next = at + this.gapMs;
		return at - now;
	}
}

const caps = new WeakMap<object, Spacing>();
/** How much later a request may reach the server than the one started after it. */
const JITTER_MS = 150;

/** Sets the cap of this run (0: none). */
export function setRateCap(this: IExecuteFunctions, perSecond: number): void {
	if (perSecond > 0) caps.set(this, new Spacing((1000 + JITTER_MS) / perSecond));
	else caps.delete(this);
}

/** Waits for this request's slot under the run's cap (at once when there is none, or after Stop). */
export async function throttle(this: IExecuteFunctions): Promise<void> {
	const spacing = caps.get(this);
	if (!spacing) return;
	const wait = spacing.reserve(Date.now());
	if (wait > 0) await pauseFor(wait, this.getExecutionCancelSignal?.());
}
