import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { PAGE_JPEG } from '../dev/emulator/images';
import { credentialsFor, everythingVisible, FAST, ocr, run, samplePdf, useEmulator } from './support';

/** Submit with Source: URL, against a file server that misbehaves in every way a link can. */

const emu = useEmulator();
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const PDF = samplePdf('A PDF BY URL');
const BIG = Buffer.concat([PDF, Buffer.alloc(3 * 1024 * 1024, 0x20)]);

interface Seen {
	path: string;
	headers: IncomingHttpHeaders;
}

let files: Server;
let base = '';
let otherBase = '';
const seen: Seen[] = [];
const sockets = new Set<Socket>();

function send(res: ServerResponse, body: Buffer, type: string, length = true): void {
	res.writeHead(200, { 'content-type': type, ...(length ? { 'content-length': String(body.length) } : {}) });
	res.end(body);
}

beforeAll(async () => {
	files = createServer((req, res) => {
		seen.push({ path: req.url ?? '', headers: req.headers });
		const path = (req.url ?? '').split('?')[0];
		switch (path) {
			case '/invoice.pdf':
				return send(res, PDF, 'application/pdf');
			case '/scans/0001':
				res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment; filename="hoa-don-0001.pdf"', 'content-length': String(PDF.length) });
				return res.end(PDF);
			case '/card.jpg':
				return send(res, PAGE_JPEG, 'image/jpeg', false);
			case '/busy-once.pdf':
				if (seen.filter((entry) => entry.path.startsWith('/busy-once.pdf')).length === 1) {
					res.writeHead(503, { 'retry-after': '0' });
					return res.end();
				}
				return send(res, PDF, 'application/pdf');
			case '/moved':
				res.writeHead(302, { location: `${otherBase}/invoice.pdf` });
				return res.end();
			case '/to-ftp':
				res.writeHead(302, { location: 'ftp://files.example.com/invoice.pdf' });
				return res.end();
			case '/missing.pdf':
				res.writeHead(404, { 'content-type': 'text/plain' });
				return res.end('not here');
			case '/private.pdf':
				res.writeHead(403);
				return res.end();
			case '/login':
				return send(res, Buffer.from('<!DOCTYPE html><html><body><form>Sign in</form></body></html>'), 'text/html; charset=utf-8');
			case '/page-as-pdf.pdf':
				return send(res, Buffer.from('  <html><body>Download will start…</body></html>'), 'application/pdf');
			case '/notes.txt':
				return send(res, Buffer.from('just some text, long enough to sniff'), 'text/plain');
			case '/big.pdf':
				return send(res, BIG, 'application/pdf');
			case '/big-chunked.pdf':
				return send(res, BIG, 'application/pdf', false);
			case '/cut.pdf':
				res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': String(PDF.length * 10) });
				res.write(PDF);
				setTimeout(() => res.socket?.destroy(), 50);
				return;
			case '/slow.pdf': {
				res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': String(PDF.length) });
				let sent = 0;
				const timer = setInterval(() => {
					if (sent >= PDF.length || res.destroyed) return clearInterval(timer);
					res.write(PDF.subarray(sent, sent + 8));
					sent += 8;
				}, 200);
				res.on('close', () => clearInterval(timer));
				return;
			}
			default:
				res.writeHead(500);
				return res.end();
		}
	});
	files.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
	const { port } = files.address() as AddressInfo;
	base = `http://127.0.0.1:${port}`;
	otherBase = `http://localhost:${port}`;
});

afterAll(async () => {
	for (const socket of sockets) socket.destroy();
	await new Promise((resolve) => files.close(resolve));
});

beforeEach(() => {
	seen.length = 0;
});

const byUrl = (url: string, options: Record<string, unknown> = {}) => ocr({ operation: 'submit', source: 'url', url, docType: 'INVOICE', waitForResult: false, options });
const uploads = () => emu.get().requests.filter((request) => request.method === 'POST');

