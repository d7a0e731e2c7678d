import { sleep } from 'n8n-workflow';

/**
 * When and how long to retry a call to GreenNode. GETs are safe to repeat; a Submit is repeated
 * only when the request provably never reached processing, because a duplicate submission costs
 * the user money.
 */

export type RetryKind = 'idempotent' | 'notReached';

export const BASE_DELAY_MS = 500;
export const MAX_DELAY_MS = 30_000;
export const MAX_RETRY_AFTER_MS = 60_000;

/** Network failures after which a GET can be repeated. */
const TRANSIENT_NETWORK = ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'UND_ERR_SOCKET'];
/** Network failures that happen before a single byte is sent: the server never saw the request. */
const NOT_CONNECTED = ['ECONNREFUSED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH'];

export function shouldRetryStatus(status: number, kind: RetryKind): boolean {
	if (kind === 'notReached') return status === 429 || status === 503;
	return status === 429 || status === 502 || status === 503 || status === 504;
}

/**
 * A timeout or an answer cut off mid-way may follow a request that reached the server: a GET is
 * repeated, a Submit is not.
 */
export function shouldRetryNetwork(failure: { kind: 'timeout' | 'cut' | 'network'; code: string }, kind: RetryKind): boolean {
	if (kind === 'notReached') return failure.kind === 'network' && NOT_CONNECTED.includes(failure.code);
	return failure.kind !== 'network' || TRANSIENT_NETWORK.includes(failure.code);
}

/** `Retry-After` as milliseconds: a number of seconds or an HTTP date; capped. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
	if (value === undefined || value.trim() === '') return undefined;
	const seconds = Number(value.trim());
	const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
	if (!Number.isFinite(ms)) return undefined;
	return Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS);
}

/** Exponential backoff with jitter: half the step plus a random half, so many items do not retry in step. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
	const step = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
	return Math.round(step / 2 + random() * (step / 2));
}

/**
 * Waits `ms`, or less when `signal` fires (a stopped run does not sit out its backoff). The timer is
 * n8n's `sleep`: it keeps the process alive while the wait lasts (a timer of AbortSignal.timeout would
 * not, and can even be collected with its signal). After a Stop it runs out on its own.
 */
export async function pauseFor(ms: number, signal?: AbortSignal): Promise<void> {
	if (!signal) return await sleep(ms);
	if (signal.aborted) return;
	let wake = () => {};
	const stopped = new Promise<void>((resolve) => (wake = resolve));
	signal.addEventListener('abort', wake, { once: true });
	try {
		await Promise.race([sleep(ms), stopped]);
	} finally {
		signal.removeEventListener('abort', wake);
	}
}
