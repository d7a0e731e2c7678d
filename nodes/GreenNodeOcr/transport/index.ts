import type FormData from 'form-data';
import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { Readable } from 'stream';

import { apiRoot, readCredentials, type GreenNodeCredentials } from '../helpers/credentials';
import { describeBody, messageFromJson, redact } from '../helpers/errors';

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
	let message: string;
	let description: string;
	if (status === 403 || status === 401) {
		message = `GreenNode refused the API key (${status} Forbidden) on ${ctx.action}`;
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
		description = 'Too many requests in a short time. Lower the Concurrency option or try again later.';
	} else if (status >= 500 && ctx.action === 'Submit') {
		message = `GreenNode could not process the submission (${status})`;
		description =
			(ctx.docType
				? `This usually means the document type "${ctx.docType}" is not enabled for your account. Check the Document Type (doc_type) with GreenNode; "ID" is the one most accounts have. `
				: '') + `The server said ${said}.`;
	} else {
		message = `GreenNode answered ${status} on ${ctx.action}${where(ctx)}`;
		description = `The server said ${said}.${status >= 500 ? ' This is a problem on the GreenNode side; try again later.' : ''}`;
	}
	return apiError.call(this, { message, description, httpCode: String(status), itemIndex: ctx.itemIndex }, {
		status,
		body: said,
	});
}

/** A network failure (nothing usable came back) as a clear error, with no request details attached. */
export function networkError(
	this: IExecuteFunctions,
	ctx: CallContext,
	error: unknown,
	credentials: ResolvedCredentials,
): NodeApiError {
	const cause = (error ?? {}) as { code?: string; message?: string; cause?: { code?: string } };
	const code = cause.code ?? cause.cause?.code ?? '';
	const detail = redact(String(cause.message ?? 'unknown error'), credentials.secrets).slice(0, 200);
	const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(detail);
	const message = timedOut
		? `GreenNode did not answer in time on ${ctx.action}${where(ctx)}`
		: `Could not reach GreenNode on ${ctx.action}${where(ctx)} (${code || detail})`;
	return apiError.call(this, {
		message,
		description: `Check the Base URL of the credential (${credentials.baseUrl}) and that n8n can reach it. ${detail}`,
		itemIndex: ctx.itemIndex,
	});
}

export interface RequestOptions {
	method: IHttpRequestMethods;
	/** Path segments after the API root, already checked and encoded. */
	path: string;
	body?: FormData;
	timeoutMs?: number;
	/** Hand back a successful body as a stream instead of a buffer (for large files). */
	stream?: boolean;
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

/** Sends one request and returns the raw answer, whatever its status. Throws only on network failure. */
export async function sendRequest(
	this: IExecuteFunctions,
	ctx: CallContext,
	options: RequestOptions,
): Promise<{ response: RawResponse | StreamResponse; credentials: ResolvedCredentials }> {
	const credentials = await getResolvedCredentials.call(this, ctx.itemIndex);
	const request: IHttpRequestOptions = {
		method: options.method,
		url: `${apiRoot(credentials)}${options.path}`,
		encoding: options.stream ? 'stream' : 'arraybuffer',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: options.timeoutMs ?? 60_000,
		headers: { accept: 'application/json' },
	};
	if (options.body) {
		request.body = options.body;
		// Without this axios buffers a multipart stream whole before sending it.
		request.disableFollowRedirect = true;
	}
	let full: { statusCode: number; headers: RawResponse['headers']; body: unknown };
	try {
		full = await this.helpers.httpRequestWithAuthentication.call(this, CREDENTIAL_TYPE, request);
	} catch (error) {
		const inner = (error as { cause?: unknown }).cause ?? error;
		throw networkError.call(this, ctx, inner, credentials);
	}
	const headers = full.headers ?? {};
	if (full.body instanceof Readable) {
		if (full.statusCode >= 200 && full.statusCode < 300) {
			return { response: { statusCode: full.statusCode, headers, body: full.body }, credentials };
		}
		return { response: { statusCode: full.statusCode, headers, body: await readSome(full.body) }, credentials };
	}
	return { response: { statusCode: full.statusCode, headers, body: toBuffer(full.body) }, credentials };
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
