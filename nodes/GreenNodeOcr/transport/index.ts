import type FormData from 'form-data';
import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';
import { Readable } from 'stream';

import { apiRoot, readCredentials, type GreenNodeCredentials } from '../helpers/credentials';
import { describeBody, messageFromJson, redact } from '../helpers/errors';
import {
	backoffMs,
	DEFAULT_MAX_RETRIES,
	retryAfterMs,
	shouldRetryNetwork,
	shouldRetryStatus,
	type RetryKind,
} from '../helpers/retry';

/**
 * The one place where the node talks HTTP. Every call goes through n8n's
 * `httpRequestWithAuthentication`, so the user's proxy, SSL and credential settings apply.
 */

export const CREDENTIAL_TYPE = 'greenNodeOcrApi';

export interface CallContext {
	itemIndex: number;
	/** What the user asked for, e.g. "Submit" or "Get Result": used in messages. */
	action: string;
	requestId?: string;
	docType?: string;
	/** How many times the last call was retried (filled in by sendRequest). */
	retries?: number;
}

export interface RawResponse {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: Buffer;
}

export interface ResolvedCredentials extends GreenNodeCredentials {
	secrets: string[];
}

const credentialCache = new WeakMap<object, ResolvedCredentials>();

export async function getResolvedCredentials(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<ResolvedCredentials> {
	const cached = credentialCache.get(this);
	if (cached) return cached;
	const data = await this.getCredentials(CREDENTIAL_TYPE, itemIndex);
	const { credentials, problems } = readCredentials(data);
	if (problems.length > 0) {
		throw new NodeOperationError(this.getNode(), `GreenNode OCR credential: ${problems[0].message}`, {
			itemIndex,
			description: problems.map((problem) => problem.message).join(' '),
		});
	}
	const raw = typeof data.apiKey === 'string' ? data.apiKey : '';
	const resolved = { ...credentials, secrets: [credentials.apiKey, raw].filter((secret) => secret !== '') };
	credentialCache.set(this, resolved);
	return resolved;
}

/**
 * A NodeApiError that keeps exactly our message: n8n replaces a message that mentions a common
 * network code (ECONNREFUSED, ETIMEDOUT, …) with a generic sentence, which would hide the request_id.
 */
export function apiError(
	this: IExecuteFunctions,
	details: { message: string; description: string; itemIndex: number; httpCode?: string },
	response: JsonObject = {},
): NodeApiError {
	const error = new NodeApiError(this.getNode(), response, {
		message: details.message,
		description: details.description,
		httpCode: details.httpCode,
		itemIndex: details.itemIndex,
	});
	error.message = details.message;
	error.description = details.description;
	return error;
}

export function header(headers: RawResponse['headers'], name: string): string | undefined {
	const value = headers[name] ?? headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}

function where(ctx: CallContext): string {
	return ctx.requestId ? ` for request_id "${ctx.requestId}"` : '';
}

/** Maps an HTTP answer that is not a success to the API's troubleshooting table. */
export function httpError(
	this: IExecuteFunctions,
	ctx: CallContext,
	response: RawResponse,
	credentials: ResolvedCredentials,
): NodeApiError {
	const contentType = header(response.headers, 'content-type');
	const text = redact(response.body.toString('utf8'), credentials.secrets);
	const said = describeBody(text, contentType);
	const status = response.statusCode;
	const tried = ctx.retries ? ` (gave up after ${ctx.retries} ${ctx.retries === 1 ? 'retry' : 'retries'})` : '';
	let message: string;
	let description: string;
	if (status === 403 || status === 401) {
		message = `GreenNode refused the API key (${status === 401 ? '401 Unauthorized' : '403 Forbidden'}) on ${ctx.action}`;
		description =
			`Check that the API key in the credential is correct and ACTIVE in the GreenNode AI Platform console (a new key starts as pending), ` +
			`and that the Portal User ID (${credentials.portalUserId}) belongs to the same account as the key. The server said ${said}.`;
	} else if (status === 400 || status === 422) {
		message = `GreenNode rejected the ${ctx.action} request (${status}): ${said}`;
		description =
			ctx.action === 'Submit'
				? 'Submit needs the fields flow, file_type (PDF or IMAGE) and file, and doc_type when Flow is "single". ' +
					'The document type must be one enabled for your account.'
				: `Check the IDs you passed${where(ctx)}: they come from the output of Submit or Get Result on the same account.`;
	} else if (status === 404) {
		message = `GreenNode found nothing at this address (404) on ${ctx.action}${where(ctx)}`;
		description = ctx.requestId
			? `Check that the IDs come from the output of Submit or Get Result, made with the same credential. The server said ${said}.`
			: `Check the Base URL of the credential (${credentials.baseUrl}). The server said ${said}.`;
	} else if (status === 429) {
		message = `GreenNode is rate-limiting requests (429) on ${ctx.action}${where(ctx)}`;
		description = 'Too many requests in a short time. Lower the Concurrency option, raise Max Retries, or try again later.';
	} else if (status === 500 && ctx.action === 'Submit') {
		message = `GreenNode could not process the submission (${status})`;
		description =
			(ctx.docType
				? `This usually means the document type "${ctx.docType}" is not enabled for your account. Check the Document Type (doc_type) with GreenNode; "ID" is the one most accounts have. `
				: '') + `The server said ${said}.`;
	} else {
		message = `GreenNode answered ${status} on ${ctx.action}${where(ctx)}`;
		description = `The server said ${said}.${status >= 500 ? ' This is a problem on the GreenNode side; try again later.' : ''}`;
	}
	return apiError.call(this, { message: message + tried, description, httpCode: String(status), itemIndex: ctx.itemIndex }, {
		status,
		body: said,
	});
}

/** Words for the network codes users meet; n8n would replace a message naming the code itself. */
function describeNetworkCode(code: string): string {
	const words: Record<string, string> = {
		ECONNREFUSED: 'connection refused',
		ECONNRESET: 'connection reset',
		ENOTFOUND: 'host not found',
		EAI_AGAIN: 'DNS lookup failed',
		EHOSTUNREACH: 'host unreachable',
		ENETUNREACH: 'network unreachable',
		EPIPE: 'connection closed while sending',
	};
	return words[code] ?? code;
}

/** A network failure (nothing usable came back) as a clear error, with no request details attached. */
export function networkError(
	this: IExecuteFunctions,
	ctx: CallContext,
	error: unknown,
	credentials: ResolvedCredentials,
	retries = 0,
): NodeApiError {
	const cause = (error ?? {}) as { code?: string; message?: string; cause?: { code?: string } };
	const code = cause.code ?? cause.cause?.code ?? '';
	const detail = redact(String(cause.message ?? 'unknown error'), credentials.secrets).slice(0, 200);
	const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(detail);
	const message = timedOut
		? `GreenNode did not answer in time on ${ctx.action}${where(ctx)}`
		: `Could not reach GreenNode on ${ctx.action}${where(ctx)} (${describeNetworkCode(code) || detail})`;
	const tried = retries > 0 ? ` (gave up after ${retries} ${retries === 1 ? 'retry' : 'retries'})` : '';
	return apiError.call(this, {
		message: message + tried,
		description: `Check the Base URL of the credential (${credentials.baseUrl}) and that n8n can reach it. ${detail}`,
		itemIndex: ctx.itemIndex,
	});
}

export interface RequestOptions {
	method: IHttpRequestMethods;
	/** Path segments after the API root, already checked and encoded. */
	path: string;
	/** Builds the body for each attempt (a multipart stream can only be sent once). */
	body?: () => Promise<FormData>;
	/** Which failures may be retried: any transient one for GETs, only "never reached" ones for a Submit. */
	retry: RetryKind;
	/** Hand back a successful body as a stream instead of a buffer (for large files). */
	stream?: boolean;
}

export interface RequestSettings {
	maxRetries: number;
	timeoutMs: number;
}

/** Max Retries and Request Timeout from the item's Options (every operation has them). */
export function readRequestSettings(this: IExecuteFunctions, itemIndex: number): RequestSettings {
	const options = (this.getNodeParameter('options', itemIndex, {}) ?? {}) as IDataObject;
	const retries = Number(options.maxRetries);
	const timeout = Number(options.requestTimeout);
	return {
		maxRetries: Number.isInteger(retries) && retries >= 0 ? Math.min(retries, 10) : DEFAULT_MAX_RETRIES,
		timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout * 1000 : 60_000,
	};
}

export interface StreamResponse {
	statusCode: number;
	headers: RawResponse['headers'];
	body: Readable;
}

/** Reads at most `limit` bytes of a stream (for error messages), then drops the rest. */
async function readSome(stream: Readable, limit = 64 * 1024): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of stream) {
		const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
		if (size < limit) chunks.push(buffer.subarray(0, limit - size));
		size += buffer.length;
	}
	return Buffer.concat(chunks);
}

