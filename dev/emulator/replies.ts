/** Replies and how they are written to a response. */
import type { IncomingMessage, ServerResponse } from 'http';
import type { RecordedRequest } from './types';

export interface Reply {
	status: number;
	headers: Record<string, string>;
	body: Buffer;
}

/** A request with its response and its record. */
export interface Exchange {
	req: IncomingMessage;
	res: ServerResponse;
	record: RecordedRequest;
}

/** Stands for "no reply": the client went away while its body was read. */
export const ABORTED = Symbol('aborted');

export function toBuffer(body: string | Buffer): Buffer {
	return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

export function json(status: number, body: unknown): Reply {
	return { status, headers: { 'content-type': 'application/json' }, body: toBuffer(JSON.stringify(body)) };
}

export function message(status: number, text: string): Reply {
	return json(status, { message: text });
}

export function forbidden(): Reply {
	return { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: toBuffer('Forbidden') };
}

export function notFound(): Reply {
	return message(404, 'Not Found');
}

export function methodNotAllowed(allow: string): Reply {
	const reply = message(405, 'Method Not Allowed');
	reply.headers.allow = allow;
	return reply;
}

/** The reply's headers with the content-length of its whole body. */
export function fixedLengthHeaders(reply: Reply): Record<string, string> {
	return { ...reply.headers, 'content-length': String(reply.body.length) };
}

/** `headers` without content-length, with chunked transfer encoding. */
export function chunkedHeaders(headers: Record<string, string>): Record<string, string> {
	const kept = Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'content-length');
	return { ...Object.fromEntries(kept), 'transfer-encoding': 'chunked' };
}

/** Writes status and headers and records the status; false when already answered or the client is gone. */
export function writeHead(exchange: Exchange, status: number, headers: Record<string, string>): boolean {
	const { req, res, record } = exchange;
	if (res.headersSent || res.destroyed || req.socket.destroyed) {
		return false;
	}
	record.status = status;
	res.writeHead(status, headers);
	return true;
}

/** Sends the whole reply with its content-length. */
export function send(exchange: Exchange, reply: Reply): void {
	if (writeHead(exchange, reply.status, fixedLengthHeaders(reply))) {
		exchange.res.end(exchange.req.method === 'HEAD' ? undefined : reply.body);
	}
}
