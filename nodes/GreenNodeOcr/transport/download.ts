import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';
import { BINARY_ENCODING, NodeOperationError } from 'n8n-workflow';

import { backoffMs, pauseFor, retryAfterMs, shouldRetryNetwork, shouldRetryStatus } from '../helpers/retry';
import { sniffFormat } from '../helpers/sniff';
import { formatSeconds } from '../helpers/values';
import { header, type Failure } from './errors';
import { exchange, isRedirect, MAX_REDIRECTS, type StreamAnswer } from './request';

/**
 * Submit's file from a URL: fetched with n8n's HTTP helper (the instance's proxy and SSRF settings
 * apply) and without any credential of ours, so neither the API key nor the Portal User ID ever goes
 * to that address. Redirects, retries and their waits follow the node's own rules (request.ts,
 * helpers/retry.ts). The file is streamed into n8n's binary data storage (to disk in n8n's filesystem
 * or S3 mode) and read from there for the upload, its retries and the ledger's hash: a link may be
 * good for one download only, or give other bytes the next time, so it is read once.
 */

export interface DownloadSettings {
	maxBytes: number;
	requestTimeoutMs: number;
	maxRetries: number;
}

const HEAD_BYTES = 16;

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;

function fail(this: IExecuteFunctions, itemIndex: number, message: string, description: string): NodeOperationError {
	return new NodeOperationError(this.getNode(), message, { itemIndex, description });
}

/** The address as typed, checked: http or https only, no credentials in it. */
export function readUrl(this: IExecuteFunctions, value: unknown, itemIndex: number): URL {
	const text = typeof value === 'string' ? value.trim() : '';
	if (text === '') throw fail.call(this, itemIndex, 'URL is empty', 'Set URL to the http(s) address of the PDF or image to read, for example from the item: {{ $json.url }}.');
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw fail.call(this, itemIndex, `URL "${text.slice(0, 200)}" is not a web address`, 'Give the full address of the file, starting with https:// (or http://).');
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw fail.call(this, itemIndex, `URL "${text.slice(0, 200)}" is not http or https`, 'Only files on the web (http:// or https://) can be read by URL. For a file on this machine, read it with Read/Write Files from Disk and use Source: Binary File.');
	}
	return url;
}

/** A URL as shown in messages: no user, password or query string (presigned links carry secrets there). */
export function shownUrl(url: URL): string {
	return `${url.origin}${url.pathname}${url.search ? '?…' : ''}`;
}

