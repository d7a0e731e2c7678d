/**
 * Reads the first `size` bytes of a stream without consuming them: the bytes are put back, so the
 * stream still yields every byte. A body shorter than `size` has ended and comes back whole as a Buffer.
 */
export async function peekStream<T extends NodeJS.ReadableStream>(
	source: T,
	size: number,
): Promise<{ head: Buffer; data: T | Buffer }> {
	return await new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let length = 0;
		const finish = (ended: boolean) => {
			source.removeListener('readable', onReadable);
			source.removeListener('end', onEnd);
			source.removeListener('error', onError);
			const head = Buffer.concat(chunks);
			if (ended) return resolve({ head, data: head });
			if (head.length > 0) source.unshift(head);
			resolve({ head, data: source });
		};
		const onReadable = () => {
			let chunk: Buffer | string | null;
			while (length < size && (chunk = source.read()) !== null) {
				const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
				chunks.push(buffer);
				length += buffer.length;
			}
			if (length >= size) finish(false);
		};
		const onEnd = () => finish(true);
		const onError = (error: Error) => {
			source.removeListener('readable', onReadable);
			source.removeListener('end', onEnd);
			reject(error);
		};
		source.on('readable', onReadable);
		source.once('end', onEnd);
		source.once('error', onError);
	});
}
