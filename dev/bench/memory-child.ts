/**
 * Child process of the memory benchmark (figure 3), so the parent's heap does not count.
 *
 * Submits one large file through the node and reports the peak resident set size (RSS).
 * `stream`: filesystem binary mode; the start node creates the binary from a file stream, so
 * the file is never held in memory. `buffer`: default binary mode with the file read into a
 * Buffer first (what the upload costs without streaming). The emulator runs in the parent.
 *
 * Input: one JSON argument (`ChildInput`). Output: one IPC message (`ChildOutput`).
 */
import { randomBytes } from 'crypto';
import { existsSync, readFileSync, writeFileSync } from 'fs';

import { memoryDataTables, runWorkflow, type RunNodeSpec } from '../runner';
import { credentialsFor, ocr } from './common';
import { FILE_STREAM_NODE_TYPE, hashFile, MARK_NODE_TYPE, setOnBinaryReady, writeTestFile } from './file-stream';
import { kernelPeak, peakOf, resetKernelPeak, resetPeak, sampleCount, settle, startSampler } from './rss';
import { runChild } from './child';
import type { Emulator } from '../emulator/server';

export interface ChildInput {
	mode: 'stream' | 'buffer';
	/** Submit keeps its ledger (in an in-memory Data Table): the file is hashed as a stream before the upload. */
	ledger?: boolean;
	filePath: string;
	fileSize: number;
	url: string;
	apiKey: string;
	portalUserId: string;
}

export interface ChildOutput {
	mode: ChildInput['mode'];
	/** sha256 of the file the child submitted. */
	sha256: string;
	/** RSS after a warm-up run and a full GC, before the measured workflow. */
	idleRss: number;
	/** RSS when the start node had produced the binary (after a full GC), just before the Submit node ran. */
	beforeSubmitRss: number;
	/** Highest RSS sampled (every 20 ms, in a worker thread) from `beforeSubmitRss` on. */
	peakDuringSubmitRss: number;
	/** Highest RSS sampled during the whole measured workflow, from `idleRss` on. */
	peakDuringRunRss: number;
	/** Peak RSS by the kernel (VmHWM, reset before the run), when /proc allows it. */
	kernelPeakRss?: number;
	samples: number;
	submitMs: number;
	binaryId?: string;
	error?: string;
}

async function main(): Promise<ChildOutput> {
	const input = JSON.parse(process.argv[2]) as ChildInput;
	const sha256 = existsSync(input.filePath) ? await hashFile(input.filePath) : await writeTestFile(input.filePath, input.fileSize);
	const credentials = credentialsFor({ url: input.url, apiKey: input.apiKey, portalUserId: input.portalUserId } as Emulator);
	const submit = ocr({ operation: 'submit', docType: 'ID', waitForResult: false });
	const fileName = input.mode === 'stream' ? (input.ledger ? 'large-streamed-ledger.jpg' : 'large-streamed.jpg') : 'large-in-memory.jpg';
	const dataTables = input.ledger ? { dataTables: memoryDataTables().provider } : {};

	// Warm-up with a small file in the same mode: loads modules and n8n's services.
	const small = `${input.filePath}.small`;
	writeFileSync(small, randomBytes(64 * 1024));
	const warmUp: RunNodeSpec[] =
		input.mode === 'stream'
			? [{ type: FILE_STREAM_NODE_TYPE, parameters: { path: small, fileName: 'warm-up.jpg' } }, submit]
			: [{ type: MARK_NODE_TYPE, parameters: {} }, submit];
	const warm = await runWorkflow({
		nodes: warmUp,
		items: input.mode === 'buffer' ? [{ binary: { data: { data: readFileSync(small), fileName: 'warm-up.jpg', mimeType: 'image/jpeg' } } }] : undefined,
		credentials,
		binaryMode: input.mode === 'stream' ? 'filesystem' : 'default',
		...dataTables,
	});
	if (warm.error) throw warm.error;

	const sampler = startSampler();
	await settle();
	const idleRss = process.memoryUsage.rss();
	resetPeak(sampler.shared);
	const kernelPeakAvailable = resetKernelPeak();
	let peakBeforeSubmit = 0;
	let beforeSubmitRss = 0;
	let submitStarted = 0;
	setOnBinaryReady(() => {
		peakBeforeSubmit = peakOf(sampler.shared);
		// Collect what creating the binary left behind, so that the Submit cannot hide its own
		// allocations in heap space that is already counted in the RSS before it.
		(globalThis as { gc?: () => void }).gc?.();
		beforeSubmitRss = process.memoryUsage.rss();
		resetPeak(sampler.shared);
		submitStarted = Date.now();
	});

	let result;
	if (input.mode === 'stream') {
		result = await runWorkflow({
			nodes: [{ type: FILE_STREAM_NODE_TYPE, parameters: { path: input.filePath, fileName } }, submit],
			credentials,
			binaryMode: 'filesystem',
			...dataTables,
		});
	} else {
		const data = readFileSync(input.filePath);
		result = await runWorkflow({
			nodes: [{ type: MARK_NODE_TYPE, parameters: {} }, submit],
			items: [{ binary: { data: { data, fileName, mimeType: 'image/jpeg' } } }],
			credentials,
			binaryMode: 'default',
		});
	}
	const submitMs = Date.now() - submitStarted;
	const peakDuringSubmitRss = peakOf(sampler.shared);
	const samples = sampleCount(sampler.shared);
	const kernel = kernelPeakAvailable ? kernelPeak() : undefined;
	await sampler.stop();
	const output: ChildOutput = {
		mode: input.mode,
		sha256,
		idleRss,
		beforeSubmitRss,
		peakDuringSubmitRss,
		peakDuringRunRss: Math.max(peakBeforeSubmit, peakDuringSubmitRss),
		samples,
		submitMs,
		binaryId: result.outputs['Read File']?.[0]?.[0]?.binary?.data.id,
	};
	if (kernel !== undefined) output.kernelPeakRss = kernel;
	if (result.error) output.error = result.error.message;
	return output;
}

runChild(main);
