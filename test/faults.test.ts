import type { ExecutionBaseError } from 'n8n-workflow';
import { createServer } from 'net';

import { startEmulator } from '../dev/emulator/server';
import { runWorkflow } from '../dev/runner';
import { credentialsFor, everythingVisible, FAST, jpegItem, ocr, run, useEmulator } from './support';

const SECRET = 'gn-Fault-Secret-93b1e7';
const emu = useEmulator({ apiKey: SECRET });

const isPoll = (request: { method: string; path: string }) =>
	request.method === 'GET' && /\/greennode\/idp\/v1\/ocr\/ingest\/[^/]+$/.test(request.path);
const isSubmit = (request: { method: string }) => request.method === 'POST';

async function requestId(): Promise<string> {
	const result = await run(emu.get(), [ocr({ operation: 'submit', waitForResult: false, docType: 'ID' })], [jpegItem()]);
	expect(result.error).toBeUndefined();
	emu.get().requests.length = 0;
	return result.items[0].json.request_id as string;
}

const getResult = (id: string, options: Record<string, unknown> = {}) =>
	ocr({ operation: 'getResult', output: 'raw', requestId: id, options: { ...FAST, ...options } });

describe('GETs are retried with backoff', () => {
	it.each([429, 502, 503, 504])('%i, then success', async (status) => {
		const id = await requestId();
		emu.get().faults.push({ match: isPoll, kind: 'status', status, times: 2 });
		const result = await run(emu.get(), [getResult(id)]);
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.status).toBe('COMPLETED');
		expect(emu.get().requests.map((request) => request.status)).toEqual([status, status, 200]);
		expect(result.logs.some((line) => line.includes(`got status ${status}; retry 1 of 3`))).toBe(true);
	});

	it('honours Retry-After', async () => {
		const id = await requestId();
		emu.get().faults.push({ match: isPoll, kind: 'status', status: 429, headers: { 'retry-after': '1', 'content-type': 'application/json' } });
		const result = await run(emu.get(), [getResult(id)]);
		expect(result.error).toBeUndefined();
		const [first, second] = emu.get().requests;
		expect(second.at - first.at).toBeGreaterThanOrEqual(950);
	});

	it('backs off without Retry-After, longer each time', async () => {
		const id = await requestId();
		emu.get().faults.push({ match: isPoll, kind: 'status', status: 503, times: 3 });
		const result = await run(emu.get(), [getResult(id)]);
		expect(result.error).toBeUndefined();
		const at = emu.get().requests.map((request) => request.at);
		const gaps = at.slice(1).map((time, index) => time - at[index]);
		expect(gaps).toHaveLength(3);
		expect(gaps[0]).toBeGreaterThanOrEqual(240);
		expect(gaps[1]).toBeGreaterThanOrEqual(490);
		expect(gaps[2]).toBeGreaterThanOrEqual(990);
	});

	it('a dropped connection is retried', async () => {
		const id = await requestId();
		emu.get().faults.push({ match: isPoll, kind: 'reset' });
		const result = await run(emu.get(), [getResult(id)]);
		expect(result.error).toBeUndefined();
		expect(emu.get().requests.filter(isPoll)).toHaveLength(2);
	});

	it('a response slower than the request timeout is retried', async () => {
		const id = await requestId();
		emu.get().faults.push({ match: isPoll, kind: 'delay', delayMs: 2500 });
		const started = Date.now();
		const result = await run(emu.get(), [getResult(id, { requestTimeout: 1 })]);
		expect(result.error).toBeUndefined();
		expect(Date.now() - started).toBeLessThan(2400);
	});

	it('gives up after Max Retries with an error naming the request', async () => {
		const id = await requestId();
		emu.get().faults.push({ match: isPoll, kind: 'status', status: 503, times: Infinity });
		const result = await run(emu.get(), [getResult(id, { maxRetries: 2 })]);
		expect(result.error?.message).toBe(`GreenNode answered 503 on Get Result for request_id "${id}" (gave up after 2 retries)`);
		expect(emu.get().requests.filter(isPoll)).toHaveLength(3);
	});

	it('a timeout that keeps happening names the request', async () => {
		const id = await requestId();
		emu.get().faults.push({ match: isPoll, kind: 'delay', delayMs: 1500, times: Infinity });
		const result = await run(emu.get(), [getResult(id, { requestTimeout: 0.3, maxRetries: 1 })]);
		expect(result.error?.message).toBe(`GreenNode did not answer Get Result for request_id "${id}" within the Request Timeout (0.3 s) (gave up after 1 retry)`);
	});

	it('other operations retry too', async () => {
		const id = (await run(emu.get(), [ocr({ operation: 'submit', output: 'raw', docType: 'ID', waitForResult: true, options: FAST })], [jpegItem()])).items[0].json;
		emu.get().requests.length = 0;
		emu.get().faults.push({ match: (request) => /\/(table|file)\//.test(request.path), kind: 'status', status: 502, times: 2 });
		const table = await run(emu.get(), [ocr({ operation: 'getTable', requestId: id.request_id as string, documentId: 'doc-1' })]);
		const file = await run(emu.get(), [ocr({ operation: 'getFile', requestId: id.request_id as string, fileId: (id.file_ids as string[])[0] })]);
		expect(table.error).toBeUndefined();
		expect(file.error).toBeUndefined();
		expect(emu.get().requests.map((request) => request.status)).toEqual([502, 502, 200, 200]);
	});
});

describe('a Submit is retried only when it provably did not reach the server', () => {
	it.each([429, 503])('%i before processing: retried, and exactly one job is created', async (status) => {
		const emulator = emu.get();
		emulator.faults.push({ match: isSubmit, kind: 'status', status, times: 2 });
		const result = await run(emulator, [ocr({ operation: 'submit', waitForResult: false, docType: 'ID' })], [jpegItem()]);
		expect(result.error).toBeUndefined();
		expect(emulator.requests.filter(isSubmit).map((request) => request.status)).toEqual([status, status, 201]);
		expect(emulator.jobs.size).toBe(1);
		expect([...emulator.jobs.keys()]).toEqual([result.items[0].json.request_id]);
	});

	it.each([
		['the answer was lost after the upload', { kind: 'reset' as const, stage: 'after' as const }],
		['a 502 from a gateway', { kind: 'status' as const, status: 502, stage: 'after' as const }],
		['a connection dropped during the upload', { kind: 'reset' as const }],
	])('%s: not retried, no duplicate job', async (_, fault) => {
		const emulator = emu.get();
		emulator.faults.push({ match: isSubmit, ...fault });
		const result = await run(emulator, [ocr({ operation: 'submit', waitForResult: false, docType: 'ID' })], [jpegItem()]);
		expect(result.error).toBeDefined();
		expect(emulator.requests.filter(isSubmit)).toHaveLength(1);
		expect(emulator.jobs.size).toBeLessThanOrEqual(1);
	});

	it('a refused connection is retried once the server is up', async () => {
		const port = await new Promise<number>((resolve) => {
			const probe = createServer().listen(0, '127.0.0.1', () => {
				const { port: free } = probe.address() as { port: number };
				probe.close(() => resolve(free));
			});
		});
		const late = startEmulator_later(port, 400);
		const result = await runWorkflow({
			nodes: [ocr({ operation: 'submit', waitForResult: false, docType: 'ID', options: { maxRetries: 5 } })],
			items: [jpegItem()],
			credentials: { greenNodeOcrApi: { apiKey: 'gn-emulator-key', portalUserId: '100001', baseUrl: `http://127.0.0.1:${port}` } },
		});
		const emulator = await late;
		try {
			expect(result.error).toBeUndefined();
			expect(emulator.jobs.size).toBe(1);
		} finally {
			await emulator.close();
		}
	});
});

function startEmulator_later(port: number, ms: number) {
	return new Promise<Awaited<ReturnType<typeof startEmulator>>>((resolve, reject) => {
		setTimeout(() => startEmulator({ port, pendingPolls: 0, emptyPolls: 0 }).then(resolve, reject), ms);
	});
}

describe('answers that are not a result', () => {
	it.each([
		['malformed JSON', { body: '{"data": {"status": ', headers: { 'content-type': 'application/json' } }, /with something that is not JSON/, /got "\{"data": \{"status":"/],
		['an HTML error page', { body: '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>', headers: { 'content-type': 'text/html' } }, /not JSON/, /an HTML page titled "502 Bad Gateway"/],
		['an empty body', { body: '' }, /not JSON/, /an empty body/],
		['a 200 without data', { body: '{"result":{"status":"COMPLETED"}}' }, /without a "data" object/, /not a result the node can use/],
		['data that is not an object', { body: '{"data":"ok"}' }, /without a "data" object/, /not a result/],
	])('%s is a clear error naming the request', async (_, fault, message, description) => {
		const id = await requestId();
		emu.get().faults.push({ match: isPoll, kind: 'body', status: 200, times: Infinity, ...fault });
		const result = await run(emu.get(), [getResult(id)]);
		expect(result.items).toEqual([]);
		expect(result.error?.message).toMatch(message);
		expect(result.error?.message).toContain(id);
		expect((result.error as ExecutionBaseError).description).toMatch(description);
	});

	it('an HTML page on Submit is a clear error too', async () => {
		emu.get().faults.push({ match: isSubmit, kind: 'body', status: 200, headers: { 'content-type': 'text/html' }, body: '<html><title>Login</title></html>', stage: 'after' });
		const result = await run(emu.get(), [ocr({ operation: 'submit', waitForResult: false, docType: 'ID' })], [jpegItem()]);
		expect(result.error?.message).toBe('GreenNode answered Submit with something that is not JSON');
	});
});

describe('waiting ends with the request_id in the error', () => {
	it.each([
		['a job that fails', 'fail-invoice.jpg', /could not process request_id "([^"]+)" \(status FAILED/],
		['a job that never gains content', 'stuck-invoice.jpg', /No result for request_id "([^"]+)" after waiting/],
	])('%s', async (_, fileName, pattern) => {
		const result = await run(
			emu.get(),
			[ocr({ operation: 'submit', output: 'raw', docType: 'ID', waitForResult: true, options: { pollInterval: 0.1, timeout: 0.6 } })],
			[jpegItem(fileName)],
		);
		const match = pattern.exec(result.error?.message ?? '');
		expect(match).not.toBeNull();
		expect(emu.get().jobs.has(match![1])).toBe(true);
	});
});

