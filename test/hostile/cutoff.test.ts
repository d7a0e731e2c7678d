import { createHash } from 'crypto';
import { isPoll, isFile, isSubmit, submitted } from './common';

import { PAGE_JPEG } from '../../dev/emulator/images';
import { runWorkflow } from '../../dev/runner';
import { FAST, credentialsFor, jpegItem, ocr, run, useEmulator } from '../support';

/** An answer cut off mid-way is a dropped connection: retried where safe, and reported as cut off. */

const emu = useEmulator();


describe('a cut-off JSON answer', () => {
	it.each([false, true])('is retried (chunked: %p)', async (chunked) => {
		const { requestId } = await submitted(emu.get());
		emu.get().faults.push({ match: isPoll, kind: 'cut', stage: 'after', chunked });
		const result = await run(emu.get(), [ocr({ operation: 'getResult', output: 'raw', requestId, options: FAST })]);
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.status).toBe('COMPLETED');
		expect(emu.get().requests.filter(isPoll).length).toBeGreaterThanOrEqual(2);
		expect(result.logs.some((line) => line.includes('got a cut-off answer; retry 1 of 3'))).toBe(true);
	});

	it('that keeps being cut says so and names the request_id', async () => {
		const { requestId } = await submitted(emu.get());
		emu.get().faults.push({ match: isPoll, kind: 'cut', stage: 'after', chunked: true, times: Infinity });
		const result = await run(emu.get(), [ocr({ operation: 'getResult', output: 'raw', requestId, options: { ...FAST, maxRetries: 2 } })]);
		expect(result.error?.message).toBe(`GreenNode's answer to Get Result for request_id "${requestId}" was cut off (gave up after 2 retries)`);
		expect((result.error as { description?: string }).description).not.toMatch(/Check the Base URL/);
		expect(emu.get().requests.filter(isPoll)).toHaveLength(3);
	});
});

describe('a cut-off image', () => {
	it('is fetched again, and the stored file is whole', async () => {
		const { requestId, fileId } = await submitted(emu.get());
		emu.get().faults.push({ match: isFile, kind: 'cut', stage: 'after', cutAfterBytes: 100 });
		const result = await run(emu.get(), [ocr({ operation: 'getFile', requestId, fileId })]);
		expect(result.error).toBeUndefined();
		const stored = Buffer.from(result.items[0].binary?.data.data as string, 'base64');
		expect(createHash('sha256').update(stored).digest('hex')).toBe(createHash('sha256').update(PAGE_JPEG).digest('hex'));
		expect(emu.get().requests.filter(isFile)).toHaveLength(2);
	});

	it('one retry loop: 503s and cut-off bodies together make at most Max Retries + 1 requests', async () => {
		const { requestId, fileId } = await submitted(emu.get());
		// Every request fails: in turn before its answer (503) and while its body arrives (cut).
		for (let n = 0; n < 20; n++) {
			emu.get().faults.push(
				n % 2 === 0
					? { match: isFile, kind: 'status', status: 503, headers: { 'content-type': 'application/json', 'retry-after': '0' } }
					: { match: isFile, kind: 'cut', stage: 'after', cutAfterBytes: 100 },
			);
		}
		const result = await run(emu.get(), [ocr({ operation: 'getFile', requestId, fileId, options: { maxRetries: 3 } })]);
		expect(emu.get().requests.filter(isFile)).toHaveLength(4);
		expect(result.error?.message).toBe(`GreenNode's answer to Get Result Image for file_id "${fileId}" of request_id "${requestId}" was cut off (gave up after 3 retries)`);
		expect(result.logs.filter((line) => /Get Result Image .* retry \d of 3/.test(line))).toHaveLength(3);
	});

	it('that keeps being cut names the file_id and request_id', async () => {
		const { requestId, fileId } = await submitted(emu.get());
		emu.get().faults.push({ match: isFile, kind: 'cut', stage: 'after', cutAfterBytes: 100, times: Infinity });
		const result = await run(emu.get(), [ocr({ operation: 'getFile', requestId, fileId, options: { maxRetries: 1 } })]);
		expect(result.error?.message).toBe(`GreenNode's answer to Get Result Image for file_id "${fileId}" of request_id "${requestId}" was cut off (gave up after 1 retry)`);
		expect(emu.get().requests.filter(isFile)).toHaveLength(2);
	});
});

describe('Submit', () => {
	it('a cut-off answer is not retried: the document may have been received', async () => {
		emu.get().faults.push({ match: isSubmit, kind: 'cut', stage: 'after' });
		const result = await run(emu.get(), [ocr({ operation: 'submit', waitForResult: false, docType: 'ID' })], [jpegItem()]);
		expect(result.error?.message).toBe(`GreenNode's answer to Submit was cut off`);
		expect((result.error as { description?: string }).description).toMatch(/may have been received/);
		expect(emu.get().requests.filter(isSubmit)).toHaveLength(1);
	});

	it('2xx without a request_id while waiting is a clear error quoting the answer', async () => {
		emu.get().faults.push({ match: isSubmit, kind: 'body', status: 201, body: JSON.stringify({ data: { accepted: true } }) });
		const result = await runWorkflow({
			nodes: [ocr({ operation: 'submit', output: 'raw', docType: 'ID', waitForResult: true, options: FAST })],
			items: [jpegItem()],
			credentials: credentialsFor(emu.get()),
		});
		expect(result.error?.message).toBe('GreenNode accepted the upload but returned no request_id to wait for');
		expect((result.error as { description?: string }).description).toMatch(/\{"accepted":true\}/);
	});
});
