/**
 * Child process of the upload throughput benchmark, so that the client side (the node, or raw
 * undici) has its own process and the emulator, which receives and hashes the uploads, has the
 * parent's.
 *
 * Uploads one large file `rounds` times through the node, `rounds` times with a raw undici
 * streaming multipart request and `rounds` times with the same request made with Node's http module
 * (the client under axios, which n8n's HTTP helper uses), turning the order from round to round so
 * that load changes hit all three. The node runs in filesystem binary mode: the binary is created once from a file stream (as
 * the memory benchmark does) and every Submit (Wait for Result off) streams it from n8n's binary
 * storage, so no 200 MB write lands between timed uploads; its time is the Submit node's own
 * execution time. The raw upload streams head, `fs.createReadStream(file)` and tail
 * with a Content-Length and the headers the node sends; its time runs from opening the file to the
 * end of the answer.
 *
 * Input: one JSON argument (`UploadChildInput`). Output: one IPC message (`UploadChildOutput`).
 */
import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import { createReadStream, existsSync, writeFileSync } from 'fs';
import { request as httpRequest } from 'http';
import { Readable } from 'stream';
import { request } from 'undici';

import { apiBasePath, type Emulator } from '../emulator/server';
import { memoryDataTables, runWorkflow } from '../runner';
import { runChild } from './child';
import { credentialsFor, ocr } from './common';
import { BINARY_REF_NODE_TYPE, FILE_STREAM_NODE_TYPE, hashFile, writeTestFile } from './file-stream';
import { gc, now } from './stats';

export interface UploadChildInput {
	filePath: string;
	fileSize: number;
	rounds: number;
	url: string;
	apiKey: string;
	portalUserId: string;
}

export type UploadKind = 'node' | 'ledger' | 'raw' | 'http';

const KINDS: readonly UploadKind[] = ['node', 'ledger', 'raw', 'http'];

export interface UploadRun {
	/** `node`: Submit through n8n; `raw`: undici (the baseline); `http`: Node's http module (what axios, n8n's HTTP client, uses), same body. */
	kind: UploadKind;
	round: number;
	fileName: string;
	/** Upload time: the Submit node's execution time, or the raw request from opening the file to the end of the answer. */
	ms: number;
	/** The node's run only: the whole workflow run. */
	workflowMs?: number;
	/** Date.now() at the start and end of the timed part, to place the emulator's CPU time. */
	startedAt: number;
	endedAt: number;
	/** CPU time of this process during the timed part (for the node: the whole workflow run). */
	cpuMs: number;
	status?: number;
	error?: string;
}

export interface UploadChildOutput {
	sha256: string;
	runs: UploadRun[];
}

const SUBMIT_NODE = 'GreenNode OCR';

/** The multipart body of a raw upload, built by hand: the same fields and part headers the node sends. */
function rawBody(filePath: string, fileName: string, fileSize: number): { type: string; length: number; body: Readable } {
	const boundary = `----BenchRaw${randomBytes(16).toString('hex')}`;
	const fields: Array<[string, string]> = [
		['flow', 'single'],
		['doc_type', 'ID'],
		['file_type', 'IMAGE'],
	];
	const head = Buffer.from(
		fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join('') +
			`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: image/jpeg\r\n\r\n`,
	);
	const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
	async function* body(): AsyncGenerator<Buffer> {
		yield head;
		// Read in 256 KiB chunks, as the node reads from n8n's binary storage.
		for await (const chunk of createReadStream(filePath, { highWaterMark: 256 * 1024 })) yield chunk as Buffer;
		yield tail;
	}
	return { type: `multipart/form-data; boundary=${boundary}`, length: head.length + fileSize + tail.length, body: Readable.from(body()) };
}

function rawHeaders(input: UploadChildInput, type: string, length: number): Record<string, string> {
	return {
		accept: 'application/json',
		'content-type': type,
		'content-length': String(length),
		authorization: `Bearer ${input.apiKey}`,
		'portal-user-id': input.portalUserId,
	};
}

function uploadUrl(input: UploadChildInput): string {
	return `${input.url}${apiBasePath(input.portalUserId)}/ocr/ingest`;
}

async function rawUpload(input: UploadChildInput, fileName: string): Promise<{ status: number }> {
	const { type, length, body } = rawBody(input.filePath, fileName, input.fileSize);
	const response = await request(uploadUrl(input), { method: 'POST', headers: rawHeaders(input, type, length), body });
	await response.body.json();
	return { status: response.statusCode };
}

/** The same upload with Node's http module, the client under axios (n8n's HTTP helper). */
function httpUpload(input: UploadChildInput, fileName: string): Promise<{ status: number }> {
	const { type, length, body } = rawBody(input.filePath, fileName, input.fileSize);
	return new Promise((resolve, reject) => {
		const outgoing = httpRequest(uploadUrl(input), { method: 'POST', headers: rawHeaders(input, type, length) }, (response) => {
			response.resume();
			response.on('end', () => resolve({ status: response.statusCode ?? 0 }));
			response.on('error', reject);
		});
		outgoing.on('error', reject);
		body.on('error', (error) => outgoing.destroy(error));
		body.pipe(outgoing);
	});
}

