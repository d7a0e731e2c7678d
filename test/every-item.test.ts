import type { ExecutionBaseError, INodeExecutionData } from 'n8n-workflow';

import type { RunResult } from '../dev/runner';
import { FAST, jpegItem, ocr, run, useEmulator } from './support';

/** Every input item gives an output item: also a job still processing, failed, or with no documents. */

const emu = useEmulator();

function outputsOf(result: RunResult): INodeExecutionData[][] {
	return result.outputs['GreenNode OCR'] ?? [];
}

async function submitted(fileName: string): Promise<string> {
	const result = await run(emu.get(), [ocr({ operation: 'submit', waitForResult: false, docType: 'ID' })], [jpegItem(fileName)]);
	expect(result.error).toBeUndefined();
	return result.items[0].json.request_id as string;
}

describe('a request without documents still gives its item', () => {
	it('Get Result without waiting, while processing: request_id, status, progress and empty on one paired item', async () => {
		emu.get().configure({ pendingPolls: 5 });
		const requestId = await submitted('id-card.jpg');
		const result = await run(emu.get(), [ocr({ operation: 'getResult', requestId, waitForResult: false })]);
		expect(result.error).toBeUndefined();
		const [documents] = outputsOf(result);
		expect(documents).toHaveLength(1);
		expect(documents[0].json).toMatchObject({
			request_id: requestId,
			document_id: null,
			status: 'PROCESSING',
			progress: { total_doc: 1, finished: 0 },
			empty: true,
			fields: {},
			needs_review: false,
		});
		expect(documents[0].pairedItem).toEqual({ item: 0 });
	});

	it('Get Result without waiting, with a Review Threshold: the unfinished request goes to Needs Review with why', async () => {
		emu.get().configure({ pendingPolls: 5 });
		const requestId = await submitted('id-card.jpg');
		const result = await run(emu.get(), [
			ocr({ operation: 'getResult', requestId: '={{ $json.id }}', waitForResult: false, options: { reviewThreshold: 0.8 } }),
		], [{ json: { id: requestId } }, { json: { id: requestId } }]);
		expect(result.error).toBeUndefined();
		const [documents, review] = outputsOf(result);
		expect(documents).toEqual([]);
		expect(review.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(review[0].json).toMatchObject({ request_id: requestId, status: 'PROCESSING', empty: true, needs_review: true });
		expect((review[0].json.review_reasons as string[])[0]).toMatch(/not finished yet \(0 of 1 documents processed\).*Get Result/);
	});

	it('Get Result without waiting, on a failed job: the item says FAILED and why', async () => {
		const requestId = await submitted('will-fail.jpg');
		const result = await run(emu.get(), [ocr({ operation: 'getResult', requestId, waitForResult: false, options: { reviewThreshold: 0.5 } })]);
		expect(result.error).toBeUndefined();
		const [documents, review] = outputsOf(result);
		expect(documents).toEqual([]);
		expect(review).toHaveLength(1);
		expect(review[0].json).toMatchObject({ request_id: requestId, status: 'FAILED', empty: true, extra: { message: 'Document could not be processed' } });
		expect((review[0].json.review_reasons as string[])[0]).toMatch(/could not process it \(status FAILED/);
	});

	it.each([
		['Get Result', 'getResult'],
		['Submit', 'submit'],
	])('%s waiting for a result that finishes with no documents (a blank page) outputs it, marked empty', async (_, operation) => {
		const options = { ...FAST, emptyResultWait: 0.1 };
		const requestId = operation === 'getResult' ? await submitted('blank-page.jpg') : undefined;
		const node =
			operation === 'getResult'
				? ocr({ operation, requestId, options })
				: ocr({ operation, docType: 'ID', options });
		const result = await run(emu.get(), [node], [jpegItem('blank-page.jpg')]);
		expect(result.error).toBeUndefined();
		const [documents] = outputsOf(result);
		expect(documents).toHaveLength(1);
		expect(documents[0].json).toMatchObject({ status: 'COMPLETED', progress: { total_doc: 0 }, empty: true, document_id: null });
		expect(typeof documents[0].json.request_id).toBe('string');
		expect(documents[0].pairedItem).toEqual({ item: 0 });

		const reviewed = await run(emu.get(), [{ ...node, parameters: { ...node.parameters, options: { ...options, reviewThreshold: 0.5 } } }], [jpegItem('blank-page.jpg')]);
		const [confident, review] = outputsOf(reviewed);
		expect(confident).toEqual([]);
		expect(review).toHaveLength(1);
		expect((review[0].json.review_reasons as string[])[0]).toMatch(/no documents in the result \(finished with no documents\)/);
	});

	it('raw output is unchanged: the answer as it is, one item', async () => {
		const requestId = await submitted('blank-page.jpg');
		const result = await run(emu.get(), [ocr({ operation: 'getResult', output: 'raw', requestId, options: { ...FAST, emptyResultWait: 0.1 } })]);
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json).toMatchObject({ request_id: requestId, documents: [], empty: true });
	});
});

describe('a wrong option is an error on its item, never a silent default', () => {
	const wrong: Array<[string, Record<string, unknown>, RegExp]> = [
		['Review Threshold as text', { options: { reviewThreshold: 'high' } }, /Review Threshold must be a number from 0 to 1 \(it is high\)/],
		['a negative Review Threshold', { options: { reviewThreshold: -0.5 } }, /Review Threshold must be a number from 0 to 1 \(it is -0.5\)/],
		['an Include that is not a list', { options: { include: 7 } }, /Include has a value that is not one of tables, signatures, stamps, images \(7\)/],
		['an Include naming no part', { options: { include: ['tables', 'pictures'] } }, /Include has a value .*\(pictures\)/],
		['Normalize Values as a word', { options: { normalize: 'no' } }, /Normalize Values must be true or false \(it is no\)/],
		['an unknown Output', { output: 'json' }, /Output must be one of documents, raw \(it is json\)/],
		['Wait for Result as a word', { waitForResult: 'later' }, /Wait for Result must be true or false \(it is later\)/],
	];

	it.each(wrong)('%s: an error item with Continue On Fail, paired; a clear error without', async (_, parameters, message) => {
		const requestId = await submitted('id-card.jpg');
		const node = ocr({ operation: 'getResult', requestId, ...parameters, options: { ...FAST, ...((parameters.options as object) ?? {}) } });
		const lenient = await run(emu.get(), [{ ...node, continueOnFail: true }], [{ json: {} }, { json: {} }]);
		expect(lenient.error).toBeUndefined();
		expect(lenient.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		for (const item of lenient.items) expect(item.json.error).toMatch(message);
		const strict = await run(emu.get(), [node]);
		expect(strict.error?.message).toMatch(message);
		expect((strict.error as ExecutionBaseError).description).toMatch(/expression/);
	});

	it('values an expression gives as text are read as meant: "false", "RAW", "0.8", "tables, stamps"', async () => {
		const requestId = await submitted('id-card.jpg');
		const raw = await run(emu.get(), [ocr({ operation: 'getResult', requestId, output: 'RAW', waitForResult: 'false' })]);
		expect(raw.error).toBeUndefined();
		expect(raw.items[0].json).toHaveProperty('documents');
		expect(emu.get().requests.filter((request) => request.method === 'GET')).toHaveLength(1);

		const documents = await run(emu.get(), [
			ocr({ operation: 'getResult', requestId, options: { ...FAST, reviewThreshold: '0.99', include: 'tables, stamps', normalize: 'false' } }),
		]);
		expect(documents.error).toBeUndefined();
		const [first] = outputsOf(documents)[1];
		expect(first.json.needs_review).toBe(true);
		expect(first.json).toHaveProperty('tables');
		expect(first.json).toHaveProperty('stamps');
		expect(first.json).not.toHaveProperty('signatures');
		expect(first.json.original).toBeUndefined();
	});
});

describe('Concurrency', () => {
	it('a wrong value fails every item: error items with Continue On Fail, paired, nothing uploaded', async () => {
		const node = ocr({ operation: 'submit', docType: 'ID', options: { ...FAST, concurrency: '={{ 0 }}' } });
		const lenient = await run(emu.get(), [{ ...node, continueOnFail: true }], [jpegItem('a.jpg'), jpegItem('b.jpg')]);
		expect(lenient.error).toBeUndefined();
		expect(lenient.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		for (const item of lenient.items) expect(item.json.error).toMatch(/Concurrency must be at least 1 \(it is 0\)/);
		expect(emu.get().requests).toHaveLength(0);

		const strict = await run(emu.get(), [node], [jpegItem('a.jpg')]);
		expect(strict.error?.message).toMatch(/Concurrency must be at least 1/);
	});

	it('Get Result honours Continue On Fail for a wrong Concurrency too', async () => {
		const node = ocr({ operation: 'getResult', requestId: 'r-1', options: { concurrency: 'many' } }, { continueOnFail: true });
		const result = await run(emu.get(), [node]);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json.error).toMatch(/Concurrency is not a number/);
	});
});