describe('bad input', () => {
	it('a 0-byte file is refused before upload', async () => {
		const result = await run(emu.get(), [ocr({ operation: 'submit', waitForResult: false, docType: 'ID' })], [
			{ binary: { data: { data: Buffer.alloc(0), fileName: 'empty.pdf', mimeType: 'application/pdf' } } },
		]);
		expect(result.error?.message).toBe('The file "empty.pdf" is empty (0 bytes)');
		expect(emu.get().requests).toHaveLength(0);
	});

	it('a 0-byte file in filesystem mode is refused too', async () => {
		const result = await run(emu.get(), [ocr({ operation: 'submit', waitForResult: false, docType: 'ID' })], [
			{ binary: { data: { data: Buffer.alloc(0), fileName: 'empty.jpg', mimeType: 'image/jpeg' } } },
		], { binaryMode: 'filesystem' });
		expect(result.error?.message).toBe('The file "empty.jpg" is empty (0 bytes)');
	});

	it('a portal user id that is not numeric is refused before any request', async () => {
		const result = await runWorkflow({
			nodes: [ocr({ operation: 'getResult', output: 'raw', requestId: 'x' })],
			credentials: credentialsFor(emu.get(), { portalUserId: 'user-abc' }),
		});
		expect(result.error?.message).toMatch(/Portal User ID must be a number/);
		expect(emu.get().requests).toHaveLength(0);
	});

	it('an API key with stray spaces or newlines around it works; one broken inside is refused', async () => {
		const emulator = emu.get();
		const ok = await runWorkflow({
			nodes: [ocr({ operation: 'submit', waitForResult: false, docType: 'ID' })],
			items: [jpegItem()],
			credentials: credentialsFor(emulator, { apiKey: ` \n${SECRET}\r\n ` }),
		});
		expect(ok.error).toBeUndefined();
		const broken = await runWorkflow({
			nodes: [ocr({ operation: 'submit', waitForResult: false, docType: 'ID' })],
			items: [jpegItem()],
			credentials: credentialsFor(emulator, { apiKey: `${SECRET.slice(0, 8)}\n${SECRET.slice(8)}` }),
		});
		expect(broken.error?.message).toMatch(/spaces or line breaks in the middle/);
		expect(everythingVisible(broken)).not.toContain(SECRET.slice(8));
	});

	it.each(['a\tb', 'x'.repeat(600), 'ngày/../ảnh'])('odd IDs never break out of their path segment: %p', async (id) => {
		const result = await run(emu.get(), [ocr({ operation: 'getFile', requestId: 'r', fileId: id }, { continueOnFail: true })]);
		expect(result.items[0].json.error).toEqual(expect.any(String));
		for (const request of emu.get().requests) expect(request.path).toMatch(/\/ocr\/ingest\/file\/r\/[^/]+$/);
	});
});

