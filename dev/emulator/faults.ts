/** Injected faults: picking the one that applies to a request and playing it out. */
import { STATUS_CODES } from 'http';
import { chunkedHeaders, Exchange, fixedLengthHeaders, Reply, send, toBuffer, writeHead } from './replies';
import { nonNegative } from './settings';
import type { Timers } from './timers';
import type { Fault, FaultRequest } from './types';

/** The first fault matching the request, counted down and removed once used up. */
export function takeFault(faults: Fault[], request: FaultRequest): Fault | undefined {
	const index = faults.findIndex((fault) => fault.match(request));
	if (index < 0) {
		return undefined;
	}
	const fault = faults[index];
	const left = (fault.times ?? 1) - 1;
	if (left <= 0) {
		faults.splice(index, 1);
	} else {
		fault.times = left;
	}
	return fault;
}

function faultReply(fault: Fault): Reply {
	const status = fault.status ?? (fault.kind === 'status' ? 503 : 200);
	const body =
		fault.body ?? (fault.kind === 'status' ? JSON.stringify({ message: STATUS_CODES[status] ?? 'Error' }) : '');
	return { status, headers: fault.headers ?? { 'content-type': 'application/json' }, body: toBuffer(body) };
}

/** Status and headers now, then one body byte every `intervalMs`; stops when the client goes away. */
function trickle(exchange: Exchange, reply: Reply, intervalMs: number, timers: Timers): void {
	const { req, res } = exchange;
	if (!writeHead(exchange, reply.status, chunkedHeaders(reply.headers))) {
		return;
	}
	res.flushHeaders();
	const body = req.method === 'HEAD' ? Buffer.alloc(0) : reply.body;
	if (body.length === 0) {
		res.end();
		return;
	}
	let sent = 0;
	let cancel = (): void => undefined;
	const next = (): void => {
		if (res.destroyed) {
			return;
		}
		res.write(body.subarray(sent, sent + 1));
		sent += 1;
		if (sent < body.length) {
			cancel = timers.after(intervalMs, next);
		} else {
			res.end();
		}
	};
	res.once('close', () => cancel());
	cancel = timers.after(intervalMs, next);
}

/** Status and headers, then the first `cutAfterBytes` bytes, then the socket is destroyed. */
function cut(exchange: Exchange, reply: Reply, fault: Fault): void {
	const { req, res } = exchange;
	const socket = req.socket;
	const length = reply.body.length;
	const keep = Math.min(length, nonNegative(fault.cutAfterBytes, Math.floor(length / 2), 'cutAfterBytes'));
	if (!writeHead(exchange, reply.status, fault.chunked ? chunkedHeaders(reply.headers) : fixedLengthHeaders(reply))) {
		return;
	}
	res.flushHeaders();
	const destroy = (): void => {
		socket.destroy();
	};
	if (keep > 0 && req.method !== 'HEAD') {
		res.write(reply.body.subarray(0, keep), destroy);
	} else {
		socket.write(Buffer.alloc(0), destroy);
	}
}

/**
 * Plays out `fault` if it belongs to `stage`: `delay` waits and returns false (handling goes on),
 * any other kind answers (or drops) the request and returns true. `normal` is the reply of
 * stage `after`, which `trickle` and `cut` send.
 */
export async function playFault(
	stage: 'before' | 'after',
	fault: Fault | undefined,
	exchange: Exchange,
	timers: Timers,
	normal?: Reply,
): Promise<boolean> {
	if (!fault || (fault.stage ?? 'before') !== stage) {
		return false;
	}
	switch (fault.kind) {
		case 'delay':
			await timers.sleep(fault.delayMs ?? 0);
			return false;
		case 'reset':
			exchange.req.socket.destroy();
			return true;
		case 'trickle':
			trickle(exchange, normal ?? faultReply(fault), nonNegative(fault.intervalMs, 250, 'intervalMs'), timers);
			return true;
		case 'cut':
			cut(exchange, normal ?? faultReply(fault), fault);
			return true;
		default:
			send(exchange, faultReply(fault));
			return true;
	}
}
