import type { IExecuteFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { describeBody } from '../helpers/errors';
import { maskSecrets } from '../helpers/mask';
import { formatSeconds } from '../helpers/values';
import type { ResolvedCredentials } from './credentials';

/** Maps what GreenNode answered (or did not) to n8n errors that say what happened and what to do. */

export interface CallContext {
	itemIndex: number;
	/** What the user asked for, e.g. "Submit" or "Get Result": used in messages. */
	action: string;
	requestId?: string;
	fileId?: string;
	docType?: string;
}

export interface Answer {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: Buffer;
}

/** Why no usable answer came back. */
export interface Failure {
	kind: 'timeout' | 'cut' | 'network';
	code: string;
	detail: string;
}

export function header(headers: Answer['headers'], name: string): string | undefined {
	const value = headers[name] ?? headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}

export function where(ctx: CallContext): string {
	const parts = [];
	if (ctx.fileId) parts.push(`file_id "${ctx.fileId}"`);
	if (ctx.requestId) parts.push(`request_id "${ctx.requestId}"`);
	return parts.length ? ` for ${parts.join(' of ')}` : '';
}

function gaveUp(retries: number | undefined): string {
	return retries ? ` (gave up after ${retries} ${retries === 1 ? 'retry' : 'retries'})` : '';
}

/**
 * A NodeApiError that keeps exactly our (masked) message: n8n replaces a message that mentions a
 * common network code (ECONNREFUSED, ETIMEDOUT, …) with a generic sentence, which would hide the request_id.
 */
export function apiError(
	this: IExecuteFunctions,
	credentials: Pick<ResolvedCredentials, 'secrets'>,
	details: { message: string; description: string; itemIndex: number; httpCode?: string },
	response: JsonObject = {},
): NodeApiError {
	const message = maskSecrets(details.message, credentials.secrets);
	const description = maskSecrets(details.description, credentials.secrets);
	const error = new NodeApiError(this.getNode(), response, {
		message,
		description,
		httpCode: details.httpCode,
		itemIndex: details.itemIndex,
	});
	error.message = message;
	error.description = description;
	return error;
}

/** An HTTP answer that is not a success, after the API's troubleshooting table. */
export function httpError(
	this: IExecuteFunctions,
	ctx: CallContext,
	answer: Answer,
	credentials: ResolvedCredentials,
	retries = 0,
): NodeApiError {
	const text = maskSecrets(answer.body.toString('utf8'), credentials.secrets);
	const said = describeBody(text, header(answer.headers, 'content-type'));
	const status = answer.statusCode;
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
	return apiError.call(
		this,
		credentials,
		{ message: message + gaveUp(retries), description, httpCode: String(status), itemIndex: ctx.itemIndex },
		{ status, body: said },
	);
}

/** A redirect the node does not follow: to another origin (the key stays home), or any on Submit. */
export function redirectError(
	this: IExecuteFunctions,
	ctx: CallContext,
	status: number,
	target: string,
	credentials: ResolvedCredentials,
	reason: 'origin' | 'submit' | 'loop',
): NodeApiError {
	let host = target;
	try {
		host = new URL(target).host;
	} catch {
		// not a URL: show it as it came
	}
	const why = {
		origin: `The node does not follow a redirect to another host, so that the API key is not sent to ${host}.`,
		submit: 'A Submit is never sent twice, so the node does not follow a redirect of the upload.',
		loop: 'The node stopped after 5 redirects.',
	}[reason];
	return apiError.call(this, credentials, {
		message: `GreenNode redirected ${ctx.action}${where(ctx)} to ${host} (${status})`,
		description: `${why} Check the Base URL of the credential (${credentials.baseUrl}): use the https:// host GreenNode gave you. The redirect pointed to ${target.slice(0, 200)}.`,
		httpCode: String(status),
		itemIndex: ctx.itemIndex,
	});
}

/** GreenNode answered 404: it does not know the request_id (any more). */
export function isNotFound(error: unknown): boolean {
	return error instanceof NodeApiError && error.httpCode === '404';
}

/** Words for the network codes users meet; n8n would replace a message naming the code itself. */
const NETWORK_WORDS: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	ECONNRESET: 'connection reset',
	ENOTFOUND: 'host not found',
	EAI_AGAIN: 'DNS lookup failed',
	EHOSTUNREACH: 'host unreachable',
	ENETUNREACH: 'network unreachable',
	EPIPE: 'connection closed while sending',
};

/** No usable answer: a timeout, an answer cut off mid-way, or a connection that failed. */
export function failureError(
	this: IExecuteFunctions,
	ctx: CallContext,
	failure: Failure,
	credentials: ResolvedCredentials,
	timeoutMs: number,
	retries = 0,
): NodeApiError {
	const later = ctx.requestId
		? ` Nothing is lost: fetch it later with ${ctx.fileId ? 'Get Result Image' : 'Get Result'} and request_id "${ctx.requestId}".`
		: '';
	let message: string;
	let description: string;
	if (failure.kind === 'timeout') {
		message = `GreenNode did not answer ${ctx.action}${where(ctx)} within the Request Timeout (${formatSeconds(timeoutMs)})`;
		description = `The whole request, from connecting to the last byte, must finish within the Request Timeout option. Raise it for large files or a slow connection.${later}`;
	} else if (failure.kind === 'cut') {
		message = `GreenNode's answer to ${ctx.action}${where(ctx)} was cut off`;
		description = `The connection dropped while the answer was arriving (${failure.detail || failure.code}). This is a network or server problem, not a problem of your document.${later}${
			ctx.action === 'Submit' ? ' The document may have been received: check with GreenNode before submitting it again.' : ''
		}`;
	} else {
		message = `Could not reach GreenNode on ${ctx.action}${where(ctx)} (${NETWORK_WORDS[failure.code] ?? (failure.code || failure.detail)})`;
		description = `Check the Base URL of the credential (${credentials.baseUrl}) and that n8n can reach it. ${failure.detail}`;
	}
	return apiError.call(this, credentials, { message: message + gaveUp(retries), description, itemIndex: ctx.itemIndex });
}
