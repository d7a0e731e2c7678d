import { BASE_DELAY_MS } from '../../nodes/GreenNodeOcr/helpers/retry';
import { FAST, ocr, run, useEmulator } from '../support';
import { allowance, measure } from '../timing';
import { isPoll, isFile, submitted } from './common';

/**
 * Every wait is bounded: a whole request by Request Timeout, a whole wait by Timeout + one Request Timeout.
 * Limits count the requests the server saw, and measure time against a run the server answers at once.
 */

const emu = useEmulator();

type Request = { method: string; path: string };

/** Polls of one request id: a fault on them leaves the baseline's request id alone. */
const pollOf = (requestId: string) => (request: Request) => isPoll(request) && request.path.endsWith(`/${requestId}`);
const fileOf = (requestId: string) => (request: Request) => isFile(request) && request.path.includes(`/${requestId}/`);

/** Two submissions: one for the test's faults, and one the server keeps answering at once, to measure a run against. */
async function twoSubmitted(): Promise<{ requestId: string; fileId: string; baseline: { requestId: string; fileId: string } }> {
	const baseline = await submitted(emu.get());
	return { ...(await submitted(emu.get())), baseline };
}

describe('Request Timeout bounds a whole request, not only silence', () => {
	it('a JSON answer trickling one byte every 100 ms', async () => {
		const { requestId, baseline } = await twoSubmitted();
		const body = JSON.stringify({ data: { status: 'PROCESSING', padding: 'x'.repeat(200) } });
		emu.get().faults.push({ match: pollOf(requestId), kind: 'trickle', body, intervalMs: 100, times: Infinity });
		const requestTimeoutMs = 1000;
		const options = { requestTimeout: requestTimeoutMs / 1000, maxRetries: 0 };
		const getResult = (id: string) => run(emu.get(), [ocr({ operation: 'getResult', output: 'raw', requestId: id, waitForResult: false, options })]);
		const { value: result, ms, costMs, requests } = await measure(emu.get().requests, () => getResult(baseline.requestId), () => getResult(requestId));
		expect(result.error?.message).toBe(`GreenNode did not answer Get Result for request_id "${requestId}" within the Request Timeout (1 s)`);
		expect(requests.filter(isPoll)).toHaveLength(1);
		// The whole answer would take over 20 s; the one request ends about when its Request Timeout does.
		expect(ms).toBeLessThan(allowance(requestTimeoutMs, costMs));
	});

	it('an image trickling one byte every 100 ms', async () => {
		const { requestId, fileId, baseline } = await twoSubmitted();
		emu.get().faults.push({ match: fileOf(requestId), kind: 'trickle', stage: 'after', intervalMs: 100, times: Infinity });
		const requestTimeoutMs = 1000;
		const maxRetries = 1;
		const options = { requestTimeout: requestTimeoutMs / 1000, maxRetries };
		const getFile = (ids: { requestId: string; fileId: string }) => run(emu.get(), [ocr({ operation: 'getFile', ...ids, options })]);
		const { value: result, ms, costMs, requests } = await measure(emu.get().requests, () => getFile(baseline), () => getFile({ requestId, fileId }));
		expect(result.error?.message).toBe(
			`GreenNode did not answer Get Result Image for file_id "${fileId}" of request_id "${requestId}" within the Request Timeout (1 s) (gave up after 1 retry)`,
		);
		expect(requests.filter(isFile)).toHaveLength(1 + maxRetries);
		// Each request ends at its Request Timeout, with at most one backoff step between them.
		expect(ms).toBeLessThan(allowance((1 + maxRetries) * requestTimeoutMs + BASE_DELAY_MS, costMs));
	});
});

