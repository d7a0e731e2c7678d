import type { ExecutionBaseError } from 'n8n-workflow';

import { FAST, jpegItem, ocr, run, useEmulator } from './support';
import { allowance, measure } from './timing';
import type { ResultDocument } from './wire';

const emu = useEmulator();

async function submitted(emulator = emu.get(), fileName = 'id-card.jpg'): Promise<string> {
	const result = await run(emulator, [ocr({ operation: 'submit', waitForResult: false, docType: 'ID' })], [jpegItem(fileName)]);
	expect(result.error).toBeUndefined();
	return result.items[0].json.request_id as string;
}

describe('Get Result', () => {
	it('without waiting, outputs what the API has now, even while processing', async () => {
		const emulator = emu.get();
		emulator.configure({ pendingPolls: 1, emptyPolls: 1 });
		const requestId = await submitted();
		const result = await run(emulator, [ocr({ operation: 'getResult', output: 'raw', requestId, waitForResult: false })]);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json).toMatchObject({ request_id: requestId, status: 'PROCESSING', documents: [] });
		expect(result.items[0].pairedItem).toEqual({ item: 0 });
	});

	it('waiting, polls past the terminal-but-empty answer until the documents have content', async () => {
		const emulator = emu.get();
		emulator.configure({ pendingPolls: 2, emptyPolls: 2 });
		const requestId = await submitted();
		const result = await run(emulator, [ocr({ operation: 'getResult', output: 'raw', requestId: `  ${requestId} `, options: FAST })]);
		expect(result.error).toBeUndefined();
		const documents = result.items[0].json.documents as unknown as ResultDocument[];
		expect(documents[0].document_id).toBe('doc-1');
		expect(documents[0].ocr_data[0].value.map((field) => field.name)).toContain('id_number');
		expect(emulator.requests.filter((request) => request.method === 'GET')).toHaveLength(5);
	});

	it('reads the request id from each input item with an expression', async () => {
		const emulator = emu.get();
		const ids = [await submitted(emulator, 'a.jpg'), await submitted(emulator, 'b.jpg')];
		const result = await run(
			emulator,
			[ocr({ operation: 'getResult', output: 'raw', requestId: '={{ $json.id }}', options: FAST })],
			ids.map((id) => ({ json: { id } })),
		);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.request_id)).toEqual(ids);
	});

	it('fails past the timeout with the request_id, the time waited and how to fetch it later', async () => {
		const emulator = emu.get();
		const requestId = await submitted(emulator, 'stuck-scan.jpg');
		const pollIntervalMs = 200;
		const timeoutMs = 1000;
		const options = { pollInterval: pollIntervalMs / 1000, timeout: timeoutMs / 1000 };
		const { value: result, ms, costMs, requests } = await measure(
			emulator.requests,
			() => run(emulator, [ocr({ operation: 'getResult', output: 'raw', requestId, waitForResult: false, options })]),
			() => run(emulator, [ocr({ operation: 'getResult', output: 'raw', requestId, options })]),
		);
		expect(result.error?.message).toContain(requestId);
		expect((result.error as ExecutionBaseError).description).toMatch(/Get Result/);
		expect((result.error as ExecutionBaseError).description).toMatch(/Timeout option/);
		// The time waited, to a tenth of a second: at least the Timeout, at most what this run took.
		const waited = /after waiting (\d+(?:\.\d)?) s/.exec(result.error?.message ?? '');
		expect(waited).not.toBeNull();
		const waitedMs = Number(waited?.[1]) * 1000;
		expect(waitedMs).toBeGreaterThanOrEqual(timeoutMs - 50);
		expect(waitedMs).toBeLessThanOrEqual(ms + 50);
		// It gave up only once the Timeout had passed (a busy machine only makes this longer)...
		expect(ms).toBeGreaterThanOrEqual(timeoutMs);
		// ...polling no more often than every Poll Interval and not after the Timeout: at 0, 0.2 … 1 s at most...
		const polls = requests.filter((request) => request.method === 'GET');
		expect(polls.length).toBeGreaterThan(0);
		expect(polls.length).toBeLessThanOrEqual(timeoutMs / pollIntervalMs + 1);
		// ...and ended about when the Timeout did, not several times later.
		expect(ms).toBeLessThan(allowance(timeoutMs, costMs));
	});

	it('treats a failed job as an error, not an empty success', async () => {
		const emulator = emu.get();
		const requestId = await submitted(emulator, 'will-fail.jpg');
		const result = await run(emulator, [ocr({ operation: 'getResult', output: 'raw', requestId, options: FAST })]);
		expect(result.items).toEqual([]);
		expect(result.error?.message).toContain(requestId);
		expect(result.error?.message).toMatch(/FAILED: Document could not be processed/);
		expect((result.error as ExecutionBaseError).description).toMatch(/support/);
	});

	it('a failed job inside Submit with waiting is an error too', async () => {
		const emulator = emu.get();
		const result = await run(
			emulator,
			[ocr({ operation: 'submit', output: 'raw', docType: 'ID', waitForResult: true, options: FAST })],
			[jpegItem('fail-me.jpg')],
		);
		expect(result.error?.message).toMatch(/could not process request_id/);
	});
});
