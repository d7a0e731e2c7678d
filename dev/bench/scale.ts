/**
 * Many documents in one execution: 1,000 small images submitted with Wait for Result (default
 * output, default Concurrency), the emulator taking 2 s to read each, against one document in the
 * same run. The workflow runs in a child process (scale-child.ts) that samples its RSS; the emulator
 * runs here and its request log gives the uploads and polls of each run.
 */
import { join } from 'path';

import { startEmulator, type Emulator } from '../emulator/server';
import { forkChild } from './child';
import { cpuBetween, sampleCpuDuring, type CpuSample } from './cpu';
import type { ScaleChildInput, ScaleChildOutput, ScaleRun } from './scale-child';
import { log, mb, median, seconds, times, type Row } from './stats';

export const DOCUMENTS = 1000;
const PROCESSING_DELAY_MS = 2000;
const POLL_INTERVAL_S = 1;
const SINGLE_RUNS = 3;
const DEFAULT_CONCURRENCY = 10;
/** A further run with the most Concurrency the node allows, to show what the default leaves on the table. */
const MORE_CONCURRENCY = [50];
const TIME_GOAL = 1.5;
const RSS_GOAL = 200 * 1024 * 1024;

/** What one run did, from the emulator's request log; times in ms from the start of the run. */
interface Traffic {
	uploads: number;
	polls: number;
	/** Polls answered before their job was ready (processing, or finished without content yet). */
	early: number;
	lastUploadMs: number;
	firstPollMs: number;
	/** Polls that arrived before the last upload (the wait starts with the first upload). */
	pollsDuringUploads: number;
	lastReadyMs: number;
	/** The latest moment a poll first found its job ready: the last result the node saw. */
	lastSeenMs: number;
	/** The k-th poll of every request (k = 1, 2, …): how many, and when the first and last of them arrived. */
	rounds: Array<{ polls: number; firstMs: number; lastMs: number }>;
	/** The Connection header of the run's requests, as the emulator received them. */
	connection: string;
}

/** The requests of one run: its uploads carry its file names, its polls its request ids. */
function trafficOf(emulator: Emulator, run: ScaleRun): Traffic {
	const prefix = `${run.label}-`;
	const uploads = emulator.requests.filter((request) => request.method === 'POST' && request.file?.fileName.startsWith(prefix));
	const jobs = new Map(
		uploads.flatMap((request) => {
			const job = request.requestId ? emulator.jobs.get(request.requestId) : undefined;
			return job ? [[job.requestId, job] as const] : [];
		}),
	);
	const pollsOf = new Map<string, number[]>();
	const connections = new Set(uploads.map((request) => String(request.headers.connection ?? 'keep-alive (default)')));
	let early = 0;
	let lastSeen = -Infinity;
	for (const request of emulator.requests) {
		if (request.method !== 'GET') continue;
		const id = decodeURIComponent(request.path.slice(request.path.lastIndexOf('/') + 1));
		const job = jobs.get(id);
		if (!job) continue;
		const times = pollsOf.get(id) ?? [];
		pollsOf.set(id, [...times, request.at]);
		connections.add(String(request.headers.connection ?? 'keep-alive (default)'));
		const ready = job.createdAt + PROCESSING_DELAY_MS;
		if (request.at < ready) early++;
		else if (!times.some((at) => at >= ready)) lastSeen = Math.max(lastSeen, request.at);
	}
	const created = [...jobs.values()].map((job) => job.createdAt);
	const pollTimes = [...pollsOf.values()];
	const rounds: Traffic['rounds'] = [];
	for (let k = 0; pollTimes.some((times) => times.length > k); k++) {
		const at = pollTimes.filter((times) => times.length > k).map((times) => times[k]);
		rounds.push({ polls: at.length, firstMs: Math.min(...at) - run.startedAt, lastMs: Math.max(...at) - run.startedAt });
	}
	return {
		uploads: uploads.length,
		polls: pollTimes.reduce((sum, times) => sum + times.length, 0),
		early,
		lastUploadMs: Math.max(...created) - run.startedAt,
		firstPollMs: Math.min(...pollTimes.map((times) => times[0])) - run.startedAt,
		pollsDuringUploads: pollTimes.flat().filter((at) => at < Math.max(...created)).length,
		lastReadyMs: Math.max(...created) + PROCESSING_DELAY_MS - run.startedAt,
		lastSeenMs: lastSeen - run.startedAt,
		rounds,
		connection: [...connections].join(', '),
	};
}

