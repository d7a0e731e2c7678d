/** The final table, printed and written to BENCHMARKS.md with the machine it ran on. */
import { writeFileSync } from 'fs';
import { cpus, totalmem, type as osType, release } from 'os';

import type { Row } from './stats';

export interface Machine {
	cpu: string;
	cores: number;
	ramGb: string;
	node: string;
	os: string;
}

export function machine(): Machine {
	const list = cpus();
	return {
		cpu: list[0]?.model.trim() ?? 'unknown',
		cores: list.length,
		ramGb: (totalmem() / 1024 ** 3).toFixed(1),
		node: process.version,
		os: `${osType()} ${release()}`,
	};
}

function cell(text: string): string {
	return text.replace(/\|/g, '\\|');
}

export function markdownTable(rows: Row[]): string {
	const lines = ['| Figure | Measured | Baseline | Ratio | Goal | Met? |', '|---|---|---|---|---|---|'];
	for (const row of rows) {
		const met = row.met === undefined ? '-' : row.met ? 'yes' : '**no**';
		lines.push(`| ${[row.figure, row.measured, row.baseline, row.ratio, row.goal, met].map(cell).join(' | ')} |`);
	}
	return lines.join('\n');
}

export interface Report {
	rows: Row[];
	notes: Record<string, string[]>;
	failures: string[];
	startedAt: Date;
	durationMs: number;
}

const INTRO = `# Benchmarks

Figures of the GreenNode OCR node, each measured against a baseline taken in the same run on the same
machine, so the ratios hold from one machine to another even when the absolute times do not. The node runs
in n8n's own workflow engine (\`WorkflowExecute\`, in process) against the bundled GreenNode emulator on
localhost, so network latency is close to zero and the figures show what the node itself costs.

Rerun them with:

\`\`\`bash
npm ci && npm run bench
\`\`\`

It takes about two minutes, prints the table below and rewrites this file.

## What is measured

1. **Batch.** 50 images submitted in one run with *Wait for Result* on, default Concurrency (10),
   Poll Interval 1 s; the emulator takes 2 s to read each document (processing until 1.2 s, then
   "COMPLETED but empty" until 2 s, then done). Baseline: the sum of 50 single-document runs, which is
   what a workflow that loops over the items (or uses Wait + IF) takes. To keep the run short the sum is
   extrapolated from the median of 3 single-document runs. The second line compares the 50-document run
   with one document: ideally they take about as long.
2. **Overhead.** A Get Result (*Wait for Result* off) through the node, as a complete workflow run, against a
   raw \`undici\` \`request()\` to the same URL with the same headers; medians of 200 warm runs, interleaved.
   The difference is what the node and n8n add to one request. The second line runs 100 items in one
   workflow against 100 raw requests in a row, which spreads the fixed cost of a workflow run and shows the
   cost per item.
3. **Memory.** A 200 MB file submitted in filesystem binary mode: the start node creates the binary from a
   file stream, so the file is never loaded. Each upload runs in its own child process; the resident set size
   (RSS) is sampled every 20 ms from a worker thread. Growth during Submit is the peak minus the RSS just
   before the Submit node ran; the whole-run line also counts creating the binary. Baseline: the file size, and
   the same upload with the file read into a Buffer in default binary mode. The emulator checks the size and
   sha256 of what it received. The second part is a download: Get Result Image of a 150 MB image in
   filesystem binary mode, which the node streams into n8n's binary storage. The emulator runs in the parent
   process and serves a body that starts with a real PNG signature and header; the download runs in its own
   child process after a warm-up download of a small image. Growth is the peak minus the RSS just before the
   run. Baseline: the image size, and the same download in default binary mode, where n8n keeps the image in
   the item as base64. The stored file is read back afterwards: its size and sha256 must match the body.
4. **Polling.** Time from the moment a job turns ready (upload time + processing delay on the emulator's
   clock) to the moment the workflow run returns, for 10 documents whose delays are spread over one poll
   cycle (Poll Interval 1 s). Baseline: the poll interval; a job should never wait more than one interval.
`;

export function writeBenchmarks(path: string, report: Report): void {
	const m = machine();
	const sections = Object.entries(report.notes)
		.filter(([, notes]) => notes.length > 0)
		.map(([title, notes]) => `### ${title}\n\n${notes.map((note) => `- ${note}`).join('\n')}`)
		.join('\n\n');
	const text = [
		INTRO,
		'## Results',
		'',
		`- Date: ${report.startedAt.toISOString()}`,
		`- Command: \`npm run bench\` (total ${(report.durationMs / 1000).toFixed(0)} s)`,
		`- Machine: ${m.cpu}, ${m.cores} cores, ${m.ramGb} GB RAM, ${m.os}`,
		`- Node.js: ${m.node}`,
		'',
		markdownTable(report.rows),
		'',
		report.failures.length > 0 ? `**Failed:**\n\n${report.failures.map((failure) => `- ${failure}`).join('\n')}\n` : '',
		'## Details of this run',
		'',
		sections,
		'',
	].join('\n');
	writeFileSync(path, text.replace(/\n{3,}/g, '\n\n'));
}
