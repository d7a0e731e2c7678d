import type { IExecuteFunctions } from 'n8n-workflow';

import { pauseFor } from '../helpers/retry';

/**
 * Max Requests per Second: one cap for every request of a node run to GreenNode (uploads, polls,
 * parts, images), whatever the Concurrency. Requests start evenly spaced, so that `cap` gaps
 * span a second and 250 ms: a request can take longer than the next to reach the server (about
 * 100 ms for the first uploads of a run on a quiet machine, more on a busy one), and the server
 * counts arrivals. A machine so busy that a request leaves more than 250 ms late can still put one
 * more in a second; a 429 then slows the run down. Files downloaded from a URL do not count.
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
const JITTER_MS = 250;

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
