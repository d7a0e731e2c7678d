import { request as httpRequest } from 'http';
import { request } from 'undici';

import { PAGE_PNG } from '../../dev/emulator/images';
import { Answer, authHeaders, Emulator, get, IMAGE, jsonOf, PDF, pollUntilDone, submit, submitOk, useTestEmulator } from './support';

/** Reads a response as it arrives: when each chunk came, and the error that ended it, if any. */
async function stream(url: string, headers: Record<string, string>): Promise<Answer & { chunks: number[]; error?: Error }> {
	const started = Date.now();
	const response = await request(url, { headers });
	const parts: Buffer[] = [];
	const chunks: number[] = [];
	let error: Error | undefined;
	try {
		for await (const chunk of response.body) {
			parts.push(chunk as Buffer);
			chunks.push(Date.now() - started);
		}
	} catch (caught) {
		error = caught as Error;
	}
	return { status: response.statusCode, headers: response.headers, body: Buffer.concat(parts), chunks, error };
}

/** Runs `body` while counting the timers of a given delay that are set and neither fired nor cleared. */
async function withTimerWatch(delay: number, body: (pending: () => number) => Promise<void>): Promise<void> {
	const realSet = globalThis.setTimeout;
	const realClear = globalThis.clearTimeout;
	const pending = new Set<unknown>();
	globalThis.setTimeout = ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
		if (ms !== delay) {
			return realSet(callback, ms, ...args);
		}
		const timer = realSet(() => {
			pending.delete(timer);
			callback(...args);
		}, ms);
		pending.add(timer);
		return timer;
	}) as typeof setTimeout;
	globalThis.clearTimeout = ((timer: NodeJS.Timeout | undefined) => {
		pending.delete(timer);
		realClear(timer);
	}) as typeof clearTimeout;
	try {
		await body(() => pending.size);
	} finally {
		globalThis.setTimeout = realSet;
		globalThis.clearTimeout = realClear;
	}
}

