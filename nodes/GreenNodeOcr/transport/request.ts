import type { IExecuteFunctions, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';
import { NodeError, NodeOperationError } from 'n8n-workflow';

import { backoffMs, pauseFor, retryAfterMs, shouldRetryNetwork, shouldRetryStatus, type RetryKind } from '../helpers/retry';
import { CREDENTIAL_TYPE, resolveCredentials, type ResolvedCredentials } from './credentials';
import { throttle } from './rate';
import { takeSlot } from './slots';
import {
	failureError,
	header,
	redirectError,
	where,
	type Answer,
	type CallContext,
	type Failure,
} from './errors';

/**
 * The one place where the node talks HTTP, always through n8n's helpers so the user's proxy and SSL
 * settings apply. The key goes only to the Base URL's origin: redirects are handled here, never by
 * the HTTP client. Every request is bounded as a whole (connect to last byte) by the Request Timeout.
 */

export interface RequestSettings {
	maxRetries: number;
	/** Bounds each request as a whole. */
	requestTimeoutMs: number;
	/** No retry is started after this time (ms since epoch): a wait ends within it plus one request. */
	deadline?: number;
	/** A check that teaches the batch its reading times: it takes a free slot of the run before the uploads. */
	urgent?: boolean;
}

export interface RequestSpec {
	method: IHttpRequestMethods;
	/** Path segments after the API root, already checked and encoded. */
	path: string;
	/** Builds the body for each attempt (a stream can only be sent once); its `type` is the Content-Type. */
	body?: () => Promise<{ type?: string }>;
	/** Which failures may be retried: any transient one for GETs, only "never reached" ones for a Submit. */
	retry: RetryKind;
	/** Follow a redirect to another origin, without the credential (object storage serving a file). */
	foreignRedirects?: boolean;
}

type BodyStream = NodeJS.ReadableStream & { destroy(error?: Error): unknown };

export interface StreamAnswer {
	statusCode: number;
	headers: Answer['headers'];
	body: BodyStream;
	/** Why the body stopped before its end (a timeout or a dropped connection), once it has. */
	failure(): Failure | undefined;
}

export const MAX_REDIRECTS = 5;
const CUT: Failure = { kind: 'cut', code: 'ECONNRESET', detail: 'the connection closed before the end of the answer' };
const ERROR_BODY_LIMIT = 64 * 1024;

function isStream(body: unknown): body is BodyStream {
	return body !== null && typeof body === 'object' && typeof (body as BodyStream).pipe === 'function';
}

function toBuffer(body: unknown): Buffer {
	if (Buffer.isBuffer(body)) return body;
	if (body instanceof ArrayBuffer) return Buffer.from(body);
	if (body === undefined || body === null) return Buffer.alloc(0);
	return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
}

/** Reads at most `limit` bytes of a stream (for error messages), then drops the rest. */
async function readSome(stream: BodyStream, limit = ERROR_BODY_LIMIT): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let size = 0;
	try {
		for await (const chunk of stream) {
			const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
			if (size < limit) chunks.push(buffer.subarray(0, limit - size));
			size += buffer.length;
			if (size >= limit) break;
		}
	} catch {
		// what arrived is enough for a message
	}
	stream.destroy();
	return Buffer.concat(chunks);
}

function classify(error: unknown, timedOut: boolean): Failure {
	const outer = (error ?? {}) as { message?: string; code?: string; cause?: { code?: string; message?: string; cause?: { code?: string } } };
	const inner = outer.cause ?? outer;
	const code = String(inner.code ?? inner.cause?.code ?? outer.code ?? '');
	const detail = String(inner.message ?? outer.message ?? 'unknown error').slice(0, 200);
	if (timedOut) return { kind: 'timeout', code: 'ETIMEDOUT', detail };
	if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') return { kind: 'timeout', code, detail };
	if ((code === 'ERR_BAD_RESPONSE' && /abort/i.test(detail)) || code === 'ERR_STREAM_PREMATURE_CLOSE') {
		return CUT;
	}
	return { kind: 'network', code, detail };
}

export type Exchange = { answer: Answer | StreamAnswer } | { failure: Failure };