describe('mixed batches', () => {
	const items = Array.from({ length: 20 }, (_, index) => jpegItem(index === 3 ? 'fail-03.jpg' : `doc-${index}.jpg`, { index }));
	const submit = (extra = {}) =>
		ocr({ operation: 'submit', output: 'raw', docType: '={{ $itemIndex === 11 ? "PASSPORT" : "ID" }}', waitForResult: true, options: FAST }, extra);

	it('with continueOnFail: 20 outputs in input order, each paired, 18 results and 2 error items', async () => {
		const result = await run(emu.get(), [submit({ continueOnFail: true })], items);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(20);
		expect(result.items.map((item) => item.pairedItem)).toEqual(items.map((_, item) => ({ item })));
		const errors = result.items.flatMap((item, index) => (item.json.error ? [index] : []));
		expect(errors).toEqual([3, 11]);
		expect(result.items[3].json.error).toMatch(/status FAILED/);
		expect(result.items[11].json.error).toMatch(/\(500\)/);
		const files = result.items.map((item) => emu.get().jobs.get(item.json.request_id as string)?.fileName);
		files.forEach((file, index) => index !== 3 && index !== 11 && expect(file).toBe(`doc-${index}.jpg`));
	});

	it('without it: the error names the failing item index', async () => {
		const result = await run(emu.get(), [submit()], items);
		expect(result.error).toBeDefined();
		expect((result.error as ExecutionBaseError).description).toMatch(/Failed on item index 11 \(of 20 input items\)/);
		expect((result.error as ExecutionBaseError).context.itemIndex).toBe(11);
	});
});

