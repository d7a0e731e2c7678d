import { NodeError } from 'n8n-workflow';
import { isPoll, submitted } from './common';

import { jpegItems } from '../../dev/workflow';
import { FAST, ocr, run, useEmulator } from '../support';

/** Nothing the user paid for is lost without its request_id being reported. */

const emu = useEmulator();

describe('a batch that stops on an error', () => {
	it('lists item → request_id of every document already submitted', async () => {
		let submits = 0;
		emu.get().faults.push({ match: (request) => request.method === 'POST' && ++submits === 8, kind: 'status', status: 400, body: '{"message":"bad file"}' });
		const result = await run(emu.get(), [ocr({ operation: 'submit', waitForResult: false, docType: 'ID', options: { concurrency: 1 } })], jpegItems(10));
		const error = result.error as NodeError;
		expect(error.message).toMatch(/rejected the Submit request \(400\)/);
		expect(error.context.itemIndex).toBe(7);
		const accepted = emu.get().jobs;
		expect(accepted.size).toBe(7);
		const submitted = error.context.submitted as Record<string, string>;
		expect(Object.keys(submitted).sort()).toEqual(['0', '1', '2', '3', '4', '5', '6']);
		expect(new Set(Object.values(submitted))).toEqual(new Set(accepted.keys()));
		for (const [index, requestId] of Object.entries(submitted)) expect(error.description).toContain(`item ${index} → ${requestId}`);
		expect(error.description).toMatch(/7 documents were already submitted before the stop; fetch them with Get Result/);
	});

	it('also when the wait fails for one item after all were submitted', async () => {
		let polls = 0;
		emu.get().faults.push({ match: (request) => isPoll(request) && ++polls === 2, kind: 'status', status: 404, times: 1 });
		const result = await run(emu.get(), [ocr({ operation: 'submit', output: 'raw', docType: 'ID', waitForResult: true, options: { ...FAST, maxRetries: 0, concurrency: 1 } })], jpegItems(3));
		const error = result.error as NodeError;
		expect(error.context.itemIndex).toBe(1);
		expect(Object.keys(error.context.submitted as object).sort()).toEqual(['0', '2']);
	});

	it('lists nothing when nothing else was submitted', async () => {
		emu.get().faults.push({ match: (request) => request.method === 'POST', kind: 'status', status: 400 });
		const result = await run(emu.get(), [ocr({ operation: 'submit', waitForResult: false, docType: 'ID' })], jpegItems(1));
		expect((result.error as NodeError).description).not.toMatch(/already submitted/);
		expect((result.error as NodeError).context.submitted).toBeUndefined();
	});
});

const finishedButEmpty = {
	status: 'COMPLETED',
	progress: { total_doc: 1, ignored: 0, finished: 1 },
	documents: [{ document_id: 'doc-1', document_type: 'GET_TABLE', status: 'SUCCESS', ocr_data: null, schema: { table: [] } }],
};

describe('a finished result that stays empty', () => {
	async function requestId(): Promise<string> {
		const result = await run(emu.get(), [ocr({ operation: 'submit', waitForResult: false, docType: 'ID' })], jpegItems(1));
		emu.get().requests.length = 0;
		return result.items[0].json.request_id as string;
	}

	it('is output after the Empty Result Wait, marked, with unknown keys kept', async () => {
		const id = await requestId();
		emu.get().faults.push({ match: isPoll, kind: 'body', body: JSON.stringify({ data: finishedButEmpty }), times: Infinity });
		const started = Date.now();
		const result = await run(emu.get(), [ocr({ operation: 'getResult', output: 'raw', requestId: id, options: { pollInterval: 0.2, timeout: 30, emptyResultWait: 1 } })]);
		const elapsed = Date.now() - started;
		expect(result.error).toBeUndefined();
		expect(elapsed).toBeGreaterThanOrEqual(950);
		expect(elapsed).toBeLessThan(3000);
		const data = result.items[0].json as { empty?: boolean; documents: Array<Record<string, unknown>> };
		expect(data.empty).toBe(true);
		expect(data.documents[0]).toMatchObject({ document_id: 'doc-1', empty: true, schema: { table: [] } });
	});

	it('with no documents at all (a blank page)', async () => {
		const id = await requestId();
		const blank = { status: 'COMPLETED', progress: { total_doc: 0, ignored: 0, finished: 0 }, documents: [] };
		emu.get().faults.push({ match: isPoll, kind: 'body', body: JSON.stringify({ data: blank }), times: Infinity });
		const result = await run(emu.get(), [ocr({ operation: 'getResult', output: 'raw', requestId: id, options: { pollInterval: 0.2, timeout: 30, emptyResultWait: 0.5 } })]);
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ empty: true, documents: [] });
	});

	it('still gets its content when it arrives within the wait (status terminal before content)', async () => {
		const id = await requestId();
		emu.get().faults.push({ match: isPoll, kind: 'body', body: JSON.stringify({ data: finishedButEmpty }), times: 2 });
		const result = await run(emu.get(), [ocr({ operation: 'getResult', output: 'raw', requestId: id, options: { pollInterval: 0.1, timeout: 30, emptyResultWait: 5 } })]);
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.empty).toBeUndefined();
		expect(JSON.stringify(result.items[0].json)).not.toContain('"empty"');
		expect(emu.get().requests.filter(isPoll)).toHaveLength(3);
	});

	it('at the Timeout, is output as empty rather than failing', async () => {
		const id = await requestId();
		emu.get().faults.push({ match: isPoll, kind: 'body', body: JSON.stringify({ data: finishedButEmpty }), times: Infinity });
		const result = await run(emu.get(), [ocr({ operation: 'getResult', output: 'raw', requestId: id, options: { pollInterval: 0.2, timeout: 1, emptyResultWait: 15 } })]);
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.empty).toBe(true);
	});
});
