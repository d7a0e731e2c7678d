import type { RecordedRequest } from '../dev/emulator/server';

/**
 * Time limits that hold on a busy machine. A limit never names fixed milliseconds of its own: it is
 * what the node promises (a Timeout, a Request Timeout, both) plus what one workflow run costs on
 * this machine at the same moment, measured in the same test, with a generous factor on top.
 * A node that waits three times too long, or forever, still goes past it.
 */

export interface Timed<T> {
	value: T;
	ms: number;
}

export async function timed<T>(work: () => Promise<T>): Promise<Timed<T>> {
	const started = Date.now();
	const value = await work();
	return { value, ms: Date.now() - started };
}

export interface Measured<T> extends Timed<T> {
	/** What one run that does not wait costs here and now: the slower of the runs just before and just after. */
	costMs: number;
	/** What the emulator received during `work` (not during the runs around it), in order of arrival. */
	requests: RecordedRequest[];
}

/**
 * Times `work` between two runs of `quick`, a run of the same workflow that the server answers at
 * once. Whatever else the machine is doing slows `quick` too, so the allowance grows with the load.
 * `log` is the emulator's request log.
 */
export async function measure<T>(log: RecordedRequest[], quick: () => Promise<unknown>, work: () => Promise<T>): Promise<Measured<T>> {
	await quick(); // the first run of a test file also loads what every later run reuses
	const before = await timed(quick);
	const from = log.length;
	const measured = await timed(work);
	const requests = log.slice(from);
	const after = await timed(quick);
	return { ...measured, costMs: Math.max(before.ms, after.ms), requests };
}

/** How much slower than planned a run may be on a loaded machine before it counts as not keeping its bound. */
export const SLACK = 2;

/** The longest a run planned to wait `plannedMs` may take, given what a run costs here (`costMs`). */
export function allowance(plannedMs: number, costMs: number): number {
	return SLACK * (plannedMs + costMs);
}

/**
 * Date.now() and the timers both round to the millisecond: a gap the node waits out may read a few
 * milliseconds short. Only for lower bounds, which a busy machine can only make truer.
 */
export const CLOCK_ROUNDING_MS = 20;