function describeTraffic(traffic: Traffic, documents: number): string {
	const rounds = traffic.rounds
		.map((round, k) => `poll ${k + 1} of ${round.polls} request${round.polls === 1 ? '' : 's'} at ${seconds(round.firstMs)}–${seconds(round.lastMs)}`)
		.join(', ');
	return (
		`uploads done after ${seconds(traffic.lastUploadMs)}, waiting began at ${seconds(traffic.firstPollMs)}, ` +
		`last job ready at ${seconds(traffic.lastReadyMs)}, last result seen at ${seconds(traffic.lastSeenMs)}; ` +
		`${traffic.uploads} upload${traffic.uploads === 1 ? '' : 's'} and ${traffic.polls} polls (${(traffic.polls / documents).toFixed(2)} per document, ` +
		`${traffic.early} before the job was ready): ${rounds}`
	);
}

interface Phase {
	wallMs: number;
	/** CPU time of the workflow's process and of the emulator's. */
	workflowCpuMs: number;
	emulatorCpuMs: number;
	requests: number;
}

/**
 * How busy both processes were while the run uploaded (start to last upload, with the polls made
 * meanwhile) and while it only waited (last upload to end).
 */
function phasesOf(run: ScaleRun, traffic: Traffic, workflowCpu: CpuSample[], emulatorCpu: CpuSample[]): { uploading: Phase; waiting: Phase } {
	const lastUploadAt = run.startedAt + traffic.lastUploadMs;
	const phase = (from: number, to: number, requests: number): Phase => ({
		wallMs: to - from,
		workflowCpuMs: cpuBetween(workflowCpu, from, to),
		emulatorCpuMs: cpuBetween(emulatorCpu, from, to),
		requests: Math.max(1, requests),
	});
	return {
		uploading: phase(run.startedAt, lastUploadAt, traffic.uploads + traffic.pollsDuringUploads),
		waiting: phase(lastUploadAt, run.endedAt, traffic.polls - traffic.pollsDuringUploads),
	};
}

function describePhase(name: string, phase: Phase): string {
	const share = (cpu: number) => `${((cpu / phase.wallMs) * 100).toFixed(0)}% of a core`;
	return (
		`${name} ${seconds(phase.wallMs)}: the workflow's process used ${seconds(phase.workflowCpuMs)} of CPU (${share(phase.workflowCpuMs)}, ` +
		`${(phase.workflowCpuMs / phase.requests).toFixed(2)} ms per request), the emulator ${share(phase.emulatorCpuMs)}`
	);
}

