import { FAST, jpegItem, ocr, run, useEmulator } from './support';

/** Max Requests per Second: one cap for every request of a run to GreenNode, whatever the Concurrency. */

const emu = useEmulator();

/** The most requests that arrived within any one second. */
function busiestSecond(times: number[]): number {
	const sorted = [...times].sort((a, b) => a - b);
	let most = 0;
	for (let i = 0; i < sorted.length; i++) {
		let j = i;
		while (j + 1 < sorted.length && sorted[j + 1] - sorted[i] < 1000) j++;
		most = Math.max(most, j - i + 1);
	}
	return most;
}

describe('Max Requests per Second', () => {
	it('holds under Concurrency 50 across uploads and polls: never more than the cap in any second, as counted by the server', async () => {
		const items = Array.from({ length: 12 }, (_, i) => jpegItem(`card-${i}.jpg`));
		const result = await run(emu.get(), [ocr({ operation: 'submit', docType: 'ID', options: { ...FAST, timeout: 30, concurrency: 50, maxRequestsPerSecond: 5 } })], items);
		expect(result.error).toBeUndefined();
		const times = emu.get().requests.map((request) => request.at);
		expect(times.length).toBeGreaterThanOrEqual(24);
		const sorted = [...times].sort((a, b) => a - b);
		const busiest = busiestSecond(times);
		if (busiest > 5) throw new Error(`${busiest} requests arrived within one second; gaps between arrivals (ms): ${sorted.map((at, i) => (i === 0 ? 0 : at - sorted[i - 1])).join(' ')}`);
		// the cap spaces requests, it does not serialise more than it must: (1000 + 250) / 5 ms apart
		const span = Math.max(...times) - Math.min(...times);
		expect(span).toBeGreaterThanOrEqual(((times.length - 1) * 1000) / 5);
		expect(span).toBeLessThan(((times.length - 1) * 1250) / 5 + 2000);
	});

	it('without a cap the same run is not spaced (the cap is what slows it)', async () => {
		const items = Array.from({ length: 12 }, (_, i) => jpegItem(`card-${i}.jpg`));
		const result = await run(emu.get(), [ocr({ operation: 'submit', docType: 'ID', waitForResult: false, options: { concurrency: 50 } })], items);
		expect(result.error).toBeUndefined();
		expect(busiestSecond(emu.get().requests.map((request) => request.at))).toBeGreaterThan(5);
	});

	it('a wrong value is an error on every item, like Concurrency', async () => {
		const result = await run(emu.get(), [ocr({ operation: 'getResult', requestId: 'x', options: { maxRequestsPerSecond: '={{ "fast" }}' } }, { continueOnFail: true })], [{}, {}]);
		expect(result.items.map((item) => [item.json.error, item.pairedItem])).toEqual([
			['Max Requests per Second is not a number (it is fast)', { item: 0 }],
			['Max Requests per Second is not a number (it is fast)', { item: 1 }],
		]);
		expect(emu.get().requests).toHaveLength(0);
	});
});
