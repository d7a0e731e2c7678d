import { randomBytes } from 'crypto';

/**
 * A multipart/form-data body built by hand, so the package needs no runtime dependency. It is a
 * Blob-like object: n8n's HTTP helper hands it to its HTTP client (axios), which reads `stream()`
 * and sends `size` as Content-Length. The file part is streamed from its source, never copied:
 * the body is the head (fields and the file's part header), the file's bytes, then the tail.
 */

export interface MultipartFile {
	field: string;
	fileName: string;
	contentType: string;
	/** Exact size in bytes; the body's Content-Length is computed from it. */
	size: number;
	/** The bytes: a Buffer, or a function that opens a stream of them (called once per body). */
	data: Buffer | (() => Promise<AsyncIterable<Uint8Array | string>>);
}

export interface MultipartBody {
	readonly size: number;
	/** `multipart/form-data; boundary=…`, also used by the HTTP client as the Content-Type. */
	readonly type: string;
	stream(): AsyncGenerator<Uint8Array>;
	readonly [Symbol.toStringTag]: 'Blob';
}

/** A parameter value in a part header: no line breaks, quotes escaped as browsers do. */
function quoted(value: string): string {
	return `"${value.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22')}"`;
}

export function multipartBody(fields: Array<[string, string]>, file: MultipartFile): MultipartBody {
	const boundary = `----GreenNodeOcr${randomBytes(16).toString('hex')}`;
	const parts = fields.map(
		([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(name)}\r\n\r\n${value}\r\n`,
	);
	parts.push(
		`--${boundary}\r\nContent-Disposition: form-data; name=${quoted(file.field)}; filename=${quoted(file.fileName)}\r\n` +
			`Content-Type: ${file.contentType.replace(/[\r\n]/g, '')}\r\n\r\n`,
	);
	const head = Buffer.from(parts.join(''), 'utf8');
	const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8');
	return {
		size: head.length + file.size + tail.length,
		type: `multipart/form-data; boundary=${boundary}`,
		[Symbol.toStringTag]: 'Blob',
		async *stream() {
			yield head;
			if (Buffer.isBuffer(file.data)) {
				yield file.data;
			} else {
				let sent = 0;
				for await (const chunk of await file.data()) {
					const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
					sent += bytes.length;
					if (sent > file.size) throw new Error(`The file is larger than its stored size (${file.size} bytes)`);
					yield bytes;
				}
				if (sent !== file.size) throw new Error(`The file ended after ${sent} of its ${file.size} bytes`);
			}
			yield tail;
		},
	};
}