describe('secrets under faults', () => {
	it('the API key is in no error, output, log line or stack', async () => {
		const emulator = emu.get();
		const id = await requestId();
		emulator.faults.push({ match: isPoll, kind: 'status', status: 503, times: 3 });
		emulator.faults.push({ match: isSubmit, kind: 'reset' });
		const results = [
			await run(emulator, [getResult(id, { maxRetries: 1 })]),
			await run(emulator, [ocr({ operation: 'submit', waitForResult: false, docType: 'ID' })], [jpegItem()]),
			await run(emulator, [getResult(id)]),
		];
		emulator.faults.push({ match: isPoll, kind: 'body', body: `{"message":"echo ${SECRET}"}`, status: 500, times: 1 });
		results.push(await run(emulator, [getResult(id, { maxRetries: 0 })]));
		expect((results[3].error as ExecutionBaseError).description).toContain('echo ***');
		for (const result of results) expect(everythingVisible(result)).not.toContain(SECRET);
		expect(results.some((result) => result.logs.some((line) => line.includes('retry')))).toBe(true);
	});
});

describe('concurrency', () => {
	it('bounds the requests in flight', async () => {
		let inFlight = 0;
		let most = 0;
		const emulator = await startEmulator({
			pendingPolls: 0,
			emptyPolls: 0,
			onRequest: () => {
				inFlight--;
			},
		});
		emulator.faults.push({
			match: () => {
				inFlight++;
				most = Math.max(most, inFlight);
				return true;
			},
			kind: 'delay',
			delayMs: 60,
			times: Infinity,
		});
		try {
			const result = await runWorkflow({
				nodes: [ocr({ operation: 'submit', output: 'raw', docType: 'ID', waitForResult: true, options: { ...FAST, concurrency: 3 } })],
				items: Array.from({ length: 12 }, () => jpegItem()),
				credentials: credentialsFor(emulator),
			});
			expect(result.error).toBeUndefined();
			expect(result.items).toHaveLength(12);
			expect(most).toBe(3);
		} finally {
			await emulator.close();
		}
	});
});
