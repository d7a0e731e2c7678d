/**
 * Child process of the memory benchmark (figure 3, Get Result Image), so the parent's heap does
 * not count.
 *
 * Downloads one large result image through the node (Get Result Image) and reports the peak
 * resident set size (RSS) during the run. `filesystem`: n8n's filesystem binary mode, where the
 * node streams the download into n8n's binary storage. `default`: default binary mode, where n8n
 * keeps binary data in the item as base64 (what the download costs when it is held in memory).
 * The emulator, with its copy of the body, runs in the parent.
 *
 * Input: one JSON argument (`DownloadChildInput`). Output: one IPC message (`DownloadChildOutput`).
 */
import { createHash } from 'crypto';

import { runWorkflow, type BinaryMode } from '../runner';
import { credentialsFor, ocr } from './common';
import { kernelPeak, peakOf, resetKernelPeak, resetPeak, sampleCount, settle, startSampler } from './rss';
import { runChild } from './child';
import type { Emulator } from '../emulator/server';

export interface DownloadChildInput {
	mode: BinaryMode;
	requestId: string;
	/** A small result image, downloaded once first to load modules and n8n's services. */
	warmUpFileId: string;
	/** The large result image. */
	fileId: string;
	url: string;
	apiKey: string;
	portalUserId: string;
}

export interface DownloadChildOutput {
	mode: BinaryMode;
	/** RSS after a warm-up run and a full GC, just before the measured workflow. */
	idleRss: number;
	/** Highest RSS sampled (every 20 ms, in a worker thread) during the measured workflow. */
	peakDuringRunRss: number;
	/** Peak RSS by the kernel (VmHWM, reset before the run), when /proc allows it. */
	kernelPeakRss?: number;
	samples: number;
	runMs: number;
	/** Size and sha256 of the binary data the node produced, read back from n8n's binary storage. */
	storedBytes: number;
	sha256: string;
	/** What the binary's metadata says. */
	bytes?: number;
	fileSize?: string;
	mimeType?: string;
	fileName?: string;
	binaryId?: string;
	error?: string;
}

async function main(): Promise<DownloadChildOutput> {
	const input = JSON.parse(process.argv[2]) as DownloadChildInput;
	const credentials = credentialsFor({ url: input.url, apiKey: input.apiKey, portalUserId: input.portalUserId } as Emulator);
	const getFile = (fileId: string) => ocr({ operation: 'getFile', requestId: input.requestId, fileId });

	const warm = await runWorkflow({ nodes: [getFile(input.warmUpFileId)], credentials, binaryMode: input.mode });
	if (warm.error) throw warm.error;
	if (!warm.items[0]?.binary?.data) throw new Error('the warm-up download produced no binary');

	const sampler = startSampler();
	await settle();
	const idleRss = process.memoryUsage.rss();
	resetPeak(sampler.shared);
	const kernelPeakAvailable = resetKernelPeak();
	const started = Date.now();
	const result = await runWorkflow({ nodes: [getFile(input.fileId)], credentials, binaryMode: input.mode });
	const runMs = Date.now() - started;
	const peakDuringRunRss = peakOf(sampler.shared);
	const samples = sampleCount(sampler.shared);
	const kernel = kernelPeakAvailable ? kernelPeak() : undefined;
	await sampler.stop();

	// Read back after the measurement: the stored file must hold the whole body.
	const item = result.items[0];
	const binary = item?.binary?.data;
	let stored: Buffer = Buffer.alloc(0);
	if (item && binary) stored = await result.readBinary(item);
	const output: DownloadChildOutput = {
		mode: input.mode,
		idleRss,
		peakDuringRunRss,
		samples,
		runMs,
		storedBytes: stored.length,
		sha256: createHash('sha256').update(stored).digest('hex'),
	};
	if (kernel !== undefined) output.kernelPeakRss = kernel;
	if (binary?.bytes !== undefined) output.bytes = binary.bytes;
	if (binary?.fileSize !== undefined) output.fileSize = binary.fileSize;
	if (binary?.mimeType !== undefined) output.mimeType = binary.mimeType;
	if (binary?.fileName !== undefined) output.fileName = binary.fileName;
	if (binary?.id !== undefined) output.binaryId = binary.id;
	if (result.error) output.error = result.error.message;
	else if (!binary) output.error = 'the node produced no binary';
	return output;
}

runChild(main);