/** One HTTP exchange, bounded as a whole by its own timer (which also fires n8n's abort signal). */
export async function exchange(
	this: IExecuteFunctions,
	request: IHttpRequestOptions,
	authenticated: boolean,
	stream: boolean,
	timeoutMs: number,
): Promise<Exchange> {
	// AbortSignal.timeout: one timer for the whole exchange, that needs no clearing.
	const deadline = AbortSignal.timeout(timeoutMs);
	const cancel = this.getExecutionCancelSignal?.();
	const signal = cancel ? AbortSignal.any([deadline, cancel]) : deadline;
	let body: BodyStream | undefined;
	let bodyFailure: Failure | undefined;
	const onTimeout = () => {
		if (body && !bodyFailure) {
			bodyFailure = { kind: 'timeout', code: 'ETIMEDOUT', detail: 'the answer took longer than the Request Timeout' };
			body.destroy(new Error('Request Timeout reached'));
		}
	};
	deadline.addEventListener('abort', onTimeout, { once: true });
	const done = () => deadline.removeEventListener('abort', onTimeout);
	const options: IHttpRequestOptions = {
		...request,
		encoding: stream ? 'stream' : 'arraybuffer',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		disableFollowRedirect: true,
		timeout: timeoutMs,
	};
	let full: { statusCode: number; headers?: Answer['headers']; body: unknown };
	try {
		if (authenticated) {
			// n8n's helper takes its abort signal from the context: hand it one that also fires at the timeout.
			const context = Object.create(this, { getExecutionCancelSignal: { value: () => signal } }) as IExecuteFunctions;
			full = await this.helpers.httpRequestWithAuthentication.call(context, CREDENTIAL_TYPE, options);
		} else {
			full = await this.helpers.httpRequest({ ...options, abortSignal: signal });
		}
	} catch (error) {
		done();
		return { failure: classify(error, deadline.aborted) };
	}
	const headers = full.headers ?? {};
	if (!isStream(full.body)) {
		done();
		return { answer: { statusCode: full.statusCode, headers, body: toBuffer(full.body) } };
	}
	body = full.body;
	let ended = false;
	body.on('end', () => (ended = true));
	body.on('error', (error: Error) => {
		bodyFailure ??= deadline.aborted ? classify(error, true) : CUT;
	});
	body.on('close', () => {
		done();
		if (!ended && !bodyFailure) bodyFailure = CUT;
	});
	const ok = full.statusCode >= 200 && full.statusCode < 300;
	if (ok && stream) return { answer: { statusCode: full.statusCode, headers, body, failure: () => bodyFailure } };
	return { answer: { statusCode: full.statusCode, headers, body: await readSome(body) } };
}

export function isRedirect(status: number): boolean {
	return [301, 302, 303, 307, 308].includes(status);
}

/** The answer a request ended with (whatever its status), the credential it used and how often it was retried. */
export interface Sent {
	answer: Answer;
	credentials: ResolvedCredentials;
	retries: number;
}

/** What `consume` made of a streamed 2xx answer, or a non-2xx answer for the caller to report. */
export type Consumed<T> = { value: T; retries: number } | Sent;

/**
 * Sends one request, following only redirects that keep the key at home, and returns its answer
 * whatever its status. Failures that may be retried (see helpers/retry) are retried here and only
 * here: at most Max Retries times in all, whether the request failed before its answer or while the
 * answer arrived, and never past the deadline or after Stop.
 */
export async function send(this: IExecuteFunctions, ctx: CallContext, spec: RequestSpec, settings: RequestSettings): Promise<Sent> {
	return (await attempt.call(this, ctx, spec, settings)) as Sent;
}

/**
 * Like `send`, for an answer read as a stream: `consume` reads a 2xx answer (it runs once per
 * attempt); when the stream stops before its end, the request is retried like any other failure.
 */
export async function sendForStream<T>(
	this: IExecuteFunctions,
	ctx: CallContext,
	spec: RequestSpec,
	settings: RequestSettings,
	consume: (answer: StreamAnswer) => Promise<T>,
): Promise<Consumed<T>> {
	return (await attempt.call(this, ctx, spec, settings, consume)) as Consumed<T>;
}

