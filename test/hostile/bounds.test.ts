import { FAST, jpegItem, ocr, run, useEmulator } from '../support';
import { isPoll, isFile, submitted } from './common';

/** Every wait is bounded: a whole request by Request Timeout, a whole wait by Timeout + one Request Timeout. */

const emu = useEmulator();


async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
	const started = Date.now();
	const value = await work();
	return { value, ms: Date.now() - started };
}

describe('Request Timeout bounds a whole request, not only silence', () => {
	it('a JSON answer trickling one byte every 100 ms', async () => {
		const { requestId } = await submitted(emu.get());
		const body = JSON.stringify({ data: { status: 'PROCESSING', padding: 'x'.repeat(200) } });
		emu.get().faults.push({ match: isPoll, kind: 'trickle', body, intervalMs: 100, times: Infinity });
		const { value: result, ms } = await timed(() => run(emu.get(), [ocr({ operation: 'getResult', output: 'raw', requestId, waitForResult: false, options: { requestTimeout: 1, maxRetries: 0 } })]));
		expect(result.error?.message).toBe(`GreenNode did not answer Get Result for request_id "${requestId}" within the Request Timeout (1 s)`);
		expect(ms).toBeLessThan(3000);
	});

	it('an image trickling one byte every 100 ms', async () => {
		const { requestId, fileId } = await submitted(emu.get());
		emu.get().faults.push({ match: isFile, kind: 'trickle', stage: 'after', intervalMs: 100, times: Infinity });
		const { value: result, ms } = await timed(() => run(emu.get(), [ocr({ operation: 'getFile', requestId, fileId, options: { requestTimeout: 1, maxRetries: 1 } })]));
		expect(result.error?.message).toBe(
			`GreenNode did not answer Get Result Image for file_id "${fileId}" of request_id "${requestId}" within the Request Timeout (1 s) (gave up after 1 retry)`,
		);
		expect(ms).toBeLessThan(4500);
		expect(emu.get().requests.filter(isFile)).toHaveLength(2);
	});
});

describe('Timeout bounds a whole wait, retries and backoff included', () => {
	it('a silent server: ends within Timeout plus one Request Timeout', async () => {
		const { requestId } = await submitted(emu.get());
		emu.get().faults.push({ match: isPoll, kind: 'delay', delayMs: 60_000, times: Infinity });
		const { value: result, ms } = await timed(() =>
			run(emu.get(), [ocr({ operation: 'getResult', output: 'raw', requestId, options: { pollInterval: 0.2, timeout: 2, requestTimeout: 1, maxRetries: 5 } })]),
		);
		expect(result.error?.message).toMatch(/did not answer Get Result|No result for request_id/);
		expect(ms).toBeLessThan(2000 + 1000 + 1500);
	});

	it('a 503 storm: no retry starts after the Timeout', async () => {
		const { requestId } = await submitted(emu.get());
		emu.get().faults.push({ match: isPoll, kind: 'status', status: 503, headers: { 'retry-after': '0.7', 'content-type': 'application/json' }, times: Infinity });
		const { value: result, ms } = await timed(() =>
			run(emu.get(), [ocr({ operation: 'getResult', output: 'raw', requestId, options: { pollInterval: 0.2, timeout: 2, requestTimeout: 1, maxRetries: 10 } })]),
		);
		expect(result.error?.message).toMatch(/503/);
		expect(ms).toBeGreaterThan(1300);
		expect(ms).toBeLessThan(3500);
		expect(emu.get().requests.filter(isPoll).length).toBeLessThanOrEqual(4);
	});

	it('a job that stays processing ends at the Timeout with its request_id', async () => {
		const { requestId } = await submitted(emu.get());
		const body = JSON.stringify({ data: { status: 'PROCESSING', progress: { total_doc: 1, finished: 0, ignored: 0 }, documents: [] } });
		emu.get().faults.push({ match: isPoll, kind: 'body', body, times: Infinity });
		const { value: result, ms } = await timed(() => run(emu.get(), [ocr({ operation: 'getResult', output: 'raw', requestId, options: { pollInterval: 0.1, timeout: 1.5 } })]));
		expect(result.error?.message).toMatch(new RegExp(`No result for request_id "${requestId}" after waiting`));
		expect(ms).toBeLessThan(1500 + 1000);
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
