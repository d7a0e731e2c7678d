/**
 * Figure 3: peak memory of submitting a 200 MB file in filesystem binary mode. Each upload runs
 * in a child process (memory-child.ts) so this process's heap does not count; the emulator runs
 * here and records the size and sha256 of what it received.
 */
import { fork } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { startEmulator, type Emulator } from '../emulator/server';
import type { ChildInput, ChildOutput } from './memory-child';
import { log, mb, seconds, times, type Row } from './stats';

export const FILE_SIZE = 200 * 1024 * 1024;
const GOAL_BYTES = 64 * 1024 * 1024;

export interface MemoryFigures {
	rows: Row[];
	notes: string[];
}

function runChild(input: ChildInput): Promise<ChildOutput> {
	return new Promise((resolve, reject) => {
		const child = fork(join(__dirname, 'memory-child.js'), [JSON.stringify(input)], {
			execArgv: ['--expose-gc'],
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		let output: ChildOutput | { error: string } | undefined;
		child.on('message', (message) => {
			output = message as ChildOutput;
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

export async function benchMemory(): Promise<MemoryFigures> {
	const emulator = await startEmulator({ pendingPolls: 0, emptyPolls: 0 });
	const folder = mkdtempSync(join(tmpdir(), 'greennode-ocr-bench-'));
	const filePath = join(folder, 'large.jpg');
	const base = { filePath, fileSize: FILE_SIZE, url: emulator.url, apiKey: emulator.apiKey, portalUserId: emulator.portalUserId };
	try {
		const streamed = await runChild({ mode: 'stream', ...base });
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
			{
				figure: `Memory: Submit of a ${mb(FILE_SIZE, 0)} file, filesystem binary mode, peak RSS growth during Submit`,
				measured: mb(submitGrowth),
				baseline: `${mb(FILE_SIZE, 0)} (file size)`,
				ratio: times(submitGrowth / FILE_SIZE, 3),
				goal: `< ${mb(GOAL_BYTES, 0)}`,
				met: submitGrowth < GOAL_BYTES && streamedOk,
			},
			{
				figure: 'Memory: same, whole run (binary created from a file stream, then Submit)',
				measured: mb(runGrowth),
				baseline: `${mb(inMemoryGrowth)} (file read into a Buffer, default binary mode)`,
				ratio: times(runGrowth / inMemoryGrowth, 3),
				goal: `< ${mb(GOAL_BYTES, 0)}`,
				met: runGrowth < GOAL_BYTES && streamedOk,
			},
			{
				figure: 'Memory: server received every byte (size and sha256)',
				measured: streamedOk ? 'yes' : 'no',
				baseline: `${FILE_SIZE} bytes`,
				ratio: '-',
				goal: 'yes',
				met: streamedOk,
			},
		];
		const notes = [
			`Streamed: ${describe(streamed)}.`,
			`In memory: ${describe(inMemory)}.`,
			...checks.map((check) => `Received, ${check}.`),
		];
		if (!inMemoryOk) notes.push('The in-memory baseline upload did not arrive intact; its figure is only indicative.');
		return { rows, notes };
	} finally {
		rmSync(folder, { recursive: true, force: true });
		await emulator.close();
	}
}
