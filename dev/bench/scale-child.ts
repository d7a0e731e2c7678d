/**
 * Child process of the many-documents benchmark, so that its resident set size (RSS) is the
 * workflow's alone and the emulator, which runs in the parent, has its own process.
 *
 * Runs a Submit with Wait for Result (default output: one item per document) on one document a few
 * times (the baseline), then on `documents` documents in one execution while a worker thread samples
 * the RSS every 20 ms; then, when asked, the same many-document run again with other Concurrency
 * values (not sampled). Each run's input files are named `<label>-<index>.jpg`, so the parent can
 * tell its requests apart in the emulator's request log.
 *
 * Input: one JSON argument (`ScaleChildInput`). Output: one IPC message (`ScaleChildOutput`).
 */
import type { Emulator } from '../emulator/server';
import { runWorkflow, type RunNodeSpec } from '../runner';
import { runChild } from './child';
import { credentialsFor, jpegItems, ocr } from './common';
import { startCpuSampler, type CpuSample } from './cpu';
import { kernelPeak, peakOf, resetKernelPeak, resetPeak, sampleCount, settle, startSampler } from './rss';
import { now } from './stats';

export interface ScaleChildInput {
	documents: number;
	singleRuns: number;
	pollInterval: number;
	/** Concurrency values for further many-document runs after the measured one (default Concurrency). */
	moreConcurrency: number[];
	url: string;
	apiKey: string;
	portalUserId: string;
}

export interface ScaleRun {
	label: string;
	documents: number;
	/** undefined: the node's default. */
	concurrency?: number;
	/** Date.now() when the run started and ended, to place the emulator's request log. */
	startedAt: number;
	endedAt: number;
	ms: number;
	items: number;
	error?: string;
}

export interface ScaleChildOutput {
	singles: ScaleRun[];
	many: ScaleRun;
	more: ScaleRun[];
	/** RSS after warm-up, the single runs and a full GC, just before the many-document run. */
	idleRss: number;
	/** Highest RSS sampled during the many-document run. */
	peakRss: number;
	/** Peak RSS by the kernel (VmHWM, reset before the run), when /proc allows it. */
	kernelPeakRss?: number;
	/** RSS after the run, once its output was dropped and a full GC ran. */
	afterRss: number;
	samples: number;
	/** This process's CPU time during the many-document runs. */
	cpu: CpuSample[];
}

function submitAndWait(pollInterval: number, concurrency?: number): RunNodeSpec {
	const options: Record<string, number> = { pollInterval };
	if (concurrency !== undefined) options.concurrency = concurrency;
	return ocr({ operation: 'submit', docType: 'ID', options });
}

async function main(): Promise<ScaleChildOutput> {
	const input = JSON.parse(process.argv[2]) as ScaleChildInput;
	const credentials = credentialsFor({ url: input.url, apiKey: input.apiKey, portalUserId: input.portalUserId } as Emulator);

	const run = async (label: string, documents: number, concurrency?: number): Promise<ScaleRun> => {
		const items = jpegItems(documents, label);
		const startedAt = Date.now();
		const started = now();
		const result = await runWorkflow({ nodes: [submitAndWait(input.pollInterval, concurrency)], items, credentials });
		const ms = now() - started;
		const endedAt = Date.now();
		const incomplete = result.items.filter((item) => typeof item.json.document_id !== 'string' || item.json.empty === true).length;
		let error = result.error?.message;
		if (!error && result.items.length !== documents) error = `${result.items.length} items for ${documents} documents`;
		if (!error && incomplete > 0) error = `${incomplete} items are not complete documents`;
		return { label, documents, concurrency, startedAt, endedAt, ms, items: result.items.length, ...(error ? { error } : {}) };
	};

	// Warm-up: loads modules, n8n's services and the HTTP stack (Submit without waiting).
	const warm = await runWorkflow({ nodes: [ocr({ operation: 'submit', docType: 'ID', waitForResult: false })], items: jpegItems(1, 'warm-up'), credentials });
	if (warm.error) throw warm.error;

	const singles: ScaleRun[] = [];
	for (let index = 0; index < input.singleRuns; index++) singles.push(await run(`single-${index + 1}`, 1));

	const cpuSampler = startCpuSampler();
	const sampler = startSampler();
	await settle();
	const idleRss = process.memoryUsage.rss();
	resetPeak(sampler.shared);
	const kernelPeakAvailable = resetKernelPeak();
	const many = await run('many', input.documents);
	const peakRss = peakOf(sampler.shared);
	const samples = sampleCount(sampler.shared);
	const kernel = kernelPeakAvailable ? kernelPeak() : undefined;
	await sampler.stop();
	await settle();
	const afterRss = process.memoryUsage.rss();

	const more: ScaleRun[] = [];
	for (const concurrency of input.moreConcurrency) more.push(await run(`more-c${concurrency}`, input.documents, concurrency));

	const cpu = cpuSampler.stop();
	const output: ScaleChildOutput = { singles, many, more, idleRss, peakRss, afterRss, samples, cpu };
	if (kernel !== undefined) output.kernelPeakRss = kernel;
	return output;
}

runChild(main);