function fileNameOf(disposition: string | undefined, url: URL, extension: string): string {
	const star = disposition ? /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition)?.[1] : undefined;
	const plain = disposition ? /filename\s*=\s*"?([^";]+)"?/.exec(disposition)?.[1] : undefined;
	let name = '';
	try {
		name = star ? decodeURIComponent(star) : plain ?? decodeURIComponent(url.pathname.split('/').pop() ?? '');
	} catch {
		name = plain ?? '';
	}
	name = name.replace(/[\\/\r\n"]/g, '_').trim();
	if (name === '') return `document.${extension}`;
	return /\.[a-z0-9]{2,5}$/i.test(name) ? name : `${name}.${extension}`;
}

function failureText(failure: Failure, timeoutMs: number): string {
	if (failure.kind === 'timeout') return `took longer than the Request Timeout (${formatSeconds(timeoutMs)})`;
	if (failure.kind === 'cut') return 'stopped before its end (the connection closed)';
	return `could not be reached (${failure.code || failure.detail})`;
}

type Opened = { answer: StreamAnswer; url: URL };

/** GET with redirects followed here (http and https only), retried on network failures, 429 and 5xx. */
async function open(this: IExecuteFunctions, itemIndex: number, start: URL, settings: DownloadSettings): Promise<Opened> {
	const cancel = this.getExecutionCancelSignal?.();
	for (let retries = 0; ; retries++) {
		let url = start;
		let result: Awaited<ReturnType<typeof exchange>> | undefined;
		for (let hops = 0; ; hops++) {
			result = await exchange.call(this, { method: 'GET', url: url.href, headers: { accept: 'application/pdf, image/*;q=0.9, */*;q=0.1' } }, false, true, settings.requestTimeoutMs);
			if (!('answer' in result) || !isRedirect(result.answer.statusCode)) break;
			const location = header(result.answer.headers, 'location');
			if (!location) break;
			const next = new URL(location, url);
			if (next.protocol !== 'https:' && next.protocol !== 'http:') {
				throw fail.call(this, itemIndex, `The file at ${shownUrl(start)} redirects to a ${next.protocol} address`, 'Only http and https addresses are followed. Use a direct download link.');
			}
			if (hops + 1 > MAX_REDIRECTS) {
				throw fail.call(this, itemIndex, `The file at ${shownUrl(start)} redirects more than ${MAX_REDIRECTS} times`, 'Use the final download address of the file.');
			}
			url = next;
		}
		// The same retry rules as every GET of the node (helpers/retry): a download is idempotent.
		const left = retries < settings.maxRetries && !cancel?.aborted;
		if ('failure' in result) {
			if (left && shouldRetryNetwork(result.failure, 'idempotent')) {
				await pauseFor(backoffMs(retries), cancel);
				continue;
			}
			throw fail.call(this, itemIndex, `The file at ${shownUrl(start)} ${failureText(result.failure, settings.requestTimeoutMs)}`, 'Check that the address works from the n8n server (a browser on another machine may see it differently), or raise Request Timeout for a slow server.');
		}
		const status = result.answer.statusCode;
		if (status >= 200 && status < 300 && !Buffer.isBuffer(result.answer.body)) return { answer: result.answer as StreamAnswer, url };
		if (left && shouldRetryStatus(status, 'idempotent')) {
			await pauseFor(retryAfterMs(header(result.answer.headers, 'retry-after')) ?? backoffMs(retries), cancel);
			continue;
		}
		const where = shownUrl(start);
		if (status === 404 || status === 410) throw fail.call(this, itemIndex, `The file at ${where} was not found (HTTP ${status})`, 'Check the address; a link that worked before may have expired.');
		if (status === 401 || status === 403) {
			throw fail.call(this, itemIndex, `The file at ${where} is not public (HTTP ${status})`, 'The address needs a login or its link has expired. Use a link that downloads the file without signing in (a presigned or shared link), or download the file with an HTTP Request node and use Source: Binary File.');
		}
		throw fail.call(this, itemIndex, `The file at ${where} could not be downloaded (HTTP ${status})`, 'Check the address in a browser and try again later.');
	}
}

/** The first bytes of a stored file. */
async function storedHead(this: IExecuteFunctions, binary: IBinaryData): Promise<Buffer> {
	if (!binary.id) return Buffer.from(binary.data ?? '', BINARY_ENCODING).subarray(0, HEAD_BYTES);
	const chunks: Buffer[] = [];
	let length = 0;
	for await (const chunk of await this.helpers.getBinaryStream(binary.id, HEAD_BYTES)) {
		const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
		chunks.push(buffer);
		length += buffer.length;
		if (length >= HEAD_BYTES) break;
	}
	return Buffer.concat(chunks).subarray(0, HEAD_BYTES);
}

/** Reads a stream of unknown length, at most `maxBytes` of it; undefined when it is longer. */
async function readUpTo(stream: AsyncIterable<Buffer | string> & { destroy(): unknown }, maxBytes: number): Promise<Buffer | undefined> {
	const chunks: Buffer[] = [];
	let length = 0;
	for await (const chunk of stream) {
		const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
		length += buffer.length;
		if (length > maxBytes) {
			stream.destroy();
			return undefined;
		}
		chunks.push(buffer);
	}
	return Buffer.concat(chunks);
}

/**
 * Downloads the file into n8n's binary storage: { binary, size }. With a Content-Length (static
 * files, object storage) the answer streams straight into n8n's storage, as n8n's HTTP Request node
 * stores a file, and is checked there; without one it is read up to Max File Size, then stored.
 */
export async function downloadFile(this: IExecuteFunctions, itemIndex: number, url: URL, settings: DownloadSettings): Promise<{ binary: IBinaryData; size: number }> {
	const { answer, url: final } = await open.call(this, itemIndex, url, settings);
	const where = shownUrl(url);
	const stream = answer.body as StreamAnswer['body'] & AsyncIterable<Buffer | string>;
	const tooLarge = (size: string) =>
		fail.call(this, itemIndex, `The file at ${where} is too large (${size}; Max File Size is ${megabytes(settings.maxBytes)})`, 'Raise the Max File Size option, or send a smaller file.');
	const webPage = () =>
		fail.call(this, itemIndex, `The address ${where} gives a web page, not a PDF or an image`, 'It answered with HTML: a login page, a viewer or a "download" page in front of the file. Use the direct download link of the file itself (one that starts the download in a browser).');
	const failed = (error?: unknown) => {
		const failure = answer.failure();
		if (failure) return fail.call(this, itemIndex, `The file at ${where} ${failureText(failure, settings.requestTimeoutMs)}`, 'Check the server of the file, or raise Request Timeout for a slow one.');
		return fail.call(this, itemIndex, `The file at ${where} could not be read${error ? `: ${(error as Error).message}` : ''}`, 'Try again later.');
	};
	const type = (header(answer.headers, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
	if (type === 'text/html' || type === 'application/xhtml+xml') {
		stream.destroy();
		throw webPage();
	}
	const declaredText = header(answer.headers, 'content-length');
	const declared = declaredText !== undefined && /^\d+$/.test(declaredText.trim()) ? Number(declaredText) : undefined;
	if (declared !== undefined && declared > settings.maxBytes) {
		stream.destroy();
		throw tooLarge(megabytes(declared));
	}
	const name = (extension: string) => fileNameOf(header(answer.headers, 'content-disposition'), final, extension);
	let binary: IBinaryData | undefined;
	let size = 0;
	try {
		if (declared !== undefined) {
			binary = await this.helpers.prepareBinaryData(stream as unknown as Buffer, name('bin'), type || undefined);
			size = Number(binary.bytes ?? (binary.id ? (await this.helpers.getBinaryMetadata(binary.id)).fileSize : Buffer.byteLength(binary.data ?? '', BINARY_ENCODING)));
		} else {
			const buffer = await readUpTo(stream, settings.maxBytes);
			if (buffer !== undefined) {
				binary = await this.helpers.prepareBinaryData(buffer, name('bin'), type || undefined);
				size = buffer.length;
			}
		}
	} catch (error) {
		throw failed(error);
	}
	if (binary === undefined) throw tooLarge(`more than ${megabytes(settings.maxBytes)}`);
	if (answer.failure()) throw failed();
	if (declared !== undefined && size !== declared) {
		throw fail.call(this, itemIndex, `The file at ${where} stopped after ${size} of its ${declared} bytes`, 'The download was cut off. Try again later.');
	}
	if (size === 0) throw fail.call(this, itemIndex, `The file at ${where} is empty (0 bytes)`, 'Check the address: it gives no content.');
	const head = await storedHead.call(this, binary);
	const format = sniffFormat(head);
	if (!format || (format.mime !== 'application/pdf' && !format.mime.startsWith('image/'))) {
		const text = head.toString('latin1').trimStart().toLowerCase();
		if (text.startsWith('<')) throw webPage();
		throw fail.call(this, itemIndex, `The file at ${where} is not a PDF or an image (Content-Type "${type || 'none'}")`, 'GreenNode reads PDF, JPEG, PNG, TIFF, BMP, GIF and WebP files. Check that the address gives such a file.');
	}
	const fileName = name(format.extension);
	return { binary: { ...binary, mimeType: format.mime, fileName, fileExtension: format.extension }, size };
}
