import { Readable } from 'stream';

/**
 * Reads the first `size` bytes of a stream and returns them with a stream that still yields every
 * byte (the head first), so a file can be inspected without being held in memory twice.
 */
export async function peekStream(source: Readable, size: number): Promise<{ head: Buffer; stream: Readable }> {
	const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
	const chunks: Buffer[] = [];
	let length = 0;
	let done = false;
	while (length < size) {
		const next = await iterator.next();
		if (next.done) {
			done = true;
			break;
		}
		const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
		chunks.push(chunk);
		length += chunk.length;
	}
	const head = Buffer.concat(chunks);
	async function* replay() {
		if (head.length > 0) yield head;
		if (done) return;
		for (;;) {
			const next = await iterator.next();
			if (next.done) return;
			yield Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
		}
	}
	return { head, stream: Readable.from(replay(), { objectMode: false }) };
}
