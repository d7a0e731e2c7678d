import { createHash } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

import { memoryDataTables, type MemoryDataTables } from '../dev/runner';
import { PAGE_JPEG } from '../dev/emulator/images';
import { FAST, jpegItem, ocr, run, useEmulator } from './support';
import { isPoll, isSubmit } from './hostile/common';

/**
 * The ledger of paid submissions, through the Data Table helpers n8n gives a node (here an in-memory
 * Data Table behind the same methods): no file is uploaded twice for the same flow, doc_type and account.
 */

const emu = useEmulator();

let tables: MemoryDataTables;
beforeEach(() => (tables = memoryDataTables()));

const submit = (options: IDataObject = {}, parameters: IDataObject = {}) =>
	ocr({ operation: 'submit', docType: 'ID', output: 'raw', ...parameters, options: { ...FAST, ...options } });

const uploads = () => emu.get().requests.filter(isSubmit).length;
const rows = () => tables.tables().find((table) => table.name === 'GreenNode OCR submissions')?.rows ?? [];

describe('the ledger of paid submissions', () => {
	it('the same file in a second execution is not uploaded: its result is output, marked reused with the first time', async () => {
		const first = await run(emu.get(), [submit()], [jpegItem('cccd.jpg')], { dataTables: tables.provider });
		expect(first.error).toBeUndefined();
		expect(first.items[0].json).toMatchObject({ reused: false, status: 'COMPLETED' });
		const second = await run(emu.get(), [submit()], [jpegItem('same-scan-other-name.jpg')], { dataTables: tables.provider });
		expect(second.error).toBeUndefined();
		expect(uploads()).toBe(1);
		expect(second.items[0].json).toMatchObject({
			reused: true,
			request_id: first.items[0].json.request_id,
			submitted_at: first.items[0].json.submitted_at,
			status: 'COMPLETED',
		});
		expect(second.items[0].pairedItem).toEqual({ item: 0 });
	});

	it('keeps one row per paid file, with what was paid for and never the API key', async () => {
		const result = await run(emu.get(), [submit({}, { waitForResult: false })], [jpegItem('cccd.jpg')], { dataTables: tables.provider });
		expect(result.error).toBeUndefined();
		expect(tables.tables().map((table) => table.name)).toEqual(['GreenNode OCR submissions']);
		expect(rows()).toHaveLength(1);
		const sha256 = createHash('sha256').update(PAGE_JPEG).digest('hex');
		expect(rows()[0]).toMatchObject({
			ledger_key: `${sha256}:single:ID:${emu.get().portalUserId}`,
			request_id: result.items[0].json.request_id,
			file_ids: JSON.stringify(result.items[0].json.file_ids),
			file_name: 'cccd.jpg',
			size: PAGE_JPEG.length,
			submitted_at: result.items[0].json.submitted_at,
			flow: 'single',
			doc_type: 'ID',
			account: emu.get().portalUserId,
			sha256,
		});
		expect(JSON.stringify(tables.tables())).not.toContain(emu.get().apiKey);
	});

	it('the key is the file with its flow, doc_type and account: another doc_type is a new submission', async () => {
		await run(emu.get(), [submit({}, { waitForResult: false })], [jpegItem()], { dataTables: tables.provider });
		await run(emu.get(), [submit({}, { waitForResult: false, docType: 'INVOICE' })], [jpegItem()], { dataTables: tables.provider });
		await run(emu.get(), [submit({}, { waitForResult: false })], [{ ...jpegItem(), binary: { data: { data: Buffer.concat([PAGE_JPEG, Buffer.from([0])]), fileName: 'x.jpg', mimeType: 'image/jpeg' } } }], { dataTables: tables.provider });
		expect(uploads()).toBe(3);
		expect(rows()).toHaveLength(3);
	});

	it('files of the same size with other bytes are new: each is uploaded, and each row has its own sha256', async () => {
		const variant = (byte: number) => {
			const bytes = Buffer.from(PAGE_JPEG);
			bytes[bytes.length - 3] = byte;
			return { json: {}, binary: { data: { data: bytes, fileName: `v${byte}.jpg`, mimeType: 'image/jpeg' } } };
		};
		// Two in one run (read before the upload), then a third in another run (a paid file of its size exists).
		await run(emu.get(), [submit({}, { waitForResult: false })], [variant(1), variant(2)], { dataTables: tables.provider });
		const third = await run(emu.get(), [submit({}, { waitForResult: false })], [variant(3)], { dataTables: tables.provider });
		expect(third.items[0].json.reused).toBe(false);
		expect(uploads()).toBe(3);
		const hashes = [1, 2, 3].map((byte) => createHash('sha256').update(variant(byte).binary.data.data).digest('hex'));
		expect(rows().map((row) => row.sha256).sort()).toEqual(hashes.sort());
	});

	it('two identical files in one execution are uploaded once; both items get the result', async () => {
		const result = await run(emu.get(), [submit()], [jpegItem('a.jpg'), jpegItem('b.jpg'), jpegItem('c.jpg')], { dataTables: tables.provider });
		expect(result.error).toBeUndefined();
		expect(uploads()).toBe(1);
		expect(new Set(result.items.map((item) => item.json.request_id)).size).toBe(1);
		expect(result.items.map((item) => item.json.reused)).toEqual([false, true, true]);
		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	it('a Submit that timed out is retried without a second upload, and outputs the result', async () => {
		emu.get().configure({ processingDelayMs: 2500 });
		const failed = await run(emu.get(), [submit({ pollInterval: 0.1, timeout: 0.5 })], [jpegItem()], { dataTables: tables.provider });
		expect(failed.error?.message).toMatch(/No result for request_id/);
		const requestId = rows()[0].request_id;
		expect(failed.error?.message).toContain(requestId);
		const retried = await run(emu.get(), [submit({ pollInterval: 0.1, timeout: 10 })], [jpegItem()], { dataTables: tables.provider });
		expect(retried.error).toBeUndefined();
		expect(uploads()).toBe(1);
		expect(retried.items[0].json).toMatchObject({ request_id: requestId, reused: true, status: 'COMPLETED' });
	});

	it('a file hashed while it uploads keeps the hash of the upload GreenNode accepted, after a retried 503', async () => {
		emu.get().faults.push({ match: isSubmit, kind: 'status', status: 503, headers: { 'content-type': 'application/json', 'retry-after': '0' } });
		const result = await run(emu.get(), [submit({}, { waitForResult: false })], [jpegItem()], { dataTables: tables.provider });
		expect(result.error).toBeUndefined();
		expect(uploads()).toBe(2);
		expect(rows()[0].sha256).toBe(createHash('sha256').update(PAGE_JPEG).digest('hex'));
	});

	it('Submit Again uploads anyway and the row follows the new request_id', async () => {
		const first = await run(emu.get(), [submit({}, { waitForResult: false })], [jpegItem()], { dataTables: tables.provider });
		const again = await run(emu.get(), [submit({ duplicates: 'submitAgain' }, { waitForResult: false })], [jpegItem()], { dataTables: tables.provider });
		expect(uploads()).toBe(2);
		expect(again.items[0].json.request_id).not.toBe(first.items[0].json.request_id);
		expect(again.items[0].json.reused).toBe(false);
		expect(rows()).toHaveLength(1);
		expect(rows()[0].request_id).toBe(again.items[0].json.request_id);
	});

	it.each([
		['GreenNode no longer knows (404)', (requestId: string) => void emu.get().jobs.delete(requestId)],
		['ended FAILED', (requestId: string) => void ((emu.get().jobs.get(requestId) as { outcome: string }).outcome = 'fail')],
	])('a reused request_id that %s is submitted again and the row replaced', async (_, breakIt) => {
		const first = await run(emu.get(), [submit()], [jpegItem()], { dataTables: tables.provider });
		let oldId = first.items[0].json.request_id as string;
		breakIt(oldId);
		for (const waitForResult of [true, false]) {
			emu.get().requests.length = 0;
			const again = await run(emu.get(), [submit({}, { waitForResult })], [jpegItem()], { dataTables: tables.provider });
			expect(again.error).toBeUndefined();
			// The paid request_id was tried first.
			expect(emu.get().requests.some((request) => isPoll(request) && request.path.endsWith(`/${oldId}`))).toBe(true);
			expect(uploads()).toBe(1);
			expect(again.items[0].json.reused).toBe(false);
			expect(again.items[0].json.request_id).not.toBe(oldId);
			expect(rows()).toHaveLength(1);
			expect(rows()[0].request_id).toBe(again.items[0].json.request_id);
			oldId = again.items[0].json.request_id as string;
			breakIt(oldId);
		}
	});

	it('without waiting, a reused request_id is checked with one Get Result, not uploaded', async () => {
		const first = await run(emu.get(), [submit({}, { waitForResult: false })], [jpegItem()], { dataTables: tables.provider });
		emu.get().requests.length = 0;
		const second = await run(emu.get(), [submit({}, { waitForResult: false })], [jpegItem()], { dataTables: tables.provider });
		expect(second.items[0].json).toEqual({ request_id: first.items[0].json.request_id, file_ids: first.items[0].json.file_ids, reused: true, submitted_at: first.items[0].json.submitted_at });
		expect(emu.get().requests.map((request) => (isPoll(request) ? 'poll' : request.method))).toEqual(['poll']);
	});

	it('reads the file as a stream in filesystem binary mode and keys it by its bytes', async () => {
		await run(emu.get(), [submit({}, { waitForResult: false })], [jpegItem()], { dataTables: tables.provider, binaryMode: 'filesystem' });
		const again = await run(emu.get(), [submit({}, { waitForResult: false })], [jpegItem()], { dataTables: tables.provider, binaryMode: 'filesystem' });
		expect(again.items[0].json.reused).toBe(true);
		expect(rows()[0].sha256).toBe(createHash('sha256').update(PAGE_JPEG).digest('hex'));
		expect(uploads()).toBe(1);
	});
});

describe('when the ledger cannot be used', () => {
	it.each([
		['n8n has no Data Tables (older n8n, or turned off)', undefined, /this n8n has no Data Tables/],
		['n8n refuses them to this node (as n8n 2.x does)', () => memoryDataTables({ refuse: true }).provider, /does not let this node use its Data Tables/],
	])('%s: Submit still works and says so once', async (_, provider, reason) => {
		const dataTables = provider?.();
		const options = { dataTables };
		const result = await run(emu.get(), [submit({}, { waitForResult: false })], [jpegItem('a.jpg'), jpegItem('b.jpg')], options);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(2);
		expect(result.items[0].json).not.toHaveProperty('reused');
		const warnings = result.logs.filter((line) => line.includes('Duplicates cannot be detected'));
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).toMatch(reason);
		expect(warnings[0]).toMatch(/GreenNode OCR Ledger API credential/);
		const hints = JSON.stringify(result.runData['GreenNode OCR'][0].hints ?? []);
		expect(hints).toMatch(/Duplicates cannot be detected/);
		await run(emu.get(), [submit({}, { waitForResult: false })], [jpegItem('a.jpg')], options);
		expect(uploads()).toBe(3);
	});

	it('a ledger that fails to look up: no upload, an error item with Continue On Fail', async () => {
		await run(emu.get(), [submit({}, { waitForResult: false })], [jpegItem()], { dataTables: tables.provider });
		tables.failNext('getManyRowsAndCount', 5);
		const result = await run(emu.get(), [{ ...submit({}, { waitForResult: false }), continueOnFail: true }], [jpegItem()], { dataTables: tables.provider });
		expect(result.items[0].json.error).toMatch(/getManyRowsAndCount failed/);
		expect(uploads()).toBe(1);
	});

	it('a row that cannot be written after the upload: the paid result is still output, and the run says so', async () => {
		await run(emu.get(), [submit({}, { waitForResult: false })], [jpegItem('first.jpg')], { dataTables: tables.provider });
		tables.failNext('insertRows');
		const other = { ...jpegItem(), binary: { data: { data: Buffer.concat([PAGE_JPEG, Buffer.from('x')]), fileName: 'other.jpg', mimeType: 'image/jpeg' } } };
		const result = await run(emu.get(), [submit()], [other], { dataTables: tables.provider });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ status: 'COMPLETED', reused: false });
		expect(result.logs.some((line) => line.includes(`request_id ${result.items[0].json.request_id as string}) could not be written to the ledger`))).toBe(true);
	});
});