/** One request, following the redirects it may follow; a redirect it may not is an error. */
async function follow(
	this: IExecuteFunctions,
	ctx: CallContext,
	spec: RequestSpec,
	settings: RequestSettings,
	credentials: ResolvedCredentials,
	stream: boolean,
): Promise<Exchange> {
	let url = `${credentials.root}${spec.path}`;
	let authenticated = true;
	for (let hops = 0; ; hops++) {
		const body = spec.body ? await spec.body() : undefined;
		const headers: Record<string, string> = { accept: 'application/json' };
		if (typeof body?.type === 'string' && body.type !== '') headers['content-type'] = body.type;
		const request = { method: spec.method, url, body: body as IHttpRequestOptions['body'], headers };
		// A slot of the run's Concurrency for the exchange alone, never across a pause between attempts.
		const release = await takeSlot.call(this, settings.urgent ? 'first' : spec.method === 'POST' ? 'upload' : 'other');
		let result: Exchange;
		try {
			await throttle.call(this);
			result = await exchange.call(this, request, authenticated, stream, settings.requestTimeoutMs);
		} finally {
			release();
		}
		if (!('answer' in result) || !isRedirect(result.answer.statusCode)) return result;
		const location = header(result.answer.headers, 'location');
		if (!location) return result;
		if (!Buffer.isBuffer(result.answer.body)) result.answer.body.destroy();
		const target = new URL(location, url);
		if (spec.method !== 'GET') throw redirectError.call(this, ctx, result.answer.statusCode, target.href, credentials, 'submit');
		if (hops + 1 > MAX_REDIRECTS) throw redirectError.call(this, ctx, result.answer.statusCode, target.href, credentials, 'loop');
		if (target.origin !== credentials.origin) {
			if (!spec.foreignRedirects) throw redirectError.call(this, ctx, result.answer.statusCode, target.href, credentials, 'origin');
			authenticated = false;
		}
		url = target.href;
	}
}

function describeFailure(failure: Failure): string {
	if (failure.kind === 'network') return failure.code || 'a network error';
	return `a ${failure.kind === 'cut' ? 'cut-off answer' : 'timeout'}`;
}

/** The retry loop of `send` and `sendForStream`. */
async function attempt<T>(
	this: IExecuteFunctions,
	ctx: CallContext,
	spec: RequestSpec,
	settings: RequestSettings,
	consume?: (answer: StreamAnswer) => Promise<T>,
): Promise<Consumed<T>> {
	const credentials = await resolveCredentials.call(this, ctx.itemIndex);
	const cancel = this.getExecutionCancelSignal?.();
	for (let retries = 0; ; retries++) {
		const left = retries < settings.maxRetries;
		let failure: Failure;
		const result = await follow.call(this, ctx, spec, settings, credentials, consume !== undefined);
		if ('failure' in result) failure = result.failure;
		else if (Buffer.isBuffer(result.answer.body)) {
			const answer = result.answer as Answer;
			const ok = answer.statusCode >= 200 && answer.statusCode < 300;
			if (ok || !left || !shouldRetryStatus(answer.statusCode, spec.retry)) return { answer, credentials, retries };
			const wait = retryAfterMs(header(answer.headers, 'retry-after')) ?? backoffMs(retries);
			if (await pause.call(this, ctx, wait, `status ${answer.statusCode}`, retries, settings, cancel)) continue;
			return { answer, credentials, retries };
		} else {
			const streamed = result.answer as StreamAnswer;
			try {
				return { value: await (consume as (answer: StreamAnswer) => Promise<T>)(streamed), retries };
			} catch (error) {
				const cut = streamed.failure();
				if (!cut) throw error instanceof NodeError ? error : new NodeOperationError(this.getNode(), error as Error, { itemIndex: ctx.itemIndex });
				failure = cut;
			}
		}
		if (left && shouldRetryNetwork(failure, spec.retry)) {
			if (await pause.call(this, ctx, backoffMs(retries), describeFailure(failure), retries, settings, cancel)) continue;
		}
		throw failureError.call(this, ctx, failure, credentials, settings.requestTimeoutMs, retries);
	}
}

/**
 * Waits before a retry; false when the retry would start after the deadline or the run was stopped
 * (before or during the wait): the caller then reports what it has.
 */
async function pause(
	this: IExecuteFunctions,
	ctx: CallContext,
	ms: number,
	reason: string,
	retries: number,
	settings: RequestSettings,
	cancel: AbortSignal | undefined,
): Promise<boolean> {
	if (cancel?.aborted) return false;
	if (settings.deadline !== undefined && Date.now() + ms >= settings.deadline) return false;
	this.logger.warn(
		`GreenNode OCR: ${ctx.action}${where(ctx)} got ${reason}; retry ${retries + 1} of ${settings.maxRetries} in ${Math.round(ms)} ms`,
		{ itemIndex: ctx.itemIndex },
	);
	await pauseFor(ms, cancel);
	return !cancel?.aborted;
}
