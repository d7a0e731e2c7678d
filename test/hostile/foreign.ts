import { createServer, type IncomingHttpHeaders, type Server } from 'http';
import type { AddressInfo } from 'net';

/** Another origin (a different port on loopback) that records every request it gets. */
export interface ForeignHost {
	url: string;
	host: string;
	requests: Array<{ method: string; path: string; headers: IncomingHttpHeaders }>;
	/** The answer for every request; default a JSON body that looks like a finished result. */
	reply: { status: number; headers: Record<string, string>; body: Buffer | string };
	close(): Promise<void>;
}

export async function startForeignHost(): Promise<ForeignHost> {
	const requests: ForeignHost['requests'] = [];
	const foreign: ForeignHost = {
		url: '',
		host: '',
		close: async () => undefined,
		requests,
		reply: {
			status: 200,
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ data: { status: 'COMPLETED', progress: { total_doc: 1, finished: 1, ignored: 0 }, documents: [{ document_id: 'evil', ocr_data: [{ name: 'x', value: [{ name: 'a', extracted_value: 'forged' }] }] }] } }),
		},
	};
	const server: Server = createServer((req, res) => {
		requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
		req.resume();
		res.writeHead(foreign.reply.status, foreign.reply.headers);
		res.end(foreign.reply.body);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	foreign.url = `http://127.0.0.1:${port}`;
	foreign.host = `127.0.0.1:${port}`;
	foreign.close = async () => await new Promise<void>((resolve) => server.close(() => resolve()));
	return foreign;
}
