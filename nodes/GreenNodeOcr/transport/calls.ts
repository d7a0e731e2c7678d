import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeError, NodeOperationError, sleep } from 'n8n-workflow';

import { describeBody, messageFromJson } from '../helpers/errors';
import { maskSecrets } from '../helpers/mask';
import { backoffMs, shouldRetryNetwork } from '../helpers/retry';
import { apiError, failureError, header, httpError, where, type Answer, type CallContext } from './errors';
import { send, type RequestSettings, type RequestSpec, type StreamAnswer } from './request';

/** The two kinds of call: a JSON answer unwrapped from `{ "data": … }`, and a file read as a stream. */

/** A JSON call that must answer 2xx with `{ "data": { ... } }`; returns that `data` object, secrets masked. */
export async function jsonCall(
	this: IExecuteFunctions,
	ctx: CallContext,
	spec: RequestSpec,
	settings: RequestSettings,
): Promise<IDataObject> {
	const { answer, credentials } = await send.call(this, ctx, spec, settings);
	const response = answer as Answer;
	if (response.statusCode < 200 || response.statusCode >= 300) throw httpError.call(this, ctx, response, credentials);
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
 * stream stops before its end (a dropped connection, the Request Timeout), the whole call is retried.
 */
export async function fileCall<T>(
	this: IExecuteFunctions,
	ctx: CallContext,
	spec: RequestSpec,
	settings: RequestSettings,
	consume: (answer: StreamAnswer) => Promise<T>,
): Promise<T> {
	for (let attempt = 0; ; attempt++) {
		const { answer, credentials } = await send.call(this, ctx, spec, settings, true);
		if (Buffer.isBuffer(answer.body)) throw httpError.call(this, ctx, answer as Answer, credentials);
		const streamed = answer as StreamAnswer;
		try {
			return await consume(streamed);
		} catch (error) {
			const failure = streamed.failure();
			if (!failure) throw error instanceof NodeError ? error : new NodeOperationError(this.getNode(), error as Error, { itemIndex: ctx.itemIndex });
			const retried = (ctx.retries ?? 0) + attempt;
			if (attempt >= settings.maxRetries || !shouldRetryNetwork(failure, spec.retry)) {
				ctx.retries = retried;
				throw failureError.call(this, ctx, failure, credentials, settings.requestTimeoutMs);
			}
			this.logger.warn(`GreenNode OCR: ${ctx.action}${where(ctx)} got a ${failure.kind === 'cut' ? 'cut-off answer' : 'timeout'}; retry ${attempt + 1} of ${settings.maxRetries}`, {
				itemIndex: ctx.itemIndex,
			});
			await sleep(backoffMs(attempt));
		}
	}
}