describe('GreenNode IDP emulator', () => {
	let emulator: Emulator;
	useTestEmulator((started) => (emulator = started));

	describe('fault injection', () => {
		it('answers an injected status once, then normally', async () => {
			emulator.faults.push({
				match: (req) => req.method === 'GET' && (req.apiPath ?? '').startsWith('/ocr/ingest/'),
				kind: 'status',
				status: 429,
				headers: { 'content-type': 'application/json', 'retry-after': '1' },
			});
			const limited = await get(emulator, '/ocr/ingest/abc');
			expect(limited.status).toBe(429);
			expect(limited.headers['retry-after']).toBe('1');
			expect(jsonOf(limited)).toEqual({ message: 'Too Many Requests' });
			expect(emulator.faults).toHaveLength(0);
			expect((await get(emulator, '/ocr/ingest/abc')).status).toBe(404);
			expect(emulator.requests[0]).toMatchObject({ status: 429, fault: 'status' });
		});

		it('resets the connection without an answer', async () => {
			emulator.faults.push({ match: () => true, kind: 'reset', times: 2 });
			await expect(get(emulator, '/ocr/ingest/abc')).rejects.toThrow();
			await expect(get(emulator, '/ocr/ingest/abc')).rejects.toThrow();
			expect((await get(emulator, '/ocr/ingest/abc')).status).toBe(404);
			expect(emulator.requests.map((r) => r.status)).toEqual([0, 0, 404]);
		});

		it('rejects an upload before reading it, creating no job', async () => {
			emulator.faults.push({ match: (req) => req.method === 'POST', kind: 'status', status: 503 });
			const answer = await submit(emulator, { flow: 'single', doc_type: 'ID', file_type: 'PDF' }, PDF);
			expect(answer.status).toBe(503);
			expect(emulator.jobs.size).toBe(0);
			expect(emulator.requests[0].fields).toBeUndefined();
		});

		it('can lose the answer of an upload that created its job', async () => {
			emulator.faults.push({ match: (req) => req.method === 'POST', kind: 'reset', stage: 'after' });
			await expect(submit(emulator, { flow: 'single', doc_type: 'ID', file_type: 'PDF' }, PDF)).rejects.toThrow();
			expect(emulator.jobs.size).toBe(1);
		});

		it('delays and serves odd bodies', async () => {
			emulator.faults.push(
				{ match: () => true, kind: 'delay', delayMs: 150 },
				{ match: () => true, kind: 'body', status: 200, headers: { 'content-type': 'text/html' }, body: '<html>gateway</html>' },
			);
			const started = Date.now();
			expect((await get(emulator, '/ocr/ingest/abc')).status).toBe(404);
			expect(Date.now() - started).toBeGreaterThanOrEqual(140);
			const html = await get(emulator, '/ocr/ingest/abc');
			expect([html.status, html.headers['content-type'], html.body.toString()]).toEqual([200, 'text/html', '<html>gateway</html>']);
		});

		describe('trickle', () => {
			it('sends status and headers at once, then the body slowly, chunked and whole', async () => {
				const body = '{"message":"slow"}';
				emulator.faults.push({ match: () => true, kind: 'trickle', status: 502, body, intervalMs: 20 });
				const answer = await stream(`${emulator.apiUrl}/ocr/ingest/abc`, authHeaders(emulator));
				expect(answer.error).toBeUndefined();
				expect(answer.status).toBe(502);
				expect(answer.headers['transfer-encoding']).toBe('chunked');
				expect(answer.headers['content-length']).toBeUndefined();
				expect(answer.body.toString()).toBe(body);
				expect(answer.chunks.length).toBeGreaterThan(body.length / 2);
				expect(answer.chunks[answer.chunks.length - 1]).toBeGreaterThanOrEqual((body.length - 1) * 20);
				expect(emulator.requests[0]).toMatchObject({ status: 502, fault: 'trickle' });
			});

			it("trickles the normal reply with stage 'after'", async () => {
				emulator.faults.push({ match: () => true, kind: 'trickle', stage: 'after', intervalMs: 5 });
				const answer = await stream(`${emulator.apiUrl}/ocr/ingest/abc`, authHeaders(emulator));
				expect(answer.status).toBe(404);
				expect(answer.headers['content-type']).toBe('application/json');
				expect(JSON.parse(answer.body.toString())).toEqual({ message: 'request_id not found' });
				expect(answer.chunks.length).toBeGreaterThan(answer.body.length / 2);
			});

			it('trickles a result file whole', async () => {
				const { requestId, fileIds } = await submitOk(emulator, { flow: 'single', doc_type: 'INVOICE', file_type: 'PDF' }, PDF);
				const bytes = PAGE_PNG.subarray(0, 40);
				emulator.fileOverrides.set(fileIds[1], { contentType: 'image/png', body: bytes });
				emulator.faults.push({ match: (req) => req.path.includes('/file/'), kind: 'trickle', stage: 'after', intervalMs: 2 });
				const answer = await stream(`${emulator.apiUrl}/ocr/ingest/file/${requestId}/${fileIds[1]}`, authHeaders(emulator));
				expect([answer.status, answer.headers['content-type'], answer.error]).toEqual([200, 'image/png', undefined]);
				expect(answer.body.equals(bytes)).toBe(true);
				expect(answer.chunks.length).toBeGreaterThan(bytes.length / 2);
			});

			it('stops writing when the client goes away, leaving no timer behind', async () => {
				const intervalMs = 37;
				emulator.faults.push({ match: () => true, kind: 'trickle', body: 'x'.repeat(1000), intervalMs });
				let received = 0;
				await withTimerWatch(intervalMs, async (pending) => {
					await new Promise<void>((resolve) => {
						const req = httpRequest(`${emulator.apiUrl}/ocr/ingest/abc`, { headers: authHeaders(emulator) });
						req.on('error', () => undefined);
						req.on('response', (res) => {
							res.on('error', () => undefined);
							res.on('data', (chunk: Buffer) => {
								received += chunk.length;
								if (received >= 2) {
									req.destroy();
								}
							});
						});
						req.on('close', () => resolve());
						req.end();
					});
					await new Promise((resolve) => setTimeout(resolve, 20));
					expect(pending()).toBe(0);
				});
				expect(received).toBe(2);
				expect(emulator.requests[0]).toMatchObject({ status: 200, fault: 'trickle' });
				expect((await get(emulator, '/ocr/ingest/abc')).status).toBe(404);
			});
		});

		describe('cut', () => {
			it('announces the whole JSON body, sends part of it, then drops the connection', async () => {
				const body = JSON.stringify({ data: { request_id: 'abc', status: 'COMPLETED' } });
				emulator.faults.push({ match: () => true, kind: 'cut', body, cutAfterBytes: 10 });
				const answer = await stream(`${emulator.apiUrl}/ocr/ingest/abc`, authHeaders(emulator));
				expect(answer.status).toBe(200);
				expect(answer.headers['content-length']).toBe(String(body.length));
				expect(answer.body.toString()).toBe(body.slice(0, 10));
				expect(answer.error).toBeInstanceOf(Error);
				expect(emulator.requests[0]).toMatchObject({ status: 200, fault: 'cut' });
				expect((await get(emulator, '/ocr/ingest/abc')).status).toBe(404);
			});

			it("cuts a real result poll in half with stage 'after'", async () => {
				const { requestId } = await submitOk(emulator, { flow: 'single', doc_type: 'ID', file_type: 'IMAGE' }, IMAGE);
				emulator.faults.push({ match: (req) => req.method === 'GET', kind: 'cut', stage: 'after' });
				const answer = await stream(`${emulator.apiUrl}/ocr/ingest/${requestId}`, authHeaders(emulator));
				const full = Number(answer.headers['content-length']);
				expect(answer.headers['content-type']).toBe('application/json');
				expect(full).toBeGreaterThan(20);
				expect(answer.body.length).toBe(Math.floor(full / 2));
				expect(answer.body.toString()).toBe(`{"data":{"request_id":"${requestId}","status":"PROCESSING"`.slice(0, answer.body.length));
				expect(answer.error).toBeInstanceOf(Error);
				expect(emulator.jobs.get(requestId)?.polls).toBe(1);
			});

			it('cuts the real result image, with a content-length or chunked', async () => {
				const { requestId, fileIds } = await submitOk(emulator, { flow: 'single', doc_type: 'INVOICE', file_type: 'PDF' }, PDF);
				await pollUntilDone(emulator, requestId);
				const url = `${emulator.apiUrl}/ocr/ingest/file/${requestId}/${fileIds[1]}`;
				const isFile = (req: { path: string }): boolean => req.path.includes('/file/');
				emulator.faults.push({ match: isFile, kind: 'cut', stage: 'after' });
				const half = await stream(url, authHeaders(emulator));
				expect([half.status, half.headers['content-type'], half.headers['content-length']]).toEqual([200, 'image/png', String(PAGE_PNG.length)]);
				expect(half.body.equals(PAGE_PNG.subarray(0, Math.floor(PAGE_PNG.length / 2)))).toBe(true);
				expect(half.error).toBeInstanceOf(Error);

				emulator.faults.push({ match: isFile, kind: 'cut', stage: 'after', chunked: true, cutAfterBytes: 100 });
				const chunked = await stream(url, authHeaders(emulator));
				expect(chunked.headers['transfer-encoding']).toBe('chunked');
				expect(chunked.headers['content-length']).toBeUndefined();
				expect(chunked.body.equals(PAGE_PNG.subarray(0, 100))).toBe(true);
				expect(chunked.error).toBeInstanceOf(Error);

				emulator.faults.push({ match: isFile, kind: 'cut', headers: { 'content-type': 'image/jpeg' }, body: Buffer.from([0xff, 0xd8, 0xff, 0xe0]), cutAfterBytes: 0 });
				const empty = await stream(url, authHeaders(emulator));
				expect([empty.status, empty.headers['content-length'], empty.body.length]).toEqual([200, '4', 0]);
				expect(empty.error).toBeInstanceOf(Error);
				expect(emulator.requests.slice(-3).map((r) => r.fault)).toEqual(['cut', 'cut', 'cut']);
			});
		});
	});
});