function toBuffer(body: unknown): Buffer {
	if (Buffer.isBuffer(body)) return body;
	if (body instanceof ArrayBuffer) return Buffer.from(body);
	if (body === undefined || body === null) return Buffer.alloc(0);
	return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
}

function networkCode(error: unknown): string {
	const inner = ((error as { cause?: unknown })?.cause ?? error) as { code?: string; cause?: { code?: string } };
	return String(inner?.code ?? inner?.cause?.code ?? '');
}

/**
 * Sends one request, retrying what may be retried (see helpers/retry), and returns the raw answer
 * whatever its status. Throws only on a network failure that is not retried or keeps happening.
 */
export async function sendRequest(
	this: IExecuteFunctions,
	ctx: CallContext,
	options: RequestOptions,
): Promise<{ response: RawResponse | StreamResponse; credentials: ResolvedCredentials }> {
	const credentials = await getResolvedCredentials.call(this, ctx.itemIndex);
	const settings = readRequestSettings.call(this, ctx.itemIndex);
	const cancelSignal = this.getExecutionCancelSignal?.();
	for (let attempt = 0; ; attempt++) {
		const request: IHttpRequestOptions = {
			method: options.method,
			url: `${apiRoot(credentials)}${options.path}`,
			encoding: options.stream ? 'stream' : 'arraybuffer',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: settings.timeoutMs,
			headers: { accept: 'application/json' },
		};
		if (options.body) {
			request.body = await options.body();
			// Without this axios buffers a multipart stream whole before sending it.
			request.disableFollowRedirect = true;
		}
		let full: { statusCode: number; headers: RawResponse['headers']; body: unknown } | undefined;
		let failure: unknown;
		try {
			full = await this.helpers.httpRequestWithAuthentication.call(this, CREDENTIAL_TYPE, request);
		} catch (error) {
			failure = error;
		}
		const retriesLeft = attempt < settings.maxRetries && !cancelSignal?.aborted;
		if (full === undefined) {
			const code = networkCode(failure);
			if (!retriesLeft || !shouldRetryNetwork(code, options.retry)) {
				throw networkError.call(this, ctx, (failure as { cause?: unknown })?.cause ?? failure, credentials, attempt);
			}
			await pause.call(this, ctx, backoffMs(attempt), `${code || 'a network error'}`, attempt, settings.maxRetries);
			continue;
		}
		const headers = full.headers ?? {};
		const ok = full.statusCode >= 200 && full.statusCode < 300;
		if (ok && full.body instanceof Readable) {
			return { response: { statusCode: full.statusCode, headers, body: full.body }, credentials };
		}
		const body = full.body instanceof Readable ? await readSome(full.body) : toBuffer(full.body);
		if (!ok && retriesLeft && shouldRetryStatus(full.statusCode, options.retry)) {
			const wait = retryAfterMs(header(headers, 'retry-after')) ?? backoffMs(attempt);
			await pause.call(this, ctx, wait, `status ${full.statusCode}`, attempt, settings.maxRetries);
			continue;
		}
		ctx.retries = attempt;
		return { response: { statusCode: full.statusCode, headers, body }, credentials };
	}
}

