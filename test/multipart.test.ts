import busboy from 'busboy';
import { randomBytes } from 'crypto';

import { multipartBody } from '../nodes/GreenNodeOcr/helpers/multipart';
import { jpegItem, ocr, run, useEmulator } from './support';

/** The hand-built multipart upload: the bytes on the wire, and how it goes through n8n's HTTP helper. */

async function collect(body: ReturnType<typeof multipartBody>): Promise<Buffer[]> {
	const chunks: Buffer[] = [];
	for await (const chunk of body.stream()) chunks.push(Buffer.from(chunk));
	return chunks;
}

async function parse(body: ReturnType<typeof multipartBody>) {
	const raw = Buffer.concat(await collect(body));
	return await new Promise<{ fields: Record<string, string>; files: Array<{ name: string; fileName: string; mimeType: string; data: Buffer }>; raw: Buffer }>((resolve, reject) => {
		const fields: Record<string, string> = {};
		const files: Array<{ name: string; fileName: string; mimeType: string; data: Buffer }> = [];
		const parser = busboy({ headers: { 'content-type': body.type }, defParamCharset: 'utf8' });
		parser.on('field', (name, value) => (fields[name] = value));
		parser.on('file', (name, stream, info) => {
			const parts: Buffer[] = [];
			stream.on('data', (chunk: Buffer) => parts.push(chunk));
			stream.on('end', () => files.push({ name, fileName: info.filename ?? '', mimeType: info.mimeType, data: Buffer.concat(parts) }));
		});
		parser.on('close', () => resolve({ fields, files, raw }));
		parser.on('error', reject);
		parser.end(raw);
	});
}

describe('multipartBody', () => {
	const file = randomBytes(3000);

	it('is a valid multipart body whose size is its exact length, with the file as given (no copy)', async () => {
		const body = multipartBody([['flow', 'single'], ['doc_type', 'ID']], { field: 'file', fileName: 'hoá đơn.pdf', contentType: 'application/pdf', size: file.length, data: file });
		const parsed = await parse(body);
		expect(parsed.raw.length).toBe(body.size);
		expect(parsed.fields).toEqual({ flow: 'single', doc_type: 'ID' });
		expect(parsed.files).toEqual([{ name: 'file', fileName: 'hoá đơn.pdf', mimeType: 'application/pdf', data: file }]);
		const chunks: Uint8Array[] = [];
		for await (const chunk of body.stream()) chunks.push(chunk);
		expect(chunks.some((chunk) => chunk === file)).toBe(true);
		expect(Object.prototype.toString.call(body)).toBe('[object Blob]');
		expect(body.type).toMatch(/^multipart\/form-data; boundary=-+GreenNodeOcr[0-9a-f]{32}$/);
	});

	it('streams a file source chunk by chunk', async () => {
		const source = async () => (async function* () {
			for (let offset = 0; offset < file.length; offset += 1000) yield file.subarray(offset, offset + 1000);
		})();
		const parsed = await parse(multipartBody([], { field: 'file', fileName: 'a.jpg', contentType: 'image/jpeg', size: file.length, data: source }));
		expect(parsed.files[0].data.equals(file)).toBe(true);
	});

	it('keeps a hostile file name inside its header', async () => {
		const parsed = await parse(multipartBody([], { field: 'file', fileName: 'a"b\r\nX-Evil: 1\r\n\r\nx.pdf', contentType: 'application/pdf', size: 3, data: Buffer.from('pdf') }));
		expect(parsed.files).toHaveLength(1);
		expect(parsed.files[0].mimeType).toBe('application/pdf');
		expect(parsed.files[0].fileName).toBe('a%22b%0D%0AX-Evil: 1%0D%0A%0D%0Ax.pdf');
	});

	it('fails rather than send a body whose length differs from its Content-Length', async () => {
		const short = async () => (async function* () { yield Buffer.alloc(10); })();
		await expect(collect(multipartBody([], { field: 'file', fileName: 'a', contentType: 'image/png', size: 20, data: short }))).rejects.toThrow('The file ended after 10 of its 20 bytes');
		const long = async () => (async function* () { yield Buffer.alloc(30); })();
		await expect(collect(multipartBody([], { field: 'file', fileName: 'a', contentType: 'image/png', size: 20, data: long }))).rejects.toThrow('larger than its stored size');
	});
});

describe('through n8n\'s HTTP helper', () => {
	const emu = useEmulator();

	it.each(['default', 'filesystem'] as const)('sends a Content-Length, no chunked encoding, in %s binary mode', async (binaryMode) => {
		const result = await run(emu.get(), [ocr({ operation: 'submit', waitForResult: false, docType: 'ID' })], [jpegItem()], { binaryMode });
		expect(result.error).toBeUndefined();
		const post = emu.get().requests.find((request) => request.method === 'POST');
		expect(Number(post?.headers['content-length'])).toBeGreaterThan(post?.file?.size ?? 0);
		expect(post?.headers['transfer-encoding']).toBeUndefined();
		expect(post?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
	});
});
