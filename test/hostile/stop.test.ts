import { FAST, ocr, run, useEmulator } from '../support';
import { isPoll, submitted } from './common';

/** Stop ends a run that is sitting out a wait: a retry's backoff, or the pause between two polls. */

const emu = useEmulator();

describe('Stop', () => {
	it('during the backoff before a retry: no retry is sent and the run ends long before the backoff would', async () => {
		const { requestId } = await submitted(emu.get());
		// Retry-After 60 s: without Stop waking it, the run would sit for a minute before its retry.
		emu.get().faults.push({ match: isPoll, kind: 'status', status: 503, headers: { 'content-type': 'application/json', 'retry-after': '60' }, times: Infinity });
		const controller = new AbortController();
		// Stop a moment after the 503 went out, when the node is in its backoff.
		const watcher = setInterval(() => {
			if (emu.get().requests.some(isPoll)) setTimeout(() => controller.abort(), 300);
		}, 20);
		const started = Date.now();
		const result = await run(emu.get(), [ocr({ operation: 'getResult', output: 'raw', requestId, options: { ...FAST, timeout: 120, maxRetries: 3 } })], [{}], { signal: controller.signal });
		clearInterval(watcher);
		expect(emu.get().requests.filter(isPoll)).toHaveLength(1);
		expect(result.error).toBeDefined();
		expect(Date.now() - started).toBeLessThan(30_000);
	});

	it('between two polls: the run ends without waiting out a long Poll Interval', async () => {
		emu.get().configure({ pendingPolls: 100 });
		const { requestId } = await submitted(emu.get());
		const controller = new AbortController();
		const watcher = setInterval(() => {
			if (emu.get().requests.some(isPoll)) controller.abort();
		}, 20);
		const started = Date.now();
		const result = await run(emu.get(), [ocr({ operation: 'getResult', output: 'raw', requestId, options: { pollInterval: 50, timeout: 300 } })], [{}], { signal: controller.signal });
		clearInterval(watcher);
		expect(emu.get().requests.filter(isPoll)).toHaveLength(1);
		expect(result.error).toBeDefined();
		expect(Date.now() - started).toBeLessThan(25_000);
	});
});
