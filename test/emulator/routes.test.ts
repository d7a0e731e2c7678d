import { createHash, randomBytes } from 'crypto';
import { request as httpRequest } from 'http';

import {
	Answer,
	authHeaders,
	call,
	Emulator,
	expectForbidden,
	get,
	IMAGE,
	jsonOf,
	PDF,
	submit,
	submitOk,
	UploadFile,
	useTestEmulator,
} from './support';

describe('GreenNode IDP emulator', () => {
	let emulator: Emulator;
	useTestEmulator((started) => (emulator = started));

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
});