describe('Timeout bounds a whole wait, retries and backoff included', () => {
	it('a silent server: ends within Timeout plus one Request Timeout', async () => {
		const { requestId, baseline } = await twoSubmitted();
		emu.get().faults.push({ match: pollOf(requestId), kind: 'delay', delayMs: 60_000, times: Infinity });
		const timeoutMs = 2000;
		const requestTimeoutMs = 1000;
		const options = { pollInterval: 0.2, timeout: timeoutMs / 1000, requestTimeout: requestTimeoutMs / 1000, maxRetries: 5 };
		const getResult = (id: string) => run(emu.get(), [ocr({ operation: 'getResult', output: 'raw', requestId: id, options })]);
		const { value: result, ms, costMs, requests } = await measure(emu.get().requests, () => getResult(baseline.requestId), () => getResult(requestId));
		expect(result.error?.message).toMatch(/did not answer Get Result|No result for request_id/);
		// Each attempt lasts a whole Request Timeout and none starts after the Timeout: 2 at most, whatever Max Retries says.
		expect(requests.filter(isPoll).length).toBeLessThanOrEqual(Math.ceil(timeoutMs / requestTimeoutMs));
		expect(ms).toBeLessThan(allowance(timeoutMs + requestTimeoutMs, costMs));
	});

	it('a 503 storm: no retry starts after the Timeout', async () => {
		const { requestId, baseline } = await twoSubmitted();
		const retryAfterMs = 700;
		emu.get().faults.push({ match: pollOf(requestId), kind: 'status', status: 503, headers: { 'retry-after': String(retryAfterMs / 1000), 'content-type': 'application/json' }, times: Infinity });
		const timeoutMs = 2000;
		const requestTimeoutMs = 1000;
		const options = { pollInterval: 0.2, timeout: timeoutMs / 1000, requestTimeout: requestTimeoutMs / 1000, maxRetries: 10 };
		const getResult = (id: string) => run(emu.get(), [ocr({ operation: 'getResult', output: 'raw', requestId: id, options })]);
		const { value: result, ms, costMs, requests } = await measure(emu.get().requests, () => getResult(baseline.requestId), () => getResult(requestId));
		expect(result.error?.message).toMatch(/503/);
		// It retried until the next retry would have started past the Timeout (a lower bound: load only adds to it)...
		expect(ms).toBeGreaterThanOrEqual(timeoutMs - retryAfterMs);
		// ...one Retry-After apart, none starting after the Timeout: at 0, 0.7 and 1.4 s, not 10 retries...
		expect(requests.filter(isPoll).length).toBeLessThanOrEqual(Math.ceil(timeoutMs / retryAfterMs));
		// ...and the wait ended within Timeout plus one Request Timeout.
		expect(ms).toBeLessThan(allowance(timeoutMs + requestTimeoutMs, costMs));
	});

	it('a job that stays processing ends at the Timeout with its request_id', async () => {
		const { requestId, baseline } = await twoSubmitted();
		const body = JSON.stringify({ data: { status: 'PROCESSING', progress: { total_doc: 1, finished: 0, ignored: 0 }, documents: [] } });
		emu.get().faults.push({ match: pollOf(requestId), kind: 'body', body, times: Infinity });
		const pollIntervalMs = 100;
		const timeoutMs = 1500;
		const options = { pollInterval: pollIntervalMs / 1000, timeout: timeoutMs / 1000 };
		const getResult = (id: string) => run(emu.get(), [ocr({ operation: 'getResult', output: 'raw', requestId: id, options })]);
		const { value: result, ms, costMs, requests } = await measure(emu.get().requests, () => getResult(baseline.requestId), () => getResult(requestId));
		expect(result.error?.message).toMatch(new RegExp(`No result for request_id "${requestId}" after waiting`));
		// Polled at most every Poll Interval up to the Timeout, and not after it...
		expect(requests.filter(isPoll).length).toBeLessThanOrEqual(timeoutMs / pollIntervalMs + 1);
		// ...and ended about when the Timeout did.
		expect(ms).toBeLessThan(allowance(timeoutMs, costMs));
	});
});

describe('an option of 0 or below is an error on that item', () => {
	it.each([
		['pollInterval', 0, /^Poll Interval must be more than 0 \(it is 0\)$/],
		['timeout', -5, /^Timeout must be more than 0 \(it is -5\)$/],
		['requestTimeout', 0, /^Request Timeout must be more than 0 \(it is 0\)$/],
		['maxRetries', 1.5, /^Max Retries must be a whole number \(it is 1.5\)$/],
		['pollInterval', 'soon', /^Poll Interval is not a number \(it is soon\)$/],
	])('%s = %p', async (name, value, message) => {
		const { requestId } = await submitted(emu.get());
		const options = { ...FAST, [name]: value };
		const result = await run(emu.get(), [ocr({ operation: 'getResult', output: 'raw', requestId, options })]);
		expect(result.error?.message).toMatch(message);
		expect(emu.get().requests).toHaveLength(0);
	});

	it('from an expression, only on the item it is wrong for, with Continue On Fail', async () => {
		const { requestId } = await submitted(emu.get());
		const result = await run(
			emu.get(),
			[ocr({ operation: 'getResult', output: 'raw', requestId, options: { ...FAST, timeout: '={{ $json.t }}' } }, { continueOnFail: true })],
			[{ json: { t: 5 } }, { json: { t: 0 } }],
		);
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.status).toBe('COMPLETED');
		expect(result.items[1].json.error).toBe('Timeout must be more than 0 (it is 0)');
		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});
});
