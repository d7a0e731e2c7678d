import { jpegItem, ocr, run, useEmulator } from './support';

/** When the wait asks again: every Poll Interval, unless GreenNode's Retry-After says otherwise. */

const emu = useEmulator();
const polls = () => emu.get().requests.filter((request) => request.method === 'GET' && /\/ocr\/ingest\/[^/]+$/.test(request.path));
const gaps = (times: number[]) => times.slice(1).map((at, i) => at - times[i]);

describe('the schedule of polls', () => {
	it('Retry-After on a pending answer wins over a shorter Poll Interval', async () => {
		emu.get().configure({ pendingPolls: 3 });
		emu.get().setScenario(() => ({ retryAfterSeconds: 1 }));
		const result = await run(emu.get(), [ocr({ operation: 'submit', docType: 'ID', output: 'raw', options: { pollInterval: 0.1, timeout: 20 } })], [jpegItem()]);
		expect(result.error).toBeUndefined();
		const times = polls().map((request) => request.at);
		expect(times).toHaveLength(4);
		// each poll waits 1 s from the start of the one before; arrivals may move by a few tens of ms on a busy machine
		for (const gap of gaps(times)) expect(gap).toBeGreaterThanOrEqual(850);
	});

	it('and over a longer one: a Retry-After of 0.3 s is followed with a Poll Interval of 5 s', async () => {
		emu.get().configure({ pendingPolls: 2 });
		emu.get().setScenario(() => ({ retryAfterSeconds: 0.3 }));
		const started = Date.now();
		const result = await run(emu.get(), [ocr({ operation: 'getResult', requestId: await submitted(), output: 'raw', options: { pollInterval: 5, timeout: 20 } })]);
		expect(result.error).toBeUndefined();
		const times = polls().map((request) => request.at);
		expect(times).toHaveLength(3);
		for (const gap of gaps(times)) expect(gap).toBeLessThan(1500);
		expect(Date.now() - started).toBeLessThan(4000);
	});

	it('"Retry-After: 0" does not make a busy loop: polls are 250 ms apart', async () => {
		emu.get().configure({ pendingPolls: 3 });
		emu.get().setScenario(() => ({ retryAfterSeconds: 0 }));
		const result = await run(emu.get(), [ocr({ operation: 'getResult', requestId: await submitted(), output: 'raw', options: { pollInterval: 5, timeout: 20 } })]);
		expect(result.error).toBeUndefined();
		// a busy loop would ask again within a few ms; arrivals may move by some ms around the 250 ms
		for (const gap of gaps(polls().map((request) => request.at))) expect(gap).toBeGreaterThanOrEqual(150);
	});

	it('a job that turns ready between two polls is seen within one Poll Interval of turning ready', async () => {
		emu.get().configure({ pendingPolls: 0, emptyPolls: 0 });
		emu.get().setScenario(() => ({ processingDelayMs: 1300 }));
		const result = await run(emu.get(), [ocr({ operation: 'submit', docType: 'ID', output: 'raw', options: { pollInterval: 0.5, timeout: 20 } })], [jpegItem()]);
		expect(result.error).toBeUndefined();
		const upload = emu.get().requests.find((request) => request.method === 'POST');
		const seen = polls().at(-1);
		const readyAt = (upload?.at ?? 0) + 1300;
		expect((seen?.at ?? 0) - readyAt).toBeGreaterThanOrEqual(0);
		expect((seen?.at ?? 0) - readyAt).toBeLessThanOrEqual(500 + 250);
		// and no poll was spent long before it could be ready: the first comes one interval after the upload
		expect((polls()[0]?.at ?? 0) - (upload?.at ?? 0)).toBeGreaterThanOrEqual(400);
	});
});

async function submitted(): Promise<string> {
	const result = await run(emu.get(), [ocr({ operation: 'submit', docType: 'ID', waitForResult: false })], [jpegItem()]);
	const requestId = result.items[0].json.request_id as string;
	emu.get().requests.length = 0;
	return requestId;
}
