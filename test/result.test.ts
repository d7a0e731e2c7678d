import type { IDataObject } from 'n8n-workflow';

import shapes from './fixtures/greennode-shapes.json';
import { classifyResult } from '../nodes/GreenNodeOcr/helpers/result';

const done = shapes.result_done_200.data as IDataObject;
const field = { name: 'id_number', extracted_value: '1', extracted_prob: 0.9, coordinates: [1, 2, 3, 4] };

describe('when is a result complete', () => {
	it('the fixtures: pending, terminal-but-empty and done', () => {
		expect(classifyResult(shapes.result_pending_200.data as IDataObject).state).toBe('pending');
		expect(classifyResult(shapes.result_terminal_but_empty_200.data as IDataObject).state).toBe('pending');
		expect(classifyResult(done).state).toBe('done');
	});

	it('a terminal status with content is not done while the progress counters lag', () => {
		const partial = {
			status: 'COMPLETED',
			progress: { total_doc: 2, ignored: 0, finished: 1 },
			documents: [
				{ document_id: 'doc-1', status: 'SUCCESS', ocr_data: [{ name: 'eid', value: [field] }] },
				{ document_id: 'doc-2', status: 'SUCCESS', ocr_data: [{ name: 'eid', value: [field] }] },
			],
		};
		expect(classifyResult(partial)).toEqual({ state: 'pending', reason: '1 of 2 documents processed' });
	});

	it('finished counters with one document still empty are not done', () => {
		const result = {
			status: 'COMPLETED',
			progress: { total_doc: 2, ignored: 0, finished: 2 },
			documents: [
				{ document_id: 'doc-1', ocr_data: [{ name: 'eid', value: [field] }] },
				{ document_id: 'doc-2', ocr_data: [{ name: 'eid', value: [] }] },
			],
		};
		expect(classifyResult(result).state).toBe('empty');
	});

	it('ignored documents count as processed', () => {
		const result = {
			status: 'COMPLETED',
			progress: { total_doc: 2, ignored: 1, finished: 1 },
			documents: [
				{ document_id: 'doc-1', ocr_data: [{ name: 'eid', value: [field] }] },
				{ document_id: 'doc-2', status: 'IGNORED', ocr_data: [] },
			],
		};
		expect(classifyResult(result).state).toBe('done');
		expect(classifyResult({ status: 'COMPLETED', progress: { total_doc: 1, ignored: 1, finished: 0 }, documents: [] }).state).toBe('done');
	});

	it('failure words are failures, with the server message', () => {
		expect(classifyResult({ status: 'FAILED', message: 'bad scan' })).toEqual({ state: 'failed', reason: 'status FAILED: bad scan' });
		expect(classifyResult({ status: 'error' }).state).toBe('failed');
		expect(classifyResult({ status: 'COMPLETED', progress: { total_doc: 1, ignored: 0, finished: 1 }, documents: [{ status: 'FAILED' }] }).state).toBe('failed');
	});

	it('no progress and no terminal status is pending; missing fields never crash', () => {
		expect(classifyResult({}).state).toBe('pending');
		expect(classifyResult({ status: 'PROCESSING', documents: null } as IDataObject).state).toBe('pending');
		expect(classifyResult({ status: 'COMPLETED', documents: [null, 'x'] } as IDataObject).state).toBe('empty');
		expect(classifyResult({ status: 'PROCESSING', progress: { total_doc: 0, finished: 0 }, documents: [] }).state).toBe('pending');
		expect(classifyResult({ status: 'COMPLETED', documents: [{ ocr_data: [{ value: [field] }] }] }).state).toBe('done');
	});
});
