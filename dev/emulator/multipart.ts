/** Streamed multipart parsing: files are hashed and counted, never held in memory. */
import { createHash } from 'crypto';
import type { IncomingMessage } from 'http';
import busboy from 'busboy';
import { ABORTED, message, Reply } from './replies';
import type { RecordedFile } from './types';

export interface Upload {
	fields: Record<string, string>;
	files: RecordedFile[];
}

/** The fields and files of a multipart body, a 400 reply, or ABORTED when the client went away. */
export function parseMultipart(req: IncomingMessage): Promise<Upload | Reply | typeof ABORTED> {
	const contentType = req.headers['content-type'];
	if (typeof contentType !== 'string' || !/^multipart\/form-data\b/i.test(contentType.trim())) {
		return Promise.resolve(message(400, 'Content-Type must be multipart/form-data'));
	}
	let parser: busboy.Busboy;
	try {
		parser = busboy({ headers: req.headers, defParamCharset: 'utf8' });
	} catch {
		return Promise.resolve(message(400, 'Malformed multipart body'));
	}
	return new Promise((resolve) => {
		const fields: Record<string, string> = {};
		const files: RecordedFile[] = [];
		let settled = false;
		const finish = (value: Upload | Reply | typeof ABORTED): void => {
			if (!settled) {
				settled = true;
				resolve(value);
			}
		};
		parser.on('field', (name, value) => {
			fields[name] = value;
		});
		parser.on('file', (name, stream, info) => {
			const hash = createHash('sha256');
			const entry: RecordedFile = {
				fieldName: name,
				fileName: info.filename ?? '',
				mimeType: info.mimeType,
				size: 0,
				sha256: '',
			};
			files.push(entry);
			stream.on('data', (chunk: Buffer) => {
				hash.update(chunk);
				entry.size += chunk.length;
			});
			stream.on('end', () => {
				entry.sha256 = hash.digest('hex');
			});
		});
		parser.on('error', () => {
			req.unpipe(parser);
			req.resume();
			finish(message(400, 'Malformed multipart body'));
		});
		parser.on('close', () => finish({ fields, files }));
		req.on('error', () => finish(ABORTED));
		req.on('close', () => {
			if (!req.complete) {
				finish(ABORTED);
			}
		});
		req.pipe(parser);
	});
}
