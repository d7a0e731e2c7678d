// E2E_QUEUE_BENCH=1: the throughput of the queue-mode batches as a row of BENCHMARKS.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

import { ROOT } from './n8n.mjs';
import { log } from './proc.mjs';
import { DOCS, NODE_CONCURRENCY, WORKER_CONCURRENCY } from './queue-config.mjs';

const BENCH_HEADING = '## Queue mode: one and two n8n workers';
const BENCH_TABLE_HEAD = [
	'| Date | n8n | Documents | Worker `--concurrency` | Node Concurrency | 1 worker | exec/s | 2 workers | exec/s | Ratio | Executions per worker (2 workers) | Load average (1 min) after each batch, CPUs |',
	'|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
];

/** Adds a row to the queue-mode table of BENCHMARKS.md (the section is created when missing). */
export function appendBenchmark(throughput, runtime) {
	const file = join(ROOT, 'BENCHMARKS.md');
	const one = throughput['1 worker'];
	const two = throughput['2 workers'];
	const row = `| ${new Date().toISOString().slice(0, 10)} | ${runtime.n8nVersion} | ${DOCS} | ${WORKER_CONCURRENCY} | ${NODE_CONCURRENCY} | ${one.seconds.toFixed(1)} s | ${one.rate.toFixed(2)} | ${two.seconds.toFixed(1)} s | ${two.rate.toFixed(2)} | ${throughput.ratio.toFixed(2)}× | ${Object.entries(two.perWorker)
		.map(([name, count]) => `${name} ${count}`)
		.join(', ')} | ${one.load.toFixed(1)} / ${two.load.toFixed(1)}, ${cpus().length} |`;
	let lines = existsSync(file) ? readFileSync(file, 'utf8').replace(/\n+$/, '').split('\n') : ['# Benchmarks'];
	let at = lines.indexOf(BENCH_HEADING);
	if (at === -1) {
		lines = [...lines, '', BENCH_HEADING, '', 'Added by `E2E_QUEUE_BENCH=1 npm run test:e2e:queue`; see docs/queue-mode.md.', '', ...BENCH_TABLE_HEAD];
		at = lines.indexOf(BENCH_HEADING);
	}
	let tableEnd = lines.findIndex((line, index) => index > at && line.startsWith('|'));
	if (tableEnd === -1) {
		lines.splice(at + 1, 0, '', ...BENCH_TABLE_HEAD);
		tableEnd = at + 2;
	}
	while (tableEnd + 1 < lines.length && lines[tableEnd + 1].startsWith('|')) tableEnd++;
	lines.splice(tableEnd + 1, 0, row);
	writeFileSync(file, `${lines.join('\n')}\n`);
	log(`  (BENCHMARKS.md: ${row})`);
}
