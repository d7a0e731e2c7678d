import { createHash, randomBytes } from 'crypto';
import { request as httpRequest } from 'http';
import { Blob } from 'buffer';
import { inflateSync } from 'zlib';
import { FormData, request } from 'undici';
import { crc32, PAGE_PNG } from '../dev/emulator/images';
import { Emulator, startEmulator } from '../dev/emulator/server';
import type { Body, PartData, ResultData, SubmitData } from './wire';

interface Answer {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: Buffer;
}

function authHeaders(emulator: Emulator): Record<string, string> {
	return { authorization: `Bearer ${emulator.apiKey}`, 'portal-user-id': emulator.portalUserId };
}

async function call(
	url: string,
	init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: FormData | string } = {},
): Promise<Answer> {
	const response = await request(url, { method: init.method ?? 'GET', headers: init.headers, body: init.body });
	const body = Buffer.from(await response.body.arrayBuffer());
	return { status: response.statusCode, headers: response.headers, body };
}

function get(emulator: Emulator, apiPath: string, headers = authHeaders(emulator)): Promise<Answer> {
	return call(`${emulator.apiUrl}${apiPath}`, { headers });
}

/** The JSON body of an answer, read as `T` (a GreenNode shape, or `unknown` to compare it whole). */
function jsonOf<T = unknown>(answer: Answer): T {
	expect(answer.headers['content-type']).toMatch(/^application\/json/);
	return JSON.parse(answer.body.toString('utf8')) as T;
}

interface UploadFile {
	name: string;
	data: Buffer;
	type?: string;
}

function form(fields: Record<string, string>, file?: UploadFile): FormData {
	const data = new FormData();
	for (const [name, value] of Object.entries(fields)) {
		data.append(name, value);
	}
	if (file) {
		data.append('file', new Blob([file.data], { type: file.type ?? 'application/pdf' }), file.name);
	}
	return data;
}

function submit(
	emulator: Emulator,
	fields: Record<string, string>,
	file?: UploadFile,
	headers = authHeaders(emulator),
): Promise<Answer> {
	return call(`${emulator.apiUrl}/ocr/ingest`, { method: 'POST', headers, body: form(fields, file) });
}

const PDF = { name: 'invoice.pdf', data: Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n') };
const IMAGE = { name: 'cccd.jpg', data: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]), type: 'image/jpeg' };

async function submitOk(emulator: Emulator, fields: Record<string, string>, file: UploadFile): Promise<{ requestId: string; fileIds: string[] }> {
	const answer = await submit(emulator, fields, file);
	expect(answer.status).toBe(201);
	const { data } = jsonOf<Body<SubmitData>>(answer);
	return { requestId: data.request_id, fileIds: data.file_ids };
}

async function pollUntilDone(emulator: Emulator, requestId: string): Promise<Body<ResultData>> {
	for (let i = 0; i < 5; i++) {
		const body = jsonOf<Body<ResultData>>(await get(emulator, `/ocr/ingest/${requestId}`));
		if (body.data.progress.finished > 0) {
			return body;
		}
	}
	throw new Error('job did not finish');
}

