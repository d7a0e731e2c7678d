import { startEmulator } from '../../dev/emulator/server';
import type { Body, PartData, ResultData, SubmitData } from '../wire';
import { Emulator, get, IMAGE, jsonOf, PDF, pollUntilDone, submit, submitOk, useTestEmulator } from './support';

describe('GreenNode IDP emulator', () => {
	let emulator: Emulator;
	useTestEmulator((started) => (emulator = started));

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
});