export async function benchScale(): Promise<{ rows: Row[]; notes: string[] }> {
	const emulator = await startEmulator({ processingDelayMs: PROCESSING_DELAY_MS });
	try {
		const input: ScaleChildInput = {
			documents: DOCUMENTS,
			singleRuns: SINGLE_RUNS,
			pollInterval: POLL_INTERVAL_S,
			moreConcurrency: MORE_CONCURRENCY,
			url: emulator.url,
			apiKey: emulator.apiKey,
			portalUserId: emulator.portalUserId,
		};
		const script = join(__dirname, 'scale-child.js');
		const { result: output, cpu: emulatorCpu } = await sampleCpuDuring(() => forkChild<ScaleChildOutput>(script, input));
		const failed = [...output.singles, output.many, ...output.more].filter((run) => run.error);
		if (failed.length > 0) throw new Error(failed.map((run) => `${run.label}: ${run.error}`).join('; '));

		const single = median(output.singles.map((run) => run.ms));
		const singleTraffic = trafficOf(emulator, output.singles[0]);
		const budget = single * TIME_GOAL;
		const growth = output.peakRss - output.idleRss;
		const perDocument = (traffic: Traffic, documents: number) => (traffic.uploads + traffic.polls) / documents;
		for (const run of output.singles) log(`  one document, ${run.label}: ${seconds(run.ms)}`);

		const rows: Row[] = [];
		const notes: string[] = [];
		const measured = [output.many, ...output.more].map((run) => {
			const traffic = trafficOf(emulator, run);
			const phases = phasesOf(run, traffic, output.cpu, emulatorCpu);
			const concurrency = run.concurrency ?? DEFAULT_CONCURRENCY;
			const summary =
				`${DOCUMENTS} documents, Concurrency ${concurrency}: ${seconds(run.ms)}; ${describeTraffic(traffic, DOCUMENTS)}. ` +
				`CPU: ${describePhase('uploading', phases.uploading)}; ${describePhase('waiting', phases.waiting)}`;
			log(`  ${summary}`);
			notes.push(`${summary}.`);
			const ratio = run.ms / single;
			rows.push({
				figure:
					run === output.many
						? `Many documents: ${DOCUMENTS.toLocaleString('en')} documents, Wait for Result, one execution (Concurrency ${concurrency}, the default)`
						: `Many documents: same with Concurrency ${concurrency} (the most allowed, not the default)`,
				measured: seconds(run.ms),
				baseline: `${seconds(single)} (one document, median of ${SINGLE_RUNS})`,
				ratio: times(ratio),
				goal: `≤ ${times(TIME_GOAL, 1)}`,
				met: ratio <= TIME_GOAL,
			});
			return { run, traffic, phases, concurrency };
		});
		const [main, ...more] = measured;

		const memory =
			`idle ${mb(output.idleRss)}, peak during the run ${mb(output.peakRss)}` +
			(output.kernelPeakRss !== undefined ? `, kernel peak (VmHWM) ${mb(output.kernelPeakRss)}` : '') +
			`, after the run and a full GC ${mb(output.afterRss)}, ${output.samples} samples`;
		log(`  memory: ${memory}`);
		rows.push(
			{
				figure: `Many documents: peak RSS growth during the ${DOCUMENTS.toLocaleString('en')}-document run (Concurrency ${DEFAULT_CONCURRENCY})`,
				measured: mb(growth),
				baseline: `${mb(output.idleRss)} (RSS before the run)`,
				ratio: `${(growth / DOCUMENTS / 1024).toFixed(0)} KB per document`,
				goal: `< ${mb(RSS_GOAL, 0)}`,
				met: growth < RSS_GOAL,
			},
			{
				figure: `Many documents: requests per document, uploads + polls (Concurrency ${DEFAULT_CONCURRENCY})`,
				measured: `${perDocument(main.traffic, DOCUMENTS).toFixed(2)} (${main.traffic.uploads} + ${main.traffic.polls})`,
				baseline: `${perDocument(singleTraffic, 1).toFixed(2)} (one document: ${singleTraffic.uploads} + ${singleTraffic.polls})`,
				ratio: times(perDocument(main.traffic, DOCUMENTS) / perDocument(singleTraffic, 1)),
				goal: '-',
			},
		);

		// Where the time goes, and what keeps it above the goal.
		const { traffic, phases, run } = main;
		const pollCpu = phases.waiting.workflowCpuMs / phases.waiting.requests;
		// The polls made while uploading are counted at the CPU of a poll made after.
		const uploadCpu = Math.max(0, phases.uploading.workflowCpuMs - traffic.pollsDuringUploads * pollCpu) / Math.max(1, traffic.uploads);
		rows.push({
			figure: `Many documents: CPU of the workflow's process per upload / per poll (Concurrency ${DEFAULT_CONCURRENCY}; the emulator runs in another process)`,
			measured: `${uploadCpu.toFixed(2)} ms / ${pollCpu.toFixed(2)} ms`,
			baseline: 'the CPU per request of n8n\'s HTTP Request node (section below)',
			ratio: '-',
			goal: 'reported',
		});
		const busy = (phases.uploading.workflowCpuMs / phases.uploading.wallMs) * 100;
		const alternatives = more.map((other) => `${seconds(other.traffic.lastUploadMs)} with Concurrency ${other.concurrency} (${times(other.run.ms / single)} in all)`);
		notes.push(
			`One document: ${output.singles.map((one) => seconds(one.ms)).join(', ')}; ${describeTraffic(singleTraffic, 1)}. ` +
				`Its processing delay (2 s) is a whole number of poll intervals, so the poll at 2 s finds it just ready: the baseline pays no wait for a poll.`,
			`Where the ${seconds(run.ms)} of Concurrency ${DEFAULT_CONCURRENCY} go: ${seconds(traffic.lastUploadMs)} of uploads (the wait starts with the first upload; ` +
				`${traffic.pollsDuringUploads} polls were made meanwhile), then ${seconds(PROCESSING_DELAY_MS)} until the last job was ready (${seconds(traffic.lastReadyMs)}), then ` +
				`${seconds(traffic.lastSeenMs - traffic.lastReadyMs)} until a poll saw the last result (each request is polled once per interval, ` +
				`and a round of ${DOCUMENTS} polls takes ${seconds(traffic.rounds[0].lastMs - traffic.rounds[0].firstMs)}), then ` +
				`${seconds(run.ms - traffic.lastSeenMs)} to build the ${DOCUMENTS} output items and end the run. The goal (${times(TIME_GOAL, 1)}, ` +
				`${seconds(budget)}) leaves ${seconds(budget - PROCESSING_DELAY_MS)} besides the processing delay, and the uploads alone take ` +
				`${seconds(traffic.lastUploadMs)}.`,
			`The uploads are bound by the CPU of the workflow's process, not by Concurrency: it was ${busy.toFixed(0)}% busy while uploading, ` +
				`${uploadCpu.toFixed(2)} ms of CPU per upload (${pollCpu.toFixed(2)} ms per poll after the uploads), and the uploads took ` +
				`${[`${seconds(traffic.lastUploadMs)} with Concurrency ${DEFAULT_CONCURRENCY}`, ...alternatives].join(', ')}. ` +
				`Every request goes through n8n's HTTP helper (axios) on a new connection (Connection: ${traffic.connection}).`,
			`Memory of the ${DOCUMENTS}-document run (its own process): ${memory}.`,
		);
		return { rows, notes };
	} finally {
		await emulator.close();
	}
}