function expectForbidden(answer: Answer): void {
	expect(answer.status).toBe(403);
	expect(answer.headers['content-type']).toMatch(/^text\/plain/);
	expect(answer.headers['content-length']).toBe('9');
	expect(answer.body.toString('utf8')).toBe('Forbidden');
}

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

	beforeAll(async () => {
		emulator = await startEmulator({ extraAccounts: [{ apiKey: 'other-key', portalUserId: '200002' }] });
	});

	afterAll(async () => {
		await emulator.close();
	});

	beforeEach(() => {
		emulator.reset();
	});

	describe('paths and authentication', () => {
		it('exposes its address and the API root', () => {
			expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
			expect(emulator.apiUrl).toBe(`${emulator.url}/maas/user-100001/greennode/idp/v1`);
			expect(emulator.apiKey).toBe('gn-emulator-key');
			expect(emulator.portalUserId).toBe('100001');
		});

		it('answers 404 JSON outside the API root', async () => {
			const answer = await call(`${emulator.url}/v1/ocr/ingest`, { headers: authHeaders(emulator) });
			expect(answer.status).toBe(404);
			expect(jsonOf(answer)).toEqual({ message: 'Not Found' });
			const unknown = await get(emulator, '/ocr/unknown');
			expect(unknown.status).toBe(404);
			expect(jsonOf(unknown)).toEqual({ message: 'Not Found' });
		});

		it('answers a 9-byte plain-text Forbidden to a wrong key', async () => {
			expectForbidden(await get(emulator, '/ocr/ingest/x', { ...authHeaders(emulator), authorization: 'Bearer wrong' }));
			expectForbidden(await get(emulator, '/ocr/ingest/x', { ...authHeaders(emulator), authorization: emulator.apiKey }));
			expectForbidden(await get(emulator, '/ocr/ingest/x', { 'portal-user-id': emulator.portalUserId }));
		});

		it('answers Forbidden to a wrong portal-user-id header', async () => {
			expectForbidden(await get(emulator, '/ocr/ingest/x', { ...authHeaders(emulator), 'portal-user-id': '100002' }));
			expectForbidden(await get(emulator, '/ocr/ingest/x', { authorization: `Bearer ${emulator.apiKey}` }));
		});

		it("answers Forbidden on another user's path", async () => {
			const answer = await call(`${emulator.url}/maas/user-200002/greennode/idp/v1/ocr/ingest/x`, {
				headers: authHeaders(emulator),
			});
			expectForbidden(answer);
		});

		it('rejects an upload with a wrong key before reading it and creates no job', async () => {
			const answer = await submit(emulator, { flow: 'single', doc_type: 'ID', file_type: 'PDF' }, PDF, {
				...authHeaders(emulator),
				authorization: 'Bearer wrong',
			});
			expectForbidden(answer);
			expect(emulator.jobs.size).toBe(0);
			expect(emulator.requests[0].fields).toBeUndefined();
			expect(emulator.requests[0].authorized).toBe(false);
		});

		it('keeps request ids private to their account', async () => {
			const { requestId } = await submitOk(emulator, { flow: 'single', doc_type: 'ID', file_type: 'IMAGE' }, IMAGE);
			const other = await call(`${emulator.url}/maas/user-200002/greennode/idp/v1/ocr/ingest/${requestId}`, {
				headers: { authorization: 'Bearer other-key', 'portal-user-id': '200002' },
			});
			expect(other.status).toBe(404);
			expect(jsonOf(other)).toEqual({ message: 'request_id not found' });
		});

		it('records every request with the Authorization header redacted', async () => {
			await get(emulator, '/ocr/ingest/nope');
			await get(emulator, '/ocr/ingest/nope', { ...authHeaders(emulator), authorization: 'Bearer wrong' });
			expect(emulator.requests.map((r) => r.status)).toEqual([404, 403]);
			for (const recorded of emulator.requests) {
				expect(recorded.headers.authorization).toBe('[redacted]');
				expect(JSON.stringify(recorded)).not.toContain(emulator.apiKey);
			}
			expect(emulator.requests[0].authorized).toBe(true);
		});
	});

	describe('submit validation', () => {
		const cases: Array<[string, Record<string, string>, UploadFile | undefined, string]> = [
			['flow', { doc_type: 'ID', file_type: 'PDF' }, PDF, 'flow is required'],
			['doc_type with flow=single', { flow: 'single', file_type: 'PDF' }, PDF, 'doc_type is required'],
			['file_type', { flow: 'single', doc_type: 'ID' }, PDF, 'file_type is required'],
			['a valid file_type', { flow: 'single', doc_type: 'ID', file_type: 'pdf' }, PDF, 'file_type must be PDF or IMAGE'],
			['file', { flow: 'single', doc_type: 'ID', file_type: 'PDF' }, undefined, 'file is required'],
			['a non-empty file', { flow: 'single', doc_type: 'ID', file_type: 'PDF' }, { name: 'a.pdf', data: Buffer.alloc(0) }, 'file is empty'],
		];

		it.each(cases)('answers 400 without %s', async (_what, fields, file, text) => {
			const answer = await submit(emulator, fields, file);
			expect(answer.status).toBe(400);
			expect(jsonOf(answer)).toEqual({ message: text });
			expect(emulator.jobs.size).toBe(0);
		});

		it('answers 400 to a body that is not multipart', async () => {
			const answer = await call(`${emulator.apiUrl}/ocr/ingest`, {
				method: 'POST',
				headers: { ...authHeaders(emulator), 'content-type': 'application/json' },
				body: JSON.stringify({ flow: 'single' }),
			});
			expect(answer.status).toBe(400);
			expect(jsonOf(answer)).toEqual({ message: 'Content-Type must be multipart/form-data' });
		});

		it('answers 500 to a doc_type the account does not have', async () => {
			const answer = await submit(emulator, { flow: 'single', doc_type: 'PASSPORT', file_type: 'PDF' }, PDF);
			expect(answer.status).toBe(500);
			expect(jsonOf(answer)).toEqual({ message: 'Internal Server Error' });
			expect(emulator.jobs.size).toBe(0);
		});

		it('accepts a flow id with any doc_type or none', async () => {
			await submitOk(emulator, { flow: 'flow-123', file_type: 'PDF' }, PDF);
			await submitOk(emulator, { flow: 'flow-123', doc_type: 'ANYTHING', file_type: 'IMAGE' }, IMAGE);
			expect(emulator.jobs.size).toBe(2);
		});

		it('records the fields and the file', async () => {
			const { requestId } = await submitOk(
				emulator,
				{ flow: 'single', doc_type: 'INVOICE', file_type: 'PDF' },
				{ name: 'hóa đơn.pdf', data: PDF.data },
			);
			const recorded = emulator.requests[0];
			expect(recorded.status).toBe(201);
			expect(recorded.requestId).toBe(requestId);
			expect(recorded.fields).toEqual({ flow: 'single', doc_type: 'INVOICE', file_type: 'PDF' });
			expect(recorded.file).toEqual({
				fieldName: 'file',
				fileName: 'hóa đơn.pdf',
				mimeType: 'application/pdf',
				size: PDF.data.length,
				sha256: createHash('sha256').update(PDF.data).digest('hex'),
			});
			const job = emulator.jobs.get(requestId);
			expect(job).toMatchObject({ flow: 'single', docType: 'INVOICE', fileType: 'PDF', fileName: 'hóa đơn.pdf', outcome: 'ok' });
		});
	});

	describe('results', () => {
		it('goes through processing, terminal-but-empty and done', async () => {
			const submitted = await submit(emulator, { flow: 'single', doc_type: 'ID', file_type: 'IMAGE' }, IMAGE);
			expect(submitted.status).toBe(201);
			const { data } = jsonOf<Body<SubmitData>>(submitted);
			expect(data.request_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
			expect(data.file_ids).toEqual([`${data.request_id.slice(0, 8)}_page_1.jpg`]);
			const requestId: string = data.request_id;

			const first = jsonOf<Body<ResultData>>(await get(emulator, `/ocr/ingest/${requestId}`));
			expect(first).toEqual({
				data: { request_id: requestId, status: 'PROCESSING', progress: { total_doc: 1, ignored: 0, finished: 0 }, documents: [] },
			});
			const early = await get(emulator, `/ocr/ingest/table/${requestId}/doc-1`);
			expect(early.status).toBe(404);
			expect(jsonOf(early)).toEqual({ message: 'document not ready' });

			const second = jsonOf<Body<ResultData>>(await get(emulator, `/ocr/ingest/${encodeURIComponent(requestId)}`));
			expect(second.data.status).toBe('COMPLETED');
			expect(second.data.progress).toEqual({ total_doc: 1, ignored: 0, finished: 0 });
			expect(second.data.documents).toEqual([{ document_id: 'doc-1', ocr_data: [{ name: 'eid', value: [] }] }]);

			const third = jsonOf<Body<ResultData>>(await get(emulator, `/ocr/ingest/${requestId}`));
			expect(third.data.request_id).toBe(requestId);
			expect(third.data.status).toBe('COMPLETED');
			expect(third.data.progress).toEqual({ total_doc: 1, ignored: 0, finished: 1 });
			expect(third.data.extra_field).toBeDefined();
			const [doc] = third.data.documents;
			expect(doc).toMatchObject({
				document_id: 'doc-1',
				document_type: 'ID',
				document_type_title: 'Căn cước công dân',
				status: 'SUCCESS',
				is_correct: false,
				is_correct_classification: true,
				page: 1,
				file_id: data.file_ids[0],
			});
			expect(doc.extra_field).toBeDefined();
			expect(doc.ocr_data[0].name).toBe('eid');
			expect(doc.ocr_data[0].value[0]).toMatchObject({
				name: 'id_number',
				extracted_value: '079303009457',
				extracted_prob: 0.98,
				coordinates: [412, 301, 861, 356],
			});
			expect(emulator.jobs.get(requestId)?.polls).toBe(3);
		});

		it('answers 404 JSON to an unknown request id', async () => {
			const answer = await get(emulator, '/ocr/ingest/00000000-0000-4000-8000-000000000000');
			expect(answer.status).toBe(404);
			expect(jsonOf(answer)).toEqual({ message: 'request_id not found' });
		});

		it('gives a PDF two pages and two documents', async () => {
			const { requestId, fileIds } = await submitOk(emulator, { flow: 'single', doc_type: 'INVOICE', file_type: 'PDF' }, PDF);
			const prefix = requestId.slice(0, 8);
			expect(fileIds).toEqual([`${prefix}_page_1.jpg`, `${prefix}_page_2.png`]);
			const done = await pollUntilDone(emulator, requestId);
			expect(done.data.progress).toEqual({ total_doc: 2, ignored: 0, finished: 2 });
			expect(done.data.documents.map((d) => [d.document_id, d.page, d.file_id, d.document_type])).toEqual([
				['doc-1', 1, fileIds[0], 'INVOICE'],
				['doc-2', 2, fileIds[1], 'INVOICE'],
			]);
		});

		it('serves tables, signatures and stamps once done', async () => {
			const { requestId } = await submitOk(emulator, { flow: 'single', doc_type: 'INVOICE', file_type: 'PDF' }, PDF);
			await pollUntilDone(emulator, requestId);

			const tables = jsonOf<Body<PartData>>(await get(emulator, `/ocr/ingest/table/${requestId}/doc-1`));
			expect(tables.data.request_id).toBe(requestId);
			expect(tables.data.document_id).toBe('doc-1');
			expect(tables.data.tables).toHaveLength(2);
			const [first, second] = tables.data.tables;
			expect(first).toMatchObject({ page: 1, n_rows: 4, n_cols: 4, coordinates: [60, 720, 1180, 1310] });
			expect(first.cells.filter((c) => c.row === 0).map((c) => c.text)).toEqual(['STT', 'Tên hàng', 'Số lượng', 'Đơn giá']);
			expect(first.cells).toHaveLength(16);
			for (const cell of first.cells) {
				expect(Object.keys(cell).sort()).toEqual(
					['col', 'col_span', 'coordinates', 'extracted_prob', 'row', 'row_span', 'text'].sort(),
				);
			}
			expect(second).toMatchObject({ page: 2, n_rows: 3, n_cols: 4 });
			expect(second.cells.filter((c) => c.row === 0).map((c) => c.text)).toEqual(['Mã', '', 'Mã', 'Thành tiền']);
			expect(second.cells.some((c) => c.row_span === 2 || c.col_span === 2)).toBe(true);

			const second2 = jsonOf<Body<PartData>>(await get(emulator, `/ocr/ingest/table/${requestId}/doc-2`));
			expect(second2.data.tables).toEqual([]);

			const signature = jsonOf<Body<PartData>>(await get(emulator, `/ocr/ingest/signature/${requestId}/doc-1`));
			expect(signature.data).toMatchObject({ request_id: requestId, document_id: 'doc-1' });
			expect(signature.data.signatures).toEqual([
				{ page: 1, coordinates: [820, 1400, 1100, 1520], extracted_prob: 0.93, file_id: 'sig_1.png' },
			]);

			const stamp = jsonOf<Body<PartData>>(await get(emulator, `/ocr/ingest/stamp/${requestId}/doc-1`));
			expect(stamp.data.stamps).toHaveLength(1);
			expect(stamp.data.stamps[0]).toMatchObject({ page: 1, file_id: 'stamp_1.png', extracted_value: 'CÔNG TY TNHH THƯƠNG MẠI ĐẠI PHÁT' });

			const unknown = await get(emulator, `/ocr/ingest/stamp/${requestId}/doc-9`);
			expect(unknown.status).toBe(404);
			expect(jsonOf(unknown)).toEqual({ message: 'document_id not found' });
		});

		it('fails jobs whose file name contains "fail"', async () => {
			const { requestId } = await submitOk(emulator, { flow: 'single', doc_type: 'ID', file_type: 'IMAGE' }, { ...IMAGE, name: 'will-fail.jpg' });
			expect(jsonOf<Body<ResultData>>(await get(emulator, `/ocr/ingest/${requestId}`)).data.status).toBe('PROCESSING');
			const failed = jsonOf<Body<ResultData>>(await get(emulator, `/ocr/ingest/${requestId}`));
			expect(failed.data).toMatchObject({
				status: 'FAILED',
				message: 'Document could not be processed',
				progress: { total_doc: 1, ignored: 0, finished: 0 },
			});
			expect((await get(emulator, `/ocr/ingest/table/${requestId}/doc-1`)).status).toBe(404);
		});

		it('never fills jobs whose file name contains "stuck"', async () => {
			const { requestId } = await submitOk(emulator, { flow: 'single', doc_type: 'ID', file_type: 'IMAGE' }, { ...IMAGE, name: 'stuck.jpg' });
			await get(emulator, `/ocr/ingest/${requestId}`);
			for (let i = 0; i < 4; i++) {
				const body = jsonOf<Body<ResultData>>(await get(emulator, `/ocr/ingest/${requestId}`));
				expect(body.data.status).toBe('COMPLETED');
				expect(body.data.progress.finished).toBe(0);
				expect(body.data.documents[0].ocr_data[0].value).toEqual([]);
			}
		});

		it('has no tables for file names containing "notable"', async () => {
			const { requestId } = await submitOk(emulator, { flow: 'single', doc_type: 'ID', file_type: 'IMAGE' }, { ...IMAGE, name: 'notable.jpg' });
			await pollUntilDone(emulator, requestId);
			expect(jsonOf<Body<PartData>>(await get(emulator, `/ocr/ingest/table/${requestId}/doc-1`)).data.tables).toEqual([]);
			expect(jsonOf<Body<PartData>>(await get(emulator, `/ocr/ingest/signature/${requestId}/doc-1`)).data.signatures).toHaveLength(1);
		});

		it('lets tests override the scenario and the settings', async () => {
			emulator.setScenario((job) => (job.fileName === 'quick.jpg' ? { pendingPolls: 0, emptyPolls: 0 } : { outcome: 'fail' }));
			const quick = await submitOk(emulator, { flow: 'single', doc_type: 'ID', file_type: 'IMAGE' }, { ...IMAGE, name: 'quick.jpg' });
			expect(jsonOf<Body<ResultData>>(await get(emulator, `/ocr/ingest/${quick.requestId}`)).data.progress.finished).toBe(1);
			const other = await submitOk(emulator, { flow: 'single', doc_type: 'ID', file_type: 'IMAGE' }, IMAGE);
			await get(emulator, `/ocr/ingest/${other.requestId}`);
			expect(jsonOf<Body<ResultData>>(await get(emulator, `/ocr/ingest/${other.requestId}`)).data.status).toBe('FAILED');

			emulator.setScenario();
			emulator.configure({ pendingPolls: 0, emptyPolls: 2, enabledDocTypes: ['PASSPORT'] });
			const configured = await submitOk(emulator, { flow: 'single', doc_type: 'PASSPORT', file_type: 'IMAGE' }, IMAGE);
			expect(emulator.jobs.get(configured.requestId)?.scenario).toMatchObject({ pendingPolls: 0, emptyPolls: 2, tables: true });
			expect((await submit(emulator, { flow: 'single', doc_type: 'ID', file_type: 'IMAGE' }, IMAGE)).status).toBe(500);
		});

		it('follows the clock when a processing delay is set', async () => {
			const timed = await startEmulator({ processingDelayMs: 400 });
			try {
				const { requestId } = await submitOk(timed, { flow: 'single', doc_type: 'ID', file_type: 'IMAGE' }, IMAGE);
				const createdAt = timed.jobs.get(requestId)?.createdAt ?? 0;
				const statusAt = async (ms: number): Promise<ResultData> => {
					await new Promise((resolve) => setTimeout(resolve, Math.max(0, createdAt + ms - Date.now())));
					return jsonOf<Body<ResultData>>(await get(timed, `/ocr/ingest/${requestId}`)).data;
				};
				expect((await statusAt(0)).status).toBe('PROCESSING');
				const empty = await statusAt(300);
				expect([empty.status, empty.progress.finished]).toEqual(['COMPLETED', 0]);
				expect((await statusAt(450)).progress.finished).toBe(1);
			} finally {
				await timed.close();
			}
		});
	});

	describe('result files', () => {
		async function doneJob(): Promise<{ requestId: string; fileIds: string[] }> {
			const job = await submitOk(emulator, { flow: 'single', doc_type: 'INVOICE', file_type: 'PDF' }, PDF);
			await pollUntilDone(emulator, job.requestId);
			return job;
		}

		function checkPng(bytes: Buffer, width: number, height: number): void {
			expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
			const chunks: Array<{ type: string; data: Buffer }> = [];
			let offset = 8;
			while (offset < bytes.length) {
				const length = bytes.readUInt32BE(offset);
				const type = bytes.toString('ascii', offset + 4, offset + 8);
				const data = bytes.subarray(offset + 8, offset + 8 + length);
				expect(bytes.readUInt32BE(offset + 8 + length)).toBe(crc32(bytes.subarray(offset + 4, offset + 8 + length)));
				chunks.push({ type, data });
				offset += 12 + length;
			}
			expect(offset).toBe(bytes.length);
			expect(chunks[0].type).toBe('IHDR');
			expect(chunks[0].data.readUInt32BE(0)).toBe(width);
			expect(chunks[0].data.readUInt32BE(4)).toBe(height);
			expect([...chunks[0].data.subarray(8)]).toEqual([8, 2, 0, 0, 0]);
			expect(chunks[chunks.length - 1]).toEqual({ type: 'IEND', data: Buffer.alloc(0) });
			const idat = Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data));
			expect(inflateSync(idat).length).toBe(height * (width * 3 + 1));
		}

		it('uses a correct CRC-32', () => {
			expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
		});

		it('serves a valid JPEG for .jpg and a valid PNG for .png file ids', async () => {
			const { requestId, fileIds } = await doneJob();
			const jpeg = await get(emulator, `/ocr/ingest/file/${requestId}/${fileIds[0]}`);
			expect(jpeg.status).toBe(200);
			expect(jpeg.headers['content-type']).toBe('image/jpeg');
			expect(jpeg.headers['content-length']).toBe(String(jpeg.body.length));
			expect([...jpeg.body.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
			expect([...jpeg.body.subarray(-2)]).toEqual([0xff, 0xd9]);
			const sof = jpeg.body.indexOf(Buffer.from([0xff, 0xc0]));
			expect(sof).toBeGreaterThan(0);
			expect(jpeg.body.readUInt16BE(sof + 5)).toBe(48);
			expect(jpeg.body.readUInt16BE(sof + 7)).toBe(64);

			const png = await get(emulator, `/ocr/ingest/file/${requestId}/${fileIds[1]}`);
			expect(png.status).toBe(200);
			expect(png.headers['content-type']).toBe('image/png');
			expect(png.headers['content-length']).toBe(String(png.body.length));
			checkPng(png.body, 64, 48);
		});

		it('serves the signature and stamp crops', async () => {
			const { requestId } = await doneJob();
			const signature = await get(emulator, `/ocr/ingest/file/${requestId}/sig_1.png`);
			expect(signature.headers['content-type']).toBe('image/png');
			checkPng(signature.body, 48, 24);
			const stamp = await get(emulator, `/ocr/ingest/file/${requestId}/stamp_1.png`);
			checkPng(stamp.body, 40, 40);
			const unknown = await get(emulator, `/ocr/ingest/file/${requestId}/nope.png`);
			expect(unknown.status).toBe(404);
			expect(jsonOf(unknown)).toEqual({ message: 'file_id not found' });
		});

		it('can serve files as application/octet-stream, empty or as HTML', async () => {
			const { requestId, fileIds } = await doneJob();
			emulator.filesAsOctetStream = true;
			const octet = await get(emulator, `/ocr/ingest/file/${requestId}/${fileIds[1]}`);
			expect(octet.headers['content-type']).toBe('application/octet-stream');
			checkPng(octet.body, 64, 48);

			emulator.fileOverrides.set(fileIds[0], { contentType: 'image/jpeg', body: '' });
			const empty = await get(emulator, `/ocr/ingest/file/${requestId}/${fileIds[0]}`);
			expect([empty.status, empty.headers['content-type'], empty.body.length]).toEqual([200, 'image/jpeg', 0]);

			emulator.fileOverrides.set(fileIds[0], { contentType: 'text/html', body: '<html><body>Maintenance</body></html>' });
			const html = await get(emulator, `/ocr/ingest/file/${requestId}/${fileIds[0]}`);
			expect(html.headers['content-type']).toBe('text/html');
			expect(html.body.toString()).toContain('<html>');
		});
	});

	describe('large uploads', () => {
		it('streams a 50 MB upload and records its size and sha256', async () => {
			const boundary = `emulator-${randomBytes(12).toString('hex')}`;
			const block = randomBytes(1024 * 1024);
			const blocks = 50;
			const hash = createHash('sha256');
			const head = Buffer.from(
				[
					`--${boundary}\r\nContent-Disposition: form-data; name="flow"\r\n\r\nsingle\r\n`,
					`--${boundary}\r\nContent-Disposition: form-data; name="doc_type"\r\n\r\nCONTRACT\r\n`,
					`--${boundary}\r\nContent-Disposition: form-data; name="file_type"\r\n\r\nPDF\r\n`,
					`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
				].join(''),
			);
			const answer = await new Promise<Answer>((resolve, reject) => {
				const req = httpRequest(`${emulator.apiUrl}/ocr/ingest`, {
					method: 'POST',
					headers: { ...authHeaders(emulator), 'content-type': `multipart/form-data; boundary=${boundary}` },
				});
				req.on('error', reject);
				req.on('response', (res) => {
					const parts: Buffer[] = [];
					res.on('data', (chunk: Buffer) => parts.push(chunk));
					res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
				});
				const write = async (): Promise<void> => {
					req.write(head);
					for (let i = 0; i < blocks; i++) {
						block.writeUInt32BE(i, 0);
						hash.update(block);
						if (!req.write(Buffer.from(block))) {
							await new Promise((resolveDrain) => req.once('drain', resolveDrain));
						}
					}
					req.end(`\r\n--${boundary}--\r\n`);
				};
				write().catch(reject);
			});
			expect(answer.status).toBe(201);
			const requestId = JSON.parse(answer.body.toString()).data.request_id;
			const job = emulator.jobs.get(requestId);
			expect(job?.size).toBe(blocks * block.length);
			expect(job?.sha256).toBe(hash.digest('hex'));
			expect(emulator.requests[0].file).toMatchObject({ fileName: 'big.pdf', size: blocks * block.length, sha256: job?.sha256 });
		});
	});

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