function cpuSince(start: NodeJS.CpuUsage): number {
	const used = process.cpuUsage(start);
	return (used.user + used.system) / 1000;
}

/** Flushes written files to disk, so that no write-back of the test files runs during a timed upload. */
function flushToDisk(): void {
	try {
		execFileSync('sync', { timeout: 60_000 });
	} catch {
		// Without sync the figures are only noisier.
	}
}

async function main(): Promise<UploadChildOutput> {
	const input = JSON.parse(process.argv[2]) as UploadChildInput;
	const sha256 = existsSync(input.filePath) ? await hashFile(input.filePath) : await writeTestFile(input.filePath, input.fileSize);
	const credentials = credentialsFor({ url: input.url, apiKey: input.apiKey, portalUserId: input.portalUserId } as Emulator);

	/** The file as n8n's binary data, created once from a file stream in filesystem binary mode. */
	const store = async (path: string): Promise<string> => {
		const result = await runWorkflow({ nodes: [{ type: FILE_STREAM_NODE_TYPE, parameters: { path, fileName: 'upload.jpg' } }], binaryMode: 'filesystem' });
		const binary = result.items[0]?.binary?.data;
		if (result.error || !binary?.id) throw new Error(`creating the binary failed: ${result.error?.message ?? 'no binary id'}`);
		return JSON.stringify(binary);
	};
	/** With `ledger`, Submit keeps its ledger in an in-memory Data Table (new each time: the file is hashed, looked up, uploaded, recorded). */
	const nodeUpload = async (binary: string, fileName: string, ledger = false) => {
		const submit = ocr({ operation: 'submit', docType: 'ID', waitForResult: false, output: 'raw', options: { fileName } }, { name: SUBMIT_NODE });
		const cpu = process.cpuUsage();
		const started = now();
		const result = await runWorkflow({
			nodes: [{ type: BINARY_REF_NODE_TYPE, parameters: { binary } }, submit],
			credentials,
			binaryMode: 'filesystem',
			...(ledger ? { dataTables: memoryDataTables().provider } : {}),
		});
		const workflowMs = now() - started;
		const cpuMs = cpuSince(cpu);
		const task = result.runData[SUBMIT_NODE]?.[0];
		const ms = task?.executionTime ?? NaN;
		const startedAt = task?.startTime ?? NaN;
		return { ms, workflowMs, startedAt, endedAt: startedAt + ms, cpuMs, ...(result.error ? { error: result.error.message } : {}) };
	};

	// Warm-up with a small file, both ways: loads modules, n8n's services and both HTTP stacks.
	const small = `${input.filePath}.small`;
	writeFileSync(small, randomBytes(256 * 1024));
	const warm = await nodeUpload(await store(small), 'warm-up-node.jpg');
	if (warm.error) throw new Error(`warm-up upload through the node failed: ${warm.error}`);
	await rawUpload({ ...input, filePath: small, fileSize: 256 * 1024 }, 'warm-up-raw.jpg');
	await httpUpload({ ...input, filePath: small, fileSize: 256 * 1024 }, 'warm-up-http.jpg');

	const binary = await store(input.filePath);
	flushToDisk();
	// One untimed upload of the large file each way: the first large upload of a process runs slower.
	await nodeUpload(binary, 'warm-up-large-node.jpg');
	await nodeUpload(binary, 'warm-up-large-ledger.jpg', true);
	await rawUpload(input, 'warm-up-large-raw.jpg');
	await httpUpload(input, 'warm-up-large-http.jpg');
	const runs: UploadRun[] = [];
	for (let round = 0; round < input.rounds; round++) {
		// The order turns from round to round, so that each kind goes first, second and last alike.
		const order = KINDS.map((_, index) => KINDS[(round + index) % KINDS.length]);
		for (const kind of order) {
			const fileName = `upload-${kind}-${round + 1}.jpg`;
			gc();
			if (kind === 'node' || kind === 'ledger') {
				runs.push({ kind, round, fileName, ...(await nodeUpload(binary, fileName, kind === 'ledger')) });
			} else {
				const cpu = process.cpuUsage();
				const startedAt = Date.now();
				const started = now();
				try {
					const { status } = await (kind === 'raw' ? rawUpload : httpUpload)(input, fileName);
					runs.push({ kind, round, fileName, ms: now() - started, startedAt, endedAt: Date.now(), cpuMs: cpuSince(cpu), status });
				} catch (error) {
					runs.push({ kind, round, fileName, ms: NaN, startedAt, endedAt: Date.now(), cpuMs: cpuSince(cpu), error: (error as Error).message });
				}
			}
		}
	}
	return { sha256, runs };
}

runChild(main);