async function pause(
	this: IExecuteFunctions,
	ctx: CallContext,
	ms: number,
	reason: string,
	attempt: number,
	maxRetries: number,
): Promise<void> {
	this.logger.warn(
		`GreenNode OCR: ${ctx.action}${where(ctx)} got ${reason}; retry ${attempt + 1} of ${maxRetries} in ${Math.round(ms)} ms`,
		{ itemIndex: ctx.itemIndex },
	);
	await sleep(ms);
}

/** A call whose successful answer is a file: returns it as a stream with its headers. */
export async function binaryRequest(
	this: IExecuteFunctions,
	ctx: CallContext,
	options: RequestOptions,
): Promise<StreamResponse> {
	const { response, credentials } = await sendRequest.call(this, ctx, { ...options, stream: true });
	if (Buffer.isBuffer(response.body)) {
		const raw = response as RawResponse;
		if (raw.statusCode >= 200 && raw.statusCode < 300) {
			return { statusCode: raw.statusCode, headers: raw.headers, body: Readable.from([raw.body]) };
		}
		throw httpError.call(this, ctx, raw, credentials);
	}
	return response as StreamResponse;
}

/** A JSON call that must answer 2xx with `{ "data": { ... } }`; returns that `data` object. */
export async function apiRequest(
	this: IExecuteFunctions,
	ctx: CallContext,
	options: RequestOptions,
): Promise<IDataObject> {
	const sent = await sendRequest.call(this, ctx, { ...options, stream: false });
	const credentials = sent.credentials;
	const response = sent.response as RawResponse;
	if (response.statusCode < 200 || response.statusCode >= 300) {
		throw httpError.call(this, ctx, response, credentials);
	}
	const text = redact(response.body.toString('utf8'), credentials.secrets);
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		throw apiError.call(this, {
			message: `GreenNode answered ${ctx.action}${where(ctx)} with something that is not JSON`,
			description: `Expected a JSON body, got ${describeBody(text, header(response.headers, 'content-type'))}. Check the Base URL of the credential; if it is right, the GreenNode service may be having problems.`,
			httpCode: String(response.statusCode),
			itemIndex: ctx.itemIndex,
		});
	}
	const data = (parsed as { data?: unknown } | null)?.data;
	if (data === null || typeof data !== 'object' || Array.isArray(data)) {
		const said = messageFromJson(parsed);
		throw apiError.call(this, {
			message: `GreenNode answered ${ctx.action}${where(ctx)} without a "data" object`,
			description: `The answer was ${said ? `"${said}"` : text.slice(0, 200) || 'empty'}. This is not a result the node can use.`,
			httpCode: String(response.statusCode),
			itemIndex: ctx.itemIndex,
		});
	}
	return data as IDataObject;
}
