import busboy from 'busboy';
import { randomBytes } from 'crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'http';
import type { AddressInfo } from 'net';
import type { IExecuteFunctions, IHttpRequestOptions, INodeExecutionData } from 'n8n-workflow';

import { disposeRunner, nodeDescription, registerNodeType, runWorkflow } from '../dev/runner';
import { multipartBody } from '../nodes/GreenNodeOcr/helpers/multipart';

/**
 * The two places where the node leans on how n8n's HTTP helper works inside, each checked on its own
 * so that an n8n upgrade that changes it fails here, with a message saying what changed:
 * - transport/request.ts passes its abort signal (Request Timeout and Stop together) through a
 *   context whose getExecutionCancelSignal() returns it, because httpRequestWithAuthentication
 *   sets the request's abortSignal from that method, overwriting any abortSignal in the options;
 * - helpers/multipart.ts hands the helper a Blob-like body, which axios streams with its `size` as
 *   Content-Length because it recognises a Blob by Symbol.toStringTag and stream().
 */

interface Seen {
	headers: IncomingHttpHeaders;
	body: Buffer;
	/** Whether the client went away before the server answered. */
	aborted: boolean;
	/** Settles when the exchange is over: answered, or the client gone. */
	closed: Promise<void>;
}

let server: Server;
/** Called when /slow has a request: a test that aborts does it then, whatever the machine's load. */
let onSlowRequest = () => {};
let baseUrl: string;
const seen: Seen[] = [];

beforeAll(async () => {
	server = createServer((request, response) => {
		let settle = () => {};
		const entry: Seen = { headers: request.headers, body: Buffer.alloc(0), aborted: false, closed: new Promise((resolve) => (settle = resolve)) };
		seen.push(entry);
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => (entry.body = Buffer.concat(chunks)));
		response.on('close', () => {
			entry.aborted = !response.writableEnded;
			settle();
		});
		// /slow answers after 2 s; anything else at once.
		const answer = () => {
			if (!response.destroyed) response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
		};
		if (request.url?.startsWith('/slow')) {
			setTimeout(answer, 2000).unref();
			onSlowRequest();
		}
		else request.on('end', answer);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	server.closeAllConnections();
	await new Promise((resolve) => server.close(resolve));
	disposeRunner();
});

beforeEach(() => {
	seen.length = 0;
	onSlowRequest = () => {};
});

const credentials = () => ({ greenNodeOcrApi: { apiKey: 'internals-key', portalUserId: '1', baseUrl } });

/** A node that makes one authenticated request as `request` says and outputs what happened. */
function probeNode(request: (this: IExecuteFunctions) => Promise<unknown>) {
	return {
		description: nodeDescription('test.httpProbe', { credentials: [{ name: 'greenNodeOcrApi', required: true }] }),
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			try {
				await request.call(this);
				return [[{ json: { outcome: 'answered' } }]];
			} catch (error) {
				const { code, name, message } = error as { code?: string; name?: string; message?: string };
				return [[{ json: { outcome: 'failed', code: code ?? '', name: name ?? '', message: message ?? '' } }]];
			}
		},
	};
}

async function probe(request: (this: IExecuteFunctions) => Promise<unknown>) {
	registerNodeType('test.httpProbe', probeNode(request));
	const result = await runWorkflow({ nodes: [{ type: 'test.httpProbe', parameters: {} }], credentials: credentials() });
	expect(result.error).toBeUndefined();
	return result.items[0].json;
}

const slowGet: IHttpRequestOptions = { method: 'GET', url: `/slow`, returnFullResponse: true };

describe("n8n's httpRequestWithAuthentication", () => {
	it('takes its abort signal from getExecutionCancelSignal() of the context it is called on', async () => {
		const controller = new AbortController();
		onSlowRequest = () => controller.abort();
		const outcome = await probe(async function () {
			const { signal } = controller;
			const context = Object.create(this, { getExecutionCancelSignal: { value: () => signal } }) as IExecuteFunctions;
			return await this.helpers.httpRequestWithAuthentication.call(context, 'greenNodeOcrApi', { ...slowGet, baseURL: baseUrl });
		});
		// If this fails, transport/request.ts can no longer bound a request (or stop it) this way: find
		// how the new n8n passes an abort signal to httpRequestWithAuthentication and use that.
		expect(outcome).toMatchObject({ outcome: 'failed' });
		expect(seen).toHaveLength(1);
		await seen[0].closed;
		expect(seen[0].aborted).toBe(true);
	});

	it('overwrites an abortSignal given in the options (why the node passes it through the context)', async () => {
		const controller = new AbortController();
		onSlowRequest = () => controller.abort();
		const outcome = await probe(async function () {
			return await this.helpers.httpRequestWithAuthentication.call(this, 'greenNodeOcrApi', {
				...slowGet,
				baseURL: baseUrl,
				abortSignal: controller.signal,
			});
		});
		// If this fails, n8n now honours the options' abortSignal: transport/request.ts may pass it there.
		expect(outcome).toEqual({ outcome: 'answered' });
		await seen[0].closed;
		expect(seen[0].aborted).toBe(false);
	});
});

describe("n8n's HTTP helper with the node's Blob-like multipart body", () => {
	it('streams it whole with its size as Content-Length and its type as Content-Type', async () => {
		const file = randomBytes(300_000);
		const body = multipartBody([['flow', 'single']], {
			field: 'file',
			fileName: 'scan.pdf',
			contentType: 'application/pdf',
			size: file.length,
			data: async () => (async function* () {
				for (let at = 0; at < file.length; at += 65536) yield file.subarray(at, at + 65536);
			})(),
		});
		const outcome = await probe(async function () {
			return await this.helpers.httpRequestWithAuthentication.call(this, 'greenNodeOcrApi', {
				method: 'POST',
				url: `${baseUrl}/upload`,
				body: body as unknown as IHttpRequestOptions['body'],
				headers: { 'content-type': body.type },
				timeout: 10_000,
			});
		});
		expect(outcome).toEqual({ outcome: 'answered' });
		// If this fails, axios no longer treats the body as a Blob (it may send "{}" or JSON):
		// helpers/multipart.ts must give n8n's helper a body it streams (a Readable, or a real Blob).
		const [request] = seen;
		expect(request.headers['content-length']).toBe(String(body.size));
		expect(request.headers['transfer-encoding']).toBeUndefined();
		expect(request.headers['content-type']).toBe(body.type);
		expect(request.body.length).toBe(body.size);
		const received = await new Promise<Buffer>((resolve, reject) => {
			const parser = busboy({ headers: request.headers });
			parser.on('file', (_name, stream) => {
				const parts: Buffer[] = [];
				stream.on('data', (chunk: Buffer) => parts.push(chunk));
				stream.on('end', () => resolve(Buffer.concat(parts)));
			});
			parser.on('error', reject);
			parser.end(request.body);
		});
		expect(received.equals(file)).toBe(true);
	});
});