describe('Submit from a URL', () => {
	it('downloads the file and uploads exactly its bytes, named after the link; the GreenNode key and Portal User ID never go to that address', async () => {
		const result = await run(emu.get(), [byUrl(`${base}/invoice.pdf?X-Amz-Signature=secret`)]);
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.request_id).toEqual(expect.any(String));
		expect(uploads()[0].file).toMatchObject({ fileName: 'invoice.pdf', mimeType: 'application/pdf', size: PDF.length, sha256: sha256(PDF) });
		expect(uploads()[0].fields).toMatchObject({ file_type: 'PDF' });
		const { apiKey, portalUserId } = credentialsFor(emu.get()).greenNodeOcrApi;
		expect(seen).toHaveLength(1);
		const sent = JSON.stringify(seen);
		expect(sent).not.toContain(apiKey);
		expect(sent).not.toContain(portalUserId);
		expect(seen[0].headers.authorization).toBeUndefined();
	});

	it('follows a redirect to another host (still without any credential), takes the name from Content-Disposition, reads an image without Content-Length', async () => {
		const result = await run(emu.get(), [byUrl('={{ $json.link }}')], [{ json: { link: `${base}/moved` } }, { json: { link: `${base}/scans/0001` } }, { json: { link: `${base}/card.jpg` } }]);
		expect(result.error).toBeUndefined();
		expect(seen.map((entry) => [entry.path, entry.headers.host?.split(':')[0]])).toEqual([['/moved', '127.0.0.1'], ['/invoice.pdf', 'localhost'], ['/scans/0001', '127.0.0.1'], ['/card.jpg', '127.0.0.1']]);
		expect(seen.every((entry) => entry.headers.authorization === undefined && entry.headers['portal-user-id'] === undefined)).toBe(true);
		expect(uploads().map((upload) => [upload.file?.fileName, upload.file?.size, upload.fields?.file_type])).toEqual([
			['invoice.pdf', PDF.length, 'PDF'],
			['hoa-don-0001.pdf', PDF.length, 'PDF'],
			['card.jpg', PAGE_JPEG.length, 'IMAGE'],
		]);
	});

	it('a 503 is retried like every GET of the node (honouring Retry-After), then the file is uploaded once', async () => {
		const result = await run(emu.get(), [byUrl(`${base}/busy-once.pdf`)]);
		expect(result.error).toBeUndefined();
		expect(seen.map((entry) => entry.path)).toEqual(['/busy-once.pdf', '/busy-once.pdf']);
		expect(uploads()).toHaveLength(1);
	});

	it('works the same in n8n\'s filesystem binary mode (the file streams to disk)', async () => {
		const result = await run(emu.get(), [byUrl(`${base}/invoice.pdf`)], [{}], { binaryMode: 'filesystem' });
		expect(result.error).toBeUndefined();
		expect(uploads()[0].file).toMatchObject({ size: PDF.length, sha256: sha256(PDF) });
	});

	const failing: Array<[string, string, Record<string, unknown>, RegExp, RegExp]> = [
		['not found', '/missing.pdf', {}, /^The file at http:\/\/127\.0\.0\.1:\d+\/missing\.pdf\?… was not found \(HTTP 404\)$/, /expired/],
		['not public', '/private.pdf', {}, /is not public \(HTTP 403\)$/, /presigned or shared link/],
		['an HTML login page', '/login', {}, /^The address http:\/\/127\.0\.0\.1:\d+\/login\?… gives a web page, not a PDF or an image$/, /direct download link/],
		['HTML sent as application/pdf', '/page-as-pdf.pdf', {}, /gives a web page, not a PDF or an image$/, /login page/],
		['plain text', '/notes.txt', {}, /is not a PDF or an image \(Content-Type "text\/plain"\)$/, /PDF, JPEG, PNG/],
		['too large (Content-Length)', '/big.pdf', { maxFileSize: 1 }, /is too large \(3\.0 MB; Max File Size is 1\.0 MB\)$/, /Max File Size/],
		['too large (no Content-Length)', '/big-chunked.pdf', { maxFileSize: 1 }, /is too large \(more than 1\.0 MB; Max File Size is 1\.0 MB\)$/, /Max File Size/],
		['cut off', '/cut.pdf', {}, /(stopped before its end|stopped after \d+ of its \d+ bytes)/, /./],
		['too slow', '/slow.pdf', { requestTimeout: 1 }, /took longer than the Request Timeout \(1 s\)$/, /Request Timeout/],
		['a redirect to ftp', '/to-ftp', {}, /redirects to a ftp: address$/, /http and https/],
	];

	it.each(failing)('%s: a clear error naming the address (query string hidden), nothing uploaded, paired with Continue On Fail', async (_, path, options, message, description) => {
		const result = await run(emu.get(), [byUrl(`${base}${path}?token=s3cr3t`, { ...FAST, maxRetries: 0, ...options })]);
		expect(result.error?.message).toMatch(message);
		expect(result.error?.message).not.toContain('s3cr3t');
		expect((result.error as Error & { description?: string }).description).toMatch(description);
		expect(uploads()).toHaveLength(0);
		const continued = await run(emu.get(), [{ ...byUrl(`${base}${path}?token=s3cr3t`, { ...FAST, maxRetries: 0, ...options }), continueOnFail: true }]);
		expect(continued.items).toEqual([{ json: expect.objectContaining({ error: expect.stringMatching(message) }), pairedItem: { item: 0 } }]);
	});

	it('bad URLs are errors before any request', async () => {
		for (const [url, message] of [
			['={{ $json.nothing }}', 'URL is empty'],
			['invoice.pdf', 'URL "invoice.pdf" is not a web address'],
			['file:///etc/passwd', 'URL "file:///etc/passwd" is not http or https'],
		]) {
			const result = await run(emu.get(), [byUrl(url)]);
			expect(result.error?.message).toBe(message);
		}
		const zero = await run(emu.get(), [byUrl(`${base}/invoice.pdf`, { maxFileSize: '={{ 0 }}' })]);
		expect(zero.error?.message).toBe('Max File Size must be more than 0 (it is 0)');
		expect(seen).toHaveLength(0);
		expect(everythingVisible(await run(emu.get(), [byUrl('ftp://x')]))).not.toContain(credentialsFor(emu.get()).greenNodeOcrApi.apiKey);
	});

	it('the ledger sees a file by URL like any other: the same file again is not uploaded', async () => {
		const { memoryDataTables } = await import('../dev/runner');
		const dataTables = memoryDataTables().provider;
		const first = await run(emu.get(), [byUrl(`${base}/invoice.pdf`)], [{}], { dataTables });
		const again = await run(emu.get(), [byUrl(`${base}/scans/0001`)], [{}], { dataTables });
		expect(first.error).toBeUndefined();
		expect(again.items[0].json).toMatchObject({ request_id: first.items[0].json.request_id, reused: true });
		expect(uploads()).toHaveLength(1);
	});
});
