/**
 * Upload throughput: a 200 MB Submit through the node (filesystem binary mode) against a raw undici
 * streaming multipart upload of the same file to the same emulator. The uploads run in a child
 * process (upload-child.ts); the emulator runs here and checks the size and sha256 of every upload.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { startEmulator, type Emulator } from '../emulator/server';
import { forkChild } from './child';
import { cpuBetween, sampleCpuDuring } from './cpu';
import type { UploadChildInput, UploadChildOutput, UploadRun } from './upload-child';
import { log, mb, median, seconds, times, type Row } from './stats';

export const UPLOAD_SIZE = 200 * 1024 * 1024;
const ROUNDS = 5;
const GOAL = 0.9;
const LEDGER_GOAL = 0.8;

/** The headers that decide how a body is sent, as the emulator received them. */
const SHOWN_HEADERS = ['content-type', 'content-length', 'transfer-encoding', 'accept', 'portal-user-id', 'authorization', 'connection'];

function mbPerSecond(bytes: number, ms: number): number {
	return bytes / 1024 / 1024 / (ms / 1000);
}

function headersOf(emulator: Emulator, fileName: string): string {
	const post = emulator.requests.find((request) => request.method === 'POST' && request.file?.fileName === fileName);
	if (!post) return 'not received';
	return SHOWN_HEADERS.filter((name) => post.headers[name] !== undefined)
		.map((name) => `${name}: ${name === 'content-type' ? String(post.headers[name]).replace(/boundary=.*/, 'boundary=…') : String(post.headers[name])}`)
		.join('; ');
}

export async function benchUpload(): Promise<{ rows: Row[]; notes: string[] }> {
	const emulator = await startEmulator({ pendingPolls: 0, emptyPolls: 0 });
	const folder = mkdtempSync(join(tmpdir(), 'greennode-ocr-bench-upload-'));
	try {
		const input: UploadChildInput = {
			filePath: join(folder, 'upload.jpg'),
			fileSize: UPLOAD_SIZE,
			rounds: ROUNDS,
			url: emulator.url,
			apiKey: emulator.apiKey,
			portalUserId: emulator.portalUserId,
		};
		const script = join(__dirname, 'upload-child.js');
		const { result: output, cpu: emulatorCpu } = await sampleCpuDuring(() => forkChild<UploadChildOutput>(script, input), 20);
		const busy = (run: UploadRun) =>
			`client ${((run.cpuMs / (run.workflowMs ?? run.ms)) * 100).toFixed(0)}% of a core, ` +
			`emulator ${((cpuBetween(emulatorCpu, run.startedAt, run.endedAt) / run.ms) * 100).toFixed(0)}%`;

		const intact = (run: UploadRun): boolean => {
			const post = emulator.requests.find((request) => request.method === 'POST' && request.file?.fileName === run.fileName);
			return !run.error && post?.status === 201 && post.file?.size === UPLOAD_SIZE && post.file.sha256 === output.sha256;
		};
		const describe = (run: UploadRun) =>
			`${run.kind} ${run.round + 1}: ${seconds(run.ms)}, ${mbPerSecond(UPLOAD_SIZE, run.ms).toFixed(0)} MB/s` +
			` (${busy(run)}${run.workflowMs !== undefined ? `; whole workflow run ${seconds(run.workflowMs)}` : ''})` +
			(intact(run) ? '' : ', NOT received intact') +
			(run.error ? `, error: ${run.error}` : '');
		for (const run of output.runs) log(`  ${describe(run)}`);

		const nodeRuns = output.runs.filter((run) => run.kind === 'node');
		const ledgerRuns = output.runs.filter((run) => run.kind === 'ledger');
		const ledgerRate = mbPerSecond(UPLOAD_SIZE, median(ledgerRuns.map((run) => run.ms)));
		const rawRuns = output.runs.filter((run) => run.kind === 'raw');
		const allIntact = output.runs.every(intact);
		const nodeMs = median(nodeRuns.map((run) => run.ms));
		const rawMs = median(rawRuns.map((run) => run.ms));
		const httpMs = median(output.runs.filter((run) => run.kind === 'http').map((run) => run.ms));
		const httpRate = mbPerSecond(UPLOAD_SIZE, httpMs);
		const nodeRate = mbPerSecond(UPLOAD_SIZE, nodeMs);
		const rawRate = mbPerSecond(UPLOAD_SIZE, rawMs);
		const ratio = nodeRate / rawRate;
		const nodeHeaders = headersOf(emulator, nodeRuns[0]?.fileName ?? '');
		const rawHeaders = headersOf(emulator, rawRuns[0]?.fileName ?? '');
		log(`  node headers: ${nodeHeaders}`);
		log(`  raw headers: ${rawHeaders}`);
		log(`  medians: node ${nodeRate.toFixed(0)} MB/s, node with the ledger ${ledgerRate.toFixed(0)} MB/s, raw undici ${rawRate.toFixed(0)} MB/s, raw http module ${httpRate.toFixed(0)} MB/s`);

		const rows: Row[] = [
			{
				figure: `Upload: Submit of a ${mb(UPLOAD_SIZE, 0)} file, filesystem binary mode, throughput (median of ${ROUNDS}, interleaved)`,
				measured: `${nodeRate.toFixed(0)} MB/s (${seconds(nodeMs)})`,
				baseline: `${rawRate.toFixed(0)} MB/s (${seconds(rawMs)}, raw undici streaming multipart upload)`,
				ratio: times(ratio),
				goal: `≥ ${times(GOAL, 1)}`,
				met: ratio >= GOAL && allIntact,
			},
			{
				figure: `Upload: same Submit with the ledger (a new file: looked up by size, hashed while it uploads, recorded; median of ${ROUNDS}, interleaved)`,
				measured: `${ledgerRate.toFixed(0)} MB/s (${seconds(median(ledgerRuns.map((run) => run.ms)))})`,
				baseline: `${rawRate.toFixed(0)} MB/s (${seconds(rawMs)}, raw undici streaming multipart upload)`,
				ratio: times(ledgerRate / rawRate),
				goal: `≥ ${times(LEDGER_GOAL, 1)}`,
				met: ledgerRate / rawRate >= LEDGER_GOAL && allIntact,
			},
		];
		const notes = [
			`Medians: node ${nodeRate.toFixed(0)} MB/s, raw undici ${rawRate.toFixed(0)} MB/s, the same raw upload with Node's http module ` +
				`(the client under axios, which n8n's HTTP helper uses) ${httpRate.toFixed(0)} MB/s (${times(httpRate / rawRate)} of undici): ` +
				`the node is at ${times(nodeRate / httpRate)} of the http module.`,
			`Runs in order: ${output.runs.map(describe).join('; ')}.`,
			`Every upload ${allIntact ? 'arrived whole' : 'did NOT arrive whole'} (the emulator checked its size and sha256, status 201).`,
			`Headers the emulator received: node: ${nodeHeaders}. Raw (undici): ${rawHeaders}.`,
		];
		return { rows, notes };
	} finally {
		rmSync(folder, { recursive: true, force: true });
		await emulator.close();
	}
}
