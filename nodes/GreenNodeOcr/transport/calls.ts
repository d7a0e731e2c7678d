import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { describeBody, messageFromJson } from '../helpers/errors';
import { maskSecrets } from '../helpers/mask';
import { retryAfterMs } from '../helpers/retry';
import { apiError, header, httpError, where, type CallContext } from './errors';
import { send, sendForStream, type Consumed, type RequestSettings, type RequestSpec, type StreamAnswer } from './request';

/** What a 2xx answer said besides its body: when to ask again (`Retry-After`), if it said so. */
export interface AnswerHints {
	retryAfterMs?: number;
}

/** The two kinds of call: a JSON answer unwrapped from `{ "data": … }`, and a file read as a stream. */

/** A JSON call that must answer 2xx with `{ "data": { ... } }`; returns that `data` object, secrets masked. */
export async function jsonCall(
	this: IExecuteFunctions,
	ctx: CallContext,
	spec: RequestSpec,
	settings: RequestSettings,
	seen?: AnswerHints,
): Promise<IDataObject> {
	const { answer: response, credentials, retries } = await send.call(this, ctx, spec, settings);
	if (response.statusCode < 200 || response.statusCode >= 300) throw httpError.call(this, ctx, response, credentials, retries);
	if (seen) seen.retryAfterMs = retryAfterMs(header(response.headers, 'retry-after'));
	const text = maskSecrets(response.body.toString('utf8'), credentials.secrets);
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		throw apiError.call(this, credentials, {
			message: `GreenNode answered ${ctx.action}${where(ctx)} with something that is not JSON`,
			description: `Expected a JSON body, got ${describeBody(text, header(response.headers, 'content-type'))}. Check the Base URL of the credential; if it is right, the GreenNode service may be having problems.`,
			httpCode: String(response.statusCode),
			itemIndex: ctx.itemIndex,
		});
	}
	const data = (parsed as { data?: unknown } | null)?.data;
	if (data === null || typeof data !== 'object' || Array.isArray(data)) {
		const said = messageFromJson(parsed);
		throw apiError.call(this, credentials, {
			message: `GreenNode answered ${ctx.action}${where(ctx)} without a "data" object`,
			description: `The answer was ${said ? `"${said}"` : text.slice(0, 200) || 'empty'}. This is not a result the node can use.`,
			httpCode: String(response.statusCode),
			itemIndex: ctx.itemIndex,
		});
	}
	return data as IDataObject;
}

/**
 * A call whose answer is a file. `consume` reads the stream (e.g. into n8n's binary storage); when the
 * stream stops before its end (a dropped connection, the Request Timeout), the request is retried
 * within the same Max Retries as any other failure.
 */
export async function fileCall<T>(
	this: IExecuteFunctions,
	ctx: CallContext,
	spec: RequestSpec,
	settings: RequestSettings,
	consume: (answer: StreamAnswer) => Promise<T>,
): Promise<T> {
	const sent = (await sendForStream.call(this, ctx, spec, settings, consume)) as Consumed<T>;
	if ('value' in sent) return sent.value;
	throw httpError.call(this, ctx, sent.answer, sent.credentials, sent.retries);
}
