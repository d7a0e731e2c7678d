/** The final table, printed and written to BENCHMARKS.md with the machine it ran on. */
import { execFileSync } from 'child_process';
import { existsSync, readFileSync, writeFileSync } from 'fs';
import { cpus, loadavg, totalmem, type as osType, release } from 'os';

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

/** The load average (1, 5 and 15 minutes), e.g. `0.52, 0.61, 0.70`. */
export function loadAverage(): string {
	return loadavg()
		.map((value) => value.toFixed(2))
		.join(', ');
}

/** A command line in short: each word's last path segment, the first three words, e.g. `node n8n worker`. */
function shortCommand(args: string): string {
	return args
		.trim()
		.split(/\s+/)
		.slice(0, 3)
		.map((word) => word.slice(word.lastIndexOf('/') + 1).slice(0, 30))
		.join(' ');
}

/**
 * The other processes using the most CPU (average over their life, as `ps` reports it), e.g.
 * `node n8n worker (61%), postgres (12%)`; empty when none uses 10% or more, or without `ps`.
 */
export function busyProcesses(limit = 4): string {
	try {
		const lines = execFileSync('ps', ['-eo', 'pid=,pcpu=,args='], { encoding: 'utf8', timeout: 5000 }).trim().split('\n');
		return lines
			.map((line) => /^\s*(\d+)\s+([\d.]+)\s+(.*)$/.exec(line))
			.filter((match): match is RegExpExecArray => match !== null && Number(match[1]) !== process.pid && Number(match[2]) >= 10)
			.sort((a, b) => Number(b[2]) - Number(a[2]))
			.slice(0, limit)
			.map((match) => `${shortCommand(match[3])} (${Number(match[2]).toFixed(0)}%)`)
			.join(', ');
	} catch {
		return '';
	}
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
   with one document: ideally they take about as long. These two lines use *Output* Raw (the answer as it
   is, one item per request). The next two run the same batch with the default *Output* (one item per
   document, values normalised and checked) and with that plus *Include* tables (each document's table
   fetched in the same run), in the same rounds as the raw one (3 rounds, the order turning each round),
   and compare each median with the raw median: they should stay within 10%.
2. **Many documents.** 1,000 small images (the emulator's page JPEG) in one execution with *Wait for
   Result* on, the default Output (one item per document), Poll Interval 1 s and the default Concurrency
   (10); the emulator takes 2 s to read each. Baseline: one document with the same settings, median of 3
   runs. The workflow runs in its own child process, which samples its resident set size (RSS) every
   20 ms from a worker thread: the growth is the peak minus the RSS just before the run. Requests per
   document count the uploads and result polls of the run in the emulator's request log, against those of
   one document. The same 1,000 documents run once more with Concurrency 50 (the most the node allows),
   to show what the default leaves on the table. The details say where the time goes: when the uploads
   ended, when the last job turned ready, when each round of polls ran, and how busy the workflow's
   process and the emulator's were (CPU time) while uploading and while waiting.
3. **Overhead.** A Get Result (*Wait for Result* off, *Output* Raw) through the node, as a complete
   workflow run, against a raw \`undici\` \`request()\` to the same URL with the same headers; medians of 200
   warm runs, interleaved. The difference is what the node and n8n add to one request. The second line
   runs 100 items in one workflow against 100 raw requests in a row, which spreads the fixed cost of a
   workflow run and shows the cost per item. The next lines time the same Get Results with the default
   *Output* (one item per document) and with *Include* tables, interleaved with the raw ones, and compare
   them with the raw lines (goal: within 10%). Include tables makes a second request per document (its
   table); the details compare it with what it replaces, a Get Result node followed by a Get Table node.
4. **Upload.** The throughput of a 200 MB Submit through the node (*Wait for Result* off, filesystem
   binary mode: the start node creates the binary from a file stream, not timed; Submit streams it from
   n8n's binary storage and its time is the node's own execution time) against a raw \`undici\` streaming
   multipart upload of the same file to the same emulator: the body built by hand as a stream (head,
   \`fs.createReadStream(file)\` in 256 KiB chunks as the node reads them, tail) with a Content-Length and the headers the node sends, timed from
   opening the file to the end of the answer. Both run in a child process, the emulator (which parses
   the multipart body and hashes the file) in the parent; 3 uploads each, alternating which goes first,
   medians compared. The emulator checks the size and sha256 of every upload.
5. **Memory.** A 200 MB file submitted in filesystem binary mode: the start node creates the binary from a
   file stream, so the file is never loaded. Each upload runs in its own child process; the resident set size
   (RSS) is sampled every 20 ms from a worker thread. Growth during Submit is the peak minus the RSS just
   before the Submit node ran (goal: under 16 MB, a few buffers); the whole-run line also counts creating
   the binary. Baseline: the file size, and the same upload with the file read into a Buffer in default
   binary mode. The emulator checks the size and sha256 of what it received. The second part is a download: Get Result Image of a 150 MB image in
   filesystem binary mode, which the node streams into n8n's binary storage. The emulator runs in the parent
   process and serves a body that starts with a real PNG signature and header; the download runs in its own
   child process after a warm-up download of a small image. Growth is the peak minus the RSS just before the
   run. Baseline: the image size, and the same download in default binary mode, where n8n keeps the image in
   the item as base64. The stored file is read back afterwards: its size and sha256 must match the body.
6. **Polling.** Time from the moment a job turns ready (upload time + processing delay on the emulator's
   clock) to the moment the workflow run returns, for 10 documents whose delays are spread over one poll
   cycle (Poll Interval 1 s). Baseline: the poll interval; a job should never wait more than one interval.

The machine is shared: the details end with the load average at the start of each section and the
busiest other processes, since other work on the same cores slows every figure (the ratios less so, as
each is measured against a baseline taken at the same time).
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
	writeFileSync(path, `${text}${keptSections(path)}`.replace(/\n{3,}/g, '\n\n'));
}

/** Sections other suites add to BENCHMARKS.md (the queue-mode rows of `npm run test:e2e:queue`), kept as they are. */
export const KEPT_HEADINGS = ['## Queue mode: one and two n8n workers'];

function keptSections(path: string): string {
	const old = existsSync(path) ? readFileSync(path, 'utf8') : '';
	const starts = KEPT_HEADINGS.map((heading) => old.indexOf(`\n${heading}\n`)).filter((at) => at >= 0);
	return starts.length === 0 ? '' : `\n${old.slice(Math.min(...starts)).trim()}\n`;
}
