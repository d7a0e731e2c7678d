/**
 * `npm run bench`: measures the node against baselines taken in the same run, prints a table and
 * rewrites BENCHMARKS.md. Not a test: a goal that is missed is reported, not failed.
 */
import { resolve } from 'path';

import { disposeRunner } from '../runner';
import { benchAnchor } from './anchor';
import { benchBatch } from './batch';
import { benchMemory } from './memory';
import { benchOverhead } from './overhead';
import { benchPolling } from './polling';
import { busyProcesses, loadAverage, machine, markdownTable, writeBenchmarks } from './report';
import { benchScale } from './scale';
import { benchSpread } from './spread';
import { log, type Row } from './stats';
import { benchUpload } from './upload';

const BENCHMARKS_FILE = resolve(__dirname, '..', '..', '..', 'BENCHMARKS.md');

interface Section {
	title: string;
	run: () => Promise<{ rows: Row[]; notes: string[] }>;
}

const SECTIONS: Section[] = [
	{ title: 'Batch', run: benchBatch },
	{ title: 'Many documents', run: benchScale },
	{ title: 'Overhead', run: benchOverhead },
	{ title: 'CPU per request against the HTTP Request node', run: benchAnchor },
	{ title: 'Upload', run: benchUpload },
	{ title: 'Memory', run: benchMemory },
	{ title: 'Polling', run: benchPolling },
	{ title: 'Polling, processing times spread', run: benchSpread },
];

async function main(): Promise<void> {
	const startedAt = new Date();
	const m = machine();
	log(`GreenNode OCR benchmarks: ${m.cpu}, ${m.cores} cores, ${m.ramGb} GB RAM, Node.js ${m.node}`);
	const rows: Row[] = [];
	const notes: Record<string, string[]> = {};
	const failures: string[] = [];
	const load: string[] = [];
	const sectionTimes: string[] = [];
	const busy = busyProcesses();
	log(`Load average ${loadAverage()}${busy ? `; busiest other processes: ${busy}` : ''}`);
	for (const section of SECTIONS) {
		log(`\n${section.title}`);
		load.push(`${section.title} ${loadAverage()}`);
		const started = Date.now();
		try {
			const figures = await section.run();
			rows.push(...figures.rows);
			notes[section.title] = figures.notes;
		} catch (error) {
			const message = error instanceof Error ? error.stack ?? error.message : String(error);
			failures.push(`${section.title}: ${message.split('\n')[0]}`);
			log(`  FAILED: ${message}`);
			process.exitCode = 1;
		}
		log(`  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
		sectionTimes.push(`${section.title} ${((Date.now() - started) / 1000).toFixed(0)} s`);
	}
	const durationMs = Date.now() - startedAt.getTime();
	load.push(`end ${loadAverage()}`);
	notes['Machine load and time'] = [
		`Time per section: ${sectionTimes.join(', ')}.`,
		`Load average (1, 5, 15 min) at the start of each section: ${load.join('; ')}.`,
		busy ? `Busiest other processes when the run started (% CPU as ps reports it): ${busy}.` : 'No other busy process when the run started.',
	];
	log(`\n${markdownTable(rows)}\n`);
	for (const [title, lines] of Object.entries(notes)) {
		for (const line of lines) log(`${title}: ${line}`);
	}
	if (failures.length > 0) log(`\nFailed: ${failures.join('; ')}`);
	writeBenchmarks(BENCHMARKS_FILE, { rows, notes, failures, startedAt, durationMs });
	log(`Written to ${BENCHMARKS_FILE} (total ${(durationMs / 1000).toFixed(0)} s).`);
}

main()
	.catch((error) => {
		log(error instanceof Error ? error.stack ?? error.message : String(error));
		process.exitCode = 1;
	})
	.finally(() => disposeRunner());
