import { PAGE_PNG } from '../../dev/emulator/images';
import { FAST, everythingVisible, jpegItem, ocr, run, useEmulator } from '../support';
import { startForeignHost, type ForeignHost } from './foreign';
import { isPoll, isFile, submitted } from './common';

/** The key never leaves GreenNode's origin: redirects elsewhere are refused, or followed bare. */

const SECRET = 'gn-Redirect-Secret-5c2e';
const emu = useEmulator({ apiKey: SECRET });
let foreign: ForeignHost;
beforeAll(async () => (foreign = await startForeignHost()));
afterAll(async () => await foreign.close());
beforeEach(() => (foreign.requests.length = 0));



describe('JSON calls do not follow a redirect to another origin', () => {
	it.each([301, 302, 303, 307, 308])('Get Result answered %i to another host: a clear error, nothing sent there', async (status) => {
		const { requestId } = await submitted(emu.get());
		emu.get().faults.push({ match: isPoll, kind: 'status', status, headers: { location: `${foreign.url}/steal?x=1` } });
		const result = await run(emu.get(), [ocr({ operation: 'getResult', output: 'raw', requestId, options: FAST })]);
		expect(result.error?.message).toBe(`GreenNode redirected Get Result for request_id "${requestId}" to ${foreign.host} (${status})`);
		expect((result.error as { description?: string }).description).toMatch(/Check the Base URL/);
		expect(foreign.requests).toHaveLength(0);
		expect(everythingVisible(result)).not.toContain('forged');
	});

	it('another scheme on the same host and port is another origin too', async () => {
		const { requestId } = await submitted(emu.get());
		const target = emu.get().url.replace('http://', 'https://');
		emu.get().faults.push({ match: isPoll, kind: 'status', status: 302, headers: { location: `${target}/x` } });
		const result = await run(emu.get(), [ocr({ operation: 'getResult', output: 'raw', requestId, options: FAST })]);
		expect(result.error?.message).toMatch(/^GreenNode redirected Get Result/);
	});

	it('a redirect within the same origin is followed, with the key', async () => {
		const { requestId } = await submitted(emu.get());
		const location = `${emu.get().basePath}/ocr/ingest/${requestId}`;
		emu.get().faults.push({ match: isPoll, kind: 'status', status: 307, headers: { location } });
		const result = await run(emu.get(), [ocr({ operation: 'getResult', output: 'raw', requestId, options: FAST })]);
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.status).toBe('COMPLETED');
		const polls = emu.get().requests.filter(isPoll);
		expect(polls.map((request) => request.status)).toEqual([307, 200]);
		expect(polls[1].authorized).toBe(true);
	});

	it('Get Table refuses it the same way', async () => {
		const { requestId } = await submitted(emu.get());
		emu.get().faults.push({ match: (request) => request.path.includes('/table/'), kind: 'status', status: 302, headers: { location: `${foreign.url}/t` } });
		const result = await run(emu.get(), [ocr({ operation: 'getTable', requestId, documentId: 'doc-1' })]);
		expect(result.error?.message).toMatch(new RegExp(`^GreenNode redirected Get Table for request_id "${requestId}" to ${foreign.host}`));
		expect(foreign.requests).toHaveLength(0);
	});
});

describe('Submit never follows a redirect', () => {
	it('names the redirect and its target, and uploads once', async () => {
		emu.get().faults.push({ match: (request) => request.method === 'POST', kind: 'status', status: 307, headers: { location: `${foreign.url}/ingest` } });
		const result = await run(emu.get(), [ocr({ operation: 'submit', waitForResult: false, docType: 'ID' })], [jpegItem()]);
		expect(result.error?.message).toBe(`GreenNode redirected Submit to ${foreign.host} (307)`);
		expect((result.error as { description?: string }).description).toMatch(/never sent twice.*Check the Base URL/s);
		expect(emu.get().requests.filter((request) => request.method === 'POST')).toHaveLength(1);
		expect(foreign.requests).toHaveLength(0);
	});
});

describe('Get Result Image may be handed to another host, without our headers', () => {
	it('follows the redirect bare and stores the image', async () => {
		const { requestId, fileId } = await submitted(emu.get());
		foreign.reply = { status: 200, headers: { 'content-type': 'image/png' }, body: PAGE_PNG };
		emu.get().faults.push({ match: isFile, kind: 'status', status: 302, headers: { location: `${foreign.url}/bucket/page.png?sig=abc` } });
		const result = await run(emu.get(), [ocr({ operation: 'getFile', requestId, fileId })]);
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.mimeType).toBe('image/png');
		expect(foreign.requests).toHaveLength(1);
		const headers = foreign.requests[0].headers;
		expect(foreign.requests[0].path).toBe('/bucket/page.png?sig=abc');
		expect(headers.authorization).toBeUndefined();
		expect(headers['portal-user-id']).toBeUndefined();
		expect(JSON.stringify(headers)).not.toContain(SECRET);
	});

	it('stops after 5 redirects', async () => {
		const { requestId, fileId } = await submitted(emu.get());
		foreign.reply = { status: 302, headers: { location: '/again' }, body: '' };
		emu.get().faults.push({ match: isFile, kind: 'status', status: 302, headers: { location: `${foreign.url}/again` } });
		const result = await run(emu.get(), [ocr({ operation: 'getFile', requestId, fileId, options: { maxRetries: 0 } })]);
		expect(result.error?.message).toMatch(/^GreenNode redirected Get Result Image/);
		expect((result.error as { description?: string }).description).toMatch(/after 5 redirects/);
		expect(foreign.requests).toHaveLength(5);
	});
});
