import { createHash, randomBytes } from 'crypto';

import { FAST, jpegItem, jsonOf, ocr, pdfItem, run, samplePdf, useEmulator } from './support';
import { allowance, CLOCK_ROUNDING_MS, measure } from './timing';
import type { ResultDocument } from './wire';

const emu = useEmulator();

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('Submit', () => {
	it('waits one Poll Interval after a document\'s upload before its first check', async () => {
		const emulator = emu.get();
		const pollIntervalMs = 400;
		const result = await run(emulator, [ocr({ operation: 'submit', docType: 'ID', output: 'raw', options: { pollInterval: pollIntervalMs / 1000, timeout: 10 } })], [jpegItem(), jpegItem('b.jpg')]);
		expect(result.error).toBeUndefined();
		for (const submit of emulator.requests.filter((request) => request.method === 'POST')) {
			const polls = emulator.requests.filter((request) => request.method === 'GET' && request.path.endsWith(`/${submit.requestId}`));
			expect(polls.length).toBeGreaterThan(0);
			// A lower bound: the upload arrived before the node saw it accepted, and a busy machine only adds to the gap.
			expect(polls[0].at - submit.at).toBeGreaterThanOrEqual(pollIntervalMs - CLOCK_ROUNDING_MS);
		}
	});

	it('sends exactly the documented multipart fields and outputs the data object', async () => {
		const emulator = emu.get();
		const result = await run(emulator, [ocr({ operation: 'submit', waitForResult: false, docType: 'ID' })], [pdfItem('hoá đơn 01.pdf')]);
		expect(result.error).toBeUndefined();
		const [item] = result.items;
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json.request_id).toEqual(expect.any(String));
		expect(item.json.file_ids).toHaveLength(2);
		const submit = emulator.requests.find((request) => request.method === 'POST');
		expect(submit?.status).toBe(201);
		expect(submit?.fields).toEqual({ flow: 'single', doc_type: 'ID', file_type: 'PDF' });
		expect(submit?.file).toMatchObject({
			fieldName: 'file',
			fileName: 'hoá đơn 01.pdf',
			mimeType: 'application/pdf',
			size: samplePdf().length,
			sha256: sha256(samplePdf()),
		});
		expect(submit?.headers['portal-user-id']).toBe(emulator.portalUserId);
		expect(submit?.authorized).toBe(true);
	});

	it('leaves doc_type out for a document-set flow id', async () => {
		const emulator = emu.get();
		const result = await run(emulator, [ocr({ operation: 'submit', waitForResult: false, flow: 'flow-123', docType: 'ignored' })], [jpegItem()]);
		expect(result.error).toBeUndefined();
		expect(emulator.requests[0].fields).toEqual({ flow: 'flow-123', file_type: 'IMAGE' });
	});

	it('detects the file type from the extension when the MIME type says nothing, and honours a forced type and file name', async () => {
		const emulator = emu.get();
		const items = [
			{ binary: { data: { data: samplePdf(), fileName: 'scan.PDF', mimeType: 'application/octet-stream' } } },
			{ binary: { data: { data: samplePdf(), fileName: 'blob.bin', mimeType: 'application/octet-stream' } } },
		];
		const result = await run(
			emulator,
			[ocr({ operation: 'submit', waitForResult: false, docType: 'ID', fileType: '={{ $itemIndex === 1 ? "pdf" : "auto" }}', options: { fileName: '={{ "doc-" + $itemIndex + ".pdf" }}' } })],
			items,
		);
		expect(result.error).toBeUndefined();
		const posts = emulator.requests.filter((request) => request.method === 'POST');
		expect(posts.map((post) => post.fields?.file_type)).toEqual(['PDF', 'PDF']);
		expect(posts.map((post) => post.file?.fileName).sort()).toEqual(['doc-0.pdf', 'doc-1.pdf']);
		expect(posts.map((post) => post.file?.mimeType)).toEqual(['application/pdf', 'application/pdf']);
	});

	it('streams a file in filesystem binary mode (the binary has an id) and the server gets every byte', async () => {
		const emulator = emu.get();
		const data = randomBytes(8 * 1024 * 1024);
		const result = await run(
			emulator,
			[ocr({ operation: 'submit', waitForResult: false, docType: 'ID' })],
			[{ binary: { data: { data, fileName: 'big-scan.jpg', mimeType: 'image/jpeg' } } }],
			{ binaryMode: 'filesystem' },
		);
		expect(result.error).toBeUndefined();
		const start = result.outputs.Start[0][0];
		expect(start.binary?.data.id).toMatch(/^filesystem/);
		const post = emulator.requests.find((request) => request.method === 'POST');
		expect(post?.file).toMatchObject({ size: data.length, sha256: sha256(data), mimeType: 'image/jpeg' });
		expect(post?.headers['content-length']).toEqual(expect.any(String));
	});

	it('waits for the result: processing, then terminal-but-empty, then complete', async () => {
		const emulator = emu.get();
		emulator.configure({ pendingPolls: 1, emptyPolls: 1 });
		const result = await run(emulator, [ocr({ operation: 'submit', output: 'raw', docType: 'ID', waitForResult: true, options: FAST })], [jpegItem()]);
		expect(result.error).toBeUndefined();
		const [item] = result.items;
		expect(item.json.status).toBe('COMPLETED');
		expect(item.json.progress).toEqual({ total_doc: 1, ignored: 0, finished: 1 });
		const documents = item.json.documents as unknown as ResultDocument[];
		expect(documents[0].ocr_data[0].value.length).toBeGreaterThan(0);
		expect(item.json.extra_field).toBeDefined();
		expect(item.json.request_id).toEqual(expect.any(String));
		expect(item.json.file_ids).toEqual(emulator.jobs.get(item.json.request_id as string)?.fileIds);
		const polls = emulator.requests.filter((request) => request.method === 'GET');
		expect(polls).toHaveLength(3);
	});

	it('submits a batch first, then polls all pending requests together', async () => {
		const emulator = emu.get();
		// Each document is answered on its 4th poll: 3 Poll Intervals from its first poll to its last.
		emulator.configure({ pendingPolls: 2, emptyPolls: 1 });
		const pollIntervalMs = 300;
		const items = Array.from({ length: 6 }, (_, index) => jpegItem(`card-${index}.jpg`, { n: index }));
		const { value: result, costMs, requests } = await measure(
			emulator.requests,
			() => run(emulator, [ocr({ operation: 'submit', docType: 'ID', waitForResult: false })], [jpegItem('baseline.jpg')]),
			() =>
				run(
					emulator,
					[ocr({ operation: 'submit', output: 'raw', docType: 'ID', waitForResult: true, options: { pollInterval: pollIntervalMs / 1000, timeout: 10 } })],
					items,
				),
		);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(6);
		expect(result.items.map((item) => item.pairedItem)).toEqual(items.map((_, item) => ({ item })));
		const methods = requests.map((request) => request.method);
		expect(methods.slice(0, 6)).toEqual(Array(6).fill('POST'));
		expect(methods.filter((method) => method === 'GET')).toHaveLength(6 * 4);
		const waits = requests
			.filter((request) => request.method === 'POST')
			.map((submit) => requests.filter((request) => request.method === 'GET' && request.path.endsWith(`/${submit.requestId}`)))
			.map((polls) => ({ first: polls[0].at, last: polls[polls.length - 1].at }));
		// The waits overlap: every document is polled a first time before any is polled a last time.
		const firstPoll = Math.min(...waits.map((wait) => wait.first));
		expect(Math.max(...waits.map((wait) => wait.first)) - firstPoll).toBeLessThan(Math.min(...waits.map((wait) => wait.last)) - firstPoll);
		// All six take about as long as one document's 3 Poll Intervals; one after the other they would take 6 times that.
		const together = Math.max(...waits.map((wait) => wait.last)) - firstPoll;
		expect(together).toBeLessThan(allowance(3 * pollIntervalMs, costMs));
		const files = result.items.map((item) => emulator.jobs.get(item.json.request_id as string)?.fileName);
		expect(files).toEqual(items.map((_, index) => `card-${index}.jpg`));
	});

	it('keeps each result on its own item when outputs come back in another order', async () => {
		const emulator = emu.get();
		emulator.setScenario((job) => (job.fileName === 'slow.jpg' ? { pendingPolls: 3 } : undefined));
		const result = await run(
			emulator,
			[ocr({ operation: 'submit', output: 'raw', docType: 'ID', waitForResult: true, options: FAST })],
			[jpegItem('slow.jpg'), jpegItem('fast.jpg')],
		);
		expect(result.error).toBeUndefined();
		expect(jsonOf(result.items).map((json) => emulator.jobs.get(json.request_id as string)?.fileName)).toEqual(['slow.jpg', 'fast.jpg']);
	});
});
