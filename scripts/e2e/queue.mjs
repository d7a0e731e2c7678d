#!/usr/bin/env node
// End-to-end suite in n8n queue mode: this package on a main instance and two workers.
//
//   npm run test:e2e:queue
//
// 1. Redis and a throwaway PostgreSQL cluster (Debian packages; apt-get installs them when missing
//    and we run as root) on loopback and free ports; the GreenNode emulator
//    (dist/dev/emulator/cli.js) twice: 2 s per job for the batches, 8 s for the worker kill. Its
//    log names the file (size, sha256) and the request_id of every submission.
// 2. The package is built, packed, and the tarball installed into the user folder of each n8n
//    process (main, worker-a, worker-b) the way n8n installs a community package. n8n (2.41.1,
//    from the e2e cache) runs as `n8n start` and `n8n worker` processes with EXECUTIONS_MODE=queue,
//    Redis, PostgreSQL, N8N_DEFAULT_BINARY_DATA_MODE=database, EXECUTIONS_DATA_SAVE_ON_PROGRESS=true
//    and one N8N_ENCRYPTION_KEY. Credentials (one with an n8n API key for the node's ledger) and
//    workflows are created through the REST API.
// 3. Webhook (multipart upload) → GreenNode OCR Submit (Wait for Result off) → Get Result (wait) →
//    Get Table (spreadsheet rows) → Respond to Webhook. 100 different documents are POSTed at once
//    with one worker, then 100 more with two. Every answer must carry its own document's result
//    (the sha256 the emulator logged for the file behind each request_id, the doc type, tables or none),
//    every execution must succeed (REST API and executions table), the emulator must see exactly
//    one submission per document, and with two workers both must have run executions: each
//    worker's own log names the executions it started ("Worker started execution <id>").
//    Executions per second with one and two workers and their ratio are printed (goal ≥ 1.7).
// 4. worker-a is killed (SIGKILL) while two executions wait in Get Result, and started again on
//    its folder. What n8n does is recorded: the restarted worker marks them `crashed` (progress
//    kept); once the job's lock expires, main fails the stalled job and replaces the saved progress
//    with an error. The editor's Retry (POST /rest/executions/:id/retry {loadWorkflow:false}) is
//    tried as soon as `crashed` shows (it must resume at Get Result from the saved request_id) and
//    after the failure (the execution with the ledger: Submit finds its request_id there); neither
//    may submit again. The recipe that does not depend on that timing: Submit waits for the result
//    with the GreenNode OCR Ledger API credential, which writes the request_id to its Data Table
//    right after the upload, and the caller posts the document again: Submit reuses the request_id,
//    the document is not submitted a second time.
// Every process started is stopped by its process group, also on failure or Ctrl+C. The run ends
// with `e2e-queue: N passed, M failed` and a non-zero exit code on any failure.
//
// Environment:
//   E2E_SKIP_BUILD=1                 pack the current dist/ without `npm run build`
//   E2E_CACHE_DIR=<dir>              where Node 24 and n8n are kept (default .cache/e2e)
//   E2E_QUEUE_DOCS=<n>               documents per batch (default 100; the ratio is asserted from 50)
//   E2E_QUEUE_WORKER_CONCURRENCY=<n> `n8n worker --concurrency` (default 5)
//   E2E_QUEUE_SKIP_WORKER_INSTALL=1  no copy of the package on the workers: the suite must fail
//   E2E_QUEUE_RESUBMIT=1             after the crash, post the document to the workflow without the
//                                    ledger: it is submitted again and the suite must fail
//   E2E_QUEUE_REPLACEMENT=worker-b   after the crash, start worker-b (another folder) instead of worker-a
//   E2E_QUEUE_DEFAULT_LOCKS=1        n8n's default job lock (60 s) and stalled check (30 s) instead of 20 s / 5 s
//   E2E_QUEUE_BENCH=1                add the throughput figures to BENCHMARKS.md
// The logs and the n8n user folders of the last run stay in .output/e2e-queue/.
// The phases are in lib/queue-*.mjs: queue-cluster.mjs (Redis, PostgreSQL, n8n main and workers,
// REST API), queue-emulators.mjs, queue-workflows.mjs, queue-batch.mjs, queue-crash.mjs and
// queue-bench.mjs; lib/suite.mjs times the phases and ends the run.
import { join } from 'node:path';

import { Checks } from './lib/checks.mjs';
import { checkThroughput, runBatch } from './lib/queue-batch.mjs';
import { appendBenchmark } from './lib/queue-bench.mjs';
import { QueueCluster } from './lib/queue-cluster.mjs';
import { announce, BENCH, CACHE, DOCS, OWNER, shown, WORK } from './lib/queue-config.mjs';
import { crashAndRecover } from './lib/queue-crash.mjs';
import { startEmulators } from './lib/queue-emulators.mjs';
import { checkWorkflowSetup } from './lib/queue-workflows.mjs';
import { checkRuntime, freshWorkDirs, phaseClock, runSuite } from './lib/suite.mjs';

const checks = new Checks();
const clock = phaseClock();
let cluster;

async function main() {
	const dirs = freshWorkDirs(WORK, { logs: 'logs', pack: 'pack', files: 'files', redis: 'redis', users: 'users' });
	const commandsLog = join(dirs.logs, 'commands.log');
	announce();

	// 1. Runtime, services, package, emulators
	const runtime = await checkRuntime(checks, CACHE, commandsLog);
	if (!runtime) return;
	cluster = new QueueCluster({ runtime, dirs, commandsLog });
	const servicesOk = await cluster.checkServices(checks);
	clock.phase('runtime and services');
	if (!servicesOk) return;
	const packOk = await cluster.checkPackage(checks);
	clock.phase('build, pack, install ×3');
	if (!packOk) return;
	const emulators = await startEmulators(dirs.logs, (service) => cluster.track(service));

	// 2. n8n main, the workflows, the first worker
	const mainOk = await cluster.checkMain(checks);
	clock.phase('n8n main start (migrations)');
	if (!mainOk) return;
	await cluster.login(OWNER);
	const workflows = await checkWorkflowSetup(checks, cluster, emulators);
	if (!workflows) return;
	const workerAOk = await cluster.checkWorker(checks, 'worker-a');
	clock.phase('worker-a start');
	if (!workerAOk) return;

	// 3. One worker, then two
	const ctx = { checks, cluster, emulators, workflows };
	const throughput = {};
	const one = await runBatch(ctx, '1 worker', 'one', throughput);
	clock.phase(`${DOCS} executions, 1 worker`);
	if (!one.answers.some((answer) => answer.status === 200)) {
		checks.record('later phases', false, 'skipped: no execution of the first batch succeeded');
		return;
	}
	const workerBOk = await cluster.checkWorker(checks, 'worker-b');
	clock.phase('worker-b start');
	if (!workerBOk) return;
	await runBatch(ctx, '2 workers', 'two', throughput);
	clock.phase(`${DOCS} executions, 2 workers`);
	await checkThroughput(checks, throughput, dirs.logs);
	if (BENCH) appendBenchmark(throughput, runtime);

	// 4. Kill a worker while it waits in Get Result
	await crashAndRecover(ctx);
	clock.phase('worker kill, retry, recovery');
	clock.total();
}

await runSuite({
	label: 'e2e-queue',
	checks,
	clock,
	main,
	cleanup: async () => cluster?.stop(),
	footer: `Logs: ${shown(WORK)}/logs (main.log, worker-a.log, worker-b.log, emulator.log, emulator-slow.log)`,
});
