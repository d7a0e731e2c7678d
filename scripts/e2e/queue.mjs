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
//    and one N8N_ENCRYPTION_KEY. Credential, Data Table and workflows are created through the REST API.
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
//    after the failure (nothing left to resume); neither may submit again. The recipe that does
//    not depend on that timing: the workflow keeps documentKey → request_id in a Data Table right
//    after Submit, and the caller posts the document again: Get Result on the saved request_id, the
//    document is not submitted a second time.
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
//                                    Data Table: it is submitted again and the suite must fail
//   E2E_QUEUE_REPLACEMENT=worker-b   after the crash, start worker-b (another folder) instead of worker-a
//   E2E_QUEUE_DEFAULT_LOCKS=1        n8n's default job lock (60 s) and stalled check (30 s) instead of 20 s / 5 s
//   E2E_QUEUE_BENCH=1                add the throughput figures to BENCHMARKS.md
// The logs and the n8n user folders of the last run stay in .output/e2e-queue/.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { Checks, expect } from './lib/checks.mjs';
import { samplePdf } from './lib/files.mjs';
import { ensureRuntime } from './lib/install.mjs';
import { buildAndPack, installCommunityPackage, n8nEnv, NODE_TYPE, PACKAGE, ROOT, setupOwnerAndLogin, startEmulator, startN8n } from './lib/n8n.mjs';
import { freePorts, log, onShutdown, sleep, startService, stopAll, waitFor } from './lib/proc.mjs';
import { ensureServicePackages, startPostgres, startRedis, stopGroup, stopPostgres } from './lib/services.mjs';

const WORK = join(ROOT, '.output', 'e2e-queue');
const CACHE = process.env.E2E_CACHE_DIR || join(ROOT, '.cache', 'e2e');
const DOCS = Number(process.env.E2E_QUEUE_DOCS || 100);
const WORKER_CONCURRENCY = Number(process.env.E2E_QUEUE_WORKER_CONCURRENCY || 5);
const SKIP_WORKER_INSTALL = process.env.E2E_QUEUE_SKIP_WORKER_INSTALL === '1';
const RESUBMIT = process.env.E2E_QUEUE_RESUBMIT === '1';
const REPLACEMENT = process.env.E2E_QUEUE_REPLACEMENT === 'worker-b' ? 'worker-b' : 'worker-a';
const PROCESSING_MS = 2000;
const CRASH_PROCESSING_MS = 8000;
const POLL_INTERVAL_S = 1;
const NODE_CONCURRENCY = 10; // the node's Options → Concurrency, left at its default
const DOC_TYPES = ['INVOICE', 'ID', 'BANK_STATEMENT', 'CONTRACT'];
const WEBHOOK_PATH = 'greennode-ocr-queue';
const OWNER = { email: 'e2e-queue-owner@example.com', password: `E2e-${Math.random().toString(36).slice(2, 10)}-Pw1` };
// Stalled-job detection, shortened so that the crash is noticed within seconds (n8n's defaults:
// 60000 / 10000 / 30000 ms).
const DEFAULT_LOCKS = process.env.E2E_QUEUE_DEFAULT_LOCKS === '1';
const LOCKS = DEFAULT_LOCKS ? {} : { QUEUE_WORKER_LOCK_DURATION: '20000', QUEUE_WORKER_LOCK_RENEW_TIME: '5000', QUEUE_WORKER_STALLED_INTERVAL: '5000' };

const checks = new Checks();
const timings = [];
let phaseStarted = Date.now();
function phase(name) {
	const now = Date.now();
	timings.push([name, (now - phaseStarted) / 1000]);
	phaseStarted = now;
}

const state = { services: [], postgres: undefined, redis: undefined, workers: {}, main: undefined };

async function cleanup() {
	const n8nProcesses = [...Object.values(state.workers).map((worker) => worker.service), state.main?.service].filter(Boolean);
	await Promise.all(n8nProcesses.map((service) => stopGroup(service, 'SIGTERM', 15000)));
	for (const service of state.services.reverse()) await stopGroup(service, 'SIGTERM', 5000);
	state.services = [];
	await stopPostgres(state.postgres);
	state.postgres = undefined;
	await stopGroup(state.redis?.service, 'SIGTERM', 5000);
	state.redis = undefined;
}

function sha256(buffer) {
	return createHash('sha256').update(buffer).digest('hex');
}

/** `count` different documents: a PDF each, a doc type each, every 7th one without tables. */
function makeDocuments(prefix, count) {
	const docs = [];
	for (let i = 1; i <= count; i++) {
		const number = String(i).padStart(3, '0');
		const tables = i % 7 !== 0;
		const name = `${prefix}-${number}${tables ? '' : '-notable'}.pdf`;
		const bytes = samplePdf(`${prefix.toUpperCase()} DOCUMENT ${number} ${randomUUID()}`);
		docs.push({ id: `${prefix}-${number}`, name, bytes, sha256: sha256(bytes), docType: DOC_TYPES[i % DOC_TYPES.length], tables });
	}
	return docs;
}

const DATA_TABLE_COLUMNS = ['documentKey', 'request_id'];

/**
 * The webhook workflow: Webhook → Submit (Wait for Result off) → Get Result (wait) → Get Table
 * (rows) → Respond to Webhook. With `dataTableId`, Submit runs only for a document key that has
 * no row in the Data Table yet, and its request_id is written there at once; a document key seen
 * before goes straight to Get Result with the saved request_id.
 */
function ocrWorkflow({ credential, name, path, dataTableId }) {
	const credentials = { greenNodeOcrApi: { id: credential.id, name: credential.name } };
	const node = (nodeName, type, typeVersion, x, y, parameters, extra = {}) => ({ id: randomUUID(), name: nodeName, type, typeVersion, position: [x, y], parameters, ...extra });
	const ocr = (nodeName, x, y, parameters, extra = {}) => node(nodeName, NODE_TYPE, 1, x, y, parameters, { credentials, ...extra });
	const key = "={{ $('Receive document').first().json.body.documentKey }}";
	const table = { __rl: true, mode: 'id', value: dataTableId };
	const byKey = { matchType: 'anyCondition', filters: { conditions: [{ keyName: 'documentKey', condition: 'eq', keyValue: key }] } };
	const dataTable = (nodeName, x, y, operation, parameters = {}) =>
		node(nodeName, 'n8n-nodes-base.dataTable', 1.1, x, y, { resource: 'row', operation, dataTableId: table, ...parameters });
	const answer = [
		'={{ {',
		"upload: $('Receive document').first().json.body.documentKey,",
		'execution: $execution.id,',
		"submitted_here: $('Submit').isExecuted,",
		"request_id: $('Get Result').first().json.request_id,",
		"status: $('Get Result').first().json.status,",
		"document_type: $('Get Result').first().json.documents[0].document_type,",
		"table_rows: $('Get Table').all().filter(item => item.json.row !== undefined).length",
		'} }}',
	].join(' ');
	const x = dataTableId ? 240 : 0;
	const nodes = [
		node('Receive document', 'n8n-nodes-base.webhook', 2.1, 0, 0, { httpMethod: 'POST', path, responseMode: 'responseNode', options: {} }, { webhookId: randomUUID() }),
		ocr('Submit', 240 + x, 0, { operation: 'submit', docType: "={{ $('Receive document').first().json.body.docType }}", waitForResult: false, options: {} }),
		ocr('Get Result', 480 + 2 * x, 0, {
			operation: 'getResult',
			requestId: '={{ $json.request_id }}',
			waitForResult: true,
			output: 'raw',
			options: { pollInterval: POLL_INTERVAL_S, timeout: 120 },
		}),
		ocr(
			'Get Table',
			720 + 2 * x,
			0,
			{ operation: 'getTable', requestId: '={{ $json.request_id }}', documentId: '={{ $json.documents[0].document_id }}', options: { outputMode: 'rows' } },
			{ alwaysOutputData: true },
		),
		node('Respond', 'n8n-nodes-base.respondToWebhook', 1.5, 960 + 2 * x, 0, { respondWith: 'json', responseBody: answer, options: {} }),
	];
	const connections = {};
	const link = (from, to) => {
		connections[from] ??= { main: [[]] };
		connections[from].main[0].push({ node: to, type: 'main', index: 0 });
	};
	if (dataTableId) {
		const schema = DATA_TABLE_COLUMNS.map((column) => ({ id: column, displayName: column, required: false, defaultMatch: false, display: true, type: 'string', canBeUsedToMatch: true }));
		nodes.push(
			dataTable('Not submitted yet', 240, 0, 'rowNotExists', byKey),
			dataTable('Submitted before', 240, 200, 'rowExists', byKey),
			dataTable('Saved request_id', 720, 200, 'get', byKey),
			dataTable('Remember request_id', 720, 0, 'insert', {
				columns: { mappingMode: 'defineBelow', value: { documentKey: key, request_id: '={{ $json.request_id }}' }, matchingColumns: [], schema },
				options: {},
			}),
		);
		link('Receive document', 'Not submitted yet');
		link('Receive document', 'Submitted before');
		link('Not submitted yet', 'Submit');
		link('Submit', 'Remember request_id');
		link('Remember request_id', 'Get Result');
		link('Submitted before', 'Saved request_id');
		link('Saved request_id', 'Get Result');
	} else {
		link('Receive document', 'Submit');
		link('Submit', 'Get Result');
	}
	link('Get Result', 'Get Table');
	link('Get Table', 'Respond');
	return { name, nodes, connections, settings: { executionOrder: 'v1' } };
}

const ctx = {};

async function main() {
	const started = Date.now();
	rmSync(WORK, { recursive: true, force: true });
	const dirs = {
		logs: join(WORK, 'logs'),
		pack: join(WORK, 'pack'),
		files: join(WORK, 'files'),
		redis: join(WORK, 'redis'),
		users: join(WORK, 'users'),
	};
	for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
	ctx.dirs = dirs;
	const commandsLog = join(dirs.logs, 'commands.log');
	log(`e2e-queue: ${PACKAGE.name}@${PACKAGE.version} in n8n queue mode (work folder ${WORK.replace(`${ROOT}/`, '')})`);
	if (SKIP_WORKER_INSTALL) log('  (E2E_QUEUE_SKIP_WORKER_INSTALL=1: the workers get no copy of the package)');
	if (RESUBMIT) log('  (E2E_QUEUE_RESUBMIT=1: after the crash the document is posted again to the workflow without the Data Table)');
	if (DEFAULT_LOCKS) log("  (E2E_QUEUE_DEFAULT_LOCKS=1: n8n's default lock duration and stalled-job check interval)");

	// 1. Runtime, services, package
	const runtimeOk = await checks.run(`runtime: Node 24 and n8n from ${CACHE.replace(`${ROOT}/`, '')}`, async () => {
		ctx.runtime = await ensureRuntime(CACHE, { logFile: commandsLog });
		return { detail: `node ${ctx.runtime.nodeVersion}, n8n ${ctx.runtime.n8nVersion}` };
	});
	if (!runtimeOk) return;
	const { runtime } = ctx;
	const servicesOk = await checks.run('services: Redis and PostgreSQL (Debian packages) on loopback', async () => {
		const installed = await ensureServicePackages({ logFile: commandsLog });
		state.redis = await startRedis({ dir: dirs.redis, logFile: join(dirs.logs, 'redis.log') });
		state.postgres = await startPostgres({ logFile: join(dirs.logs, 'postgres.log') });
		const version = await state.postgres.psql('show server_version');
		return {
			detail: `redis-server 127.0.0.1:${state.redis.port}, postgres ${version.split(' ')[0]} 127.0.0.1:${state.postgres.port} (throwaway cluster in ${state.postgres.dataDir})${installed.length ? `; apt-get installed ${installed.join(', ')}` : ''}`,
		};
	});
	phase('runtime and services');
	if (!servicesOk) return;

	const users = { main: join(dirs.users, 'main'), 'worker-a': join(dirs.users, 'worker-a'), 'worker-b': join(dirs.users, 'worker-b') };
	ctx.users = users;
	const packOk = await checks.run(`package: npm pack, the tarball installed for main${SKIP_WORKER_INSTALL ? ' only' : ' and both workers'}`, async () => {
		const packed = await buildAndPack(dirs.pack, { skipBuild: process.env.E2E_SKIP_BUILD === '1', logFile: commandsLog });
		const targets = SKIP_WORKER_INSTALL ? ['main'] : Object.keys(users);
		for (const name of Object.keys(users)) mkdirSync(users[name], { recursive: true });
		await Promise.all(targets.map((name) => installCommunityPackage(users[name], packed.tarball, { logFile: commandsLog })));
		const versions = targets.map((name) => {
			const file = join(users[name], '.n8n', 'nodes', 'node_modules', PACKAGE.name, 'package.json');
			return `${name} ${JSON.parse(readFileSync(file, 'utf8')).version}`;
		});
		return { detail: `${packed.tarball.replace(`${ROOT}/`, '')} → ${versions.join(', ')}${SKIP_WORKER_INSTALL ? '; workers: NOT installed' : ''}` };
	});
	phase('build, pack, install ×3');
	if (!packOk) return;

	// The emulator's CLI logs every request it answered, with the name, size and sha256 of an upload
	// and the request_id a submission created. One for the batches (2 s per job), one for the
	// worker kill (8 s per job, so that the worker is surely still in Get Result when it dies).
	const emulators = {};
	for (const [name, delayMs] of [
		['emulator', PROCESSING_MS],
		['emulator-slow', CRASH_PROCESSING_MS],
	]) {
		const logFile = join(dirs.logs, `${name}.log`);
		emulators[name] = { ...(await startEmulator({ logFile, delayMs })), logFile };
		state.services.push(emulators[name].service);
	}
	ctx.emulators = emulators;
	ctx.records = (name = 'emulator') => parseEmulatorLog(emulators[name].logFile);
	ctx.submissionsOf = (fileName) =>
		Object.keys(emulators)
			.flatMap((name) => ctx.records(name))
			.filter((record) => isSubmission(record) && record.file?.fileName === fileName && record.status === 201);

	// 2. n8n main and the first worker
	const [mainPort, mainBroker, aBroker, aHealth, bBroker, bHealth] = await freePorts(6);
	ctx.ports = { 'worker-a': [aBroker, aHealth], 'worker-b': [bBroker, bHealth] };
	ctx.queueEnv = (name, userFolder, brokerPort, extra = {}) =>
		n8nEnv({
			userFolder,
			filesDir: dirs.files,
			port: mainPort,
			brokerPort,
			logFile: join(dirs.logs, `${name}.log`),
			nodeBinDir: dirname(runtime.node),
			extra: {
				EXECUTIONS_MODE: 'queue',
				QUEUE_BULL_REDIS_HOST: '127.0.0.1',
				QUEUE_BULL_REDIS_PORT: String(state.redis.port),
				DB_TYPE: 'postgresdb',
				DB_POSTGRESDB_HOST: '127.0.0.1',
				DB_POSTGRESDB_PORT: String(state.postgres.port),
				DB_POSTGRESDB_DATABASE: state.postgres.database,
				DB_POSTGRESDB_USER: state.postgres.user,
				DB_POSTGRESDB_PASSWORD: '',
				N8N_DEFAULT_BINARY_DATA_MODE: 'database',
				EXECUTIONS_DATA_SAVE_ON_PROGRESS: 'true',
				N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
				...LOCKS,
				...extra,
			},
		});
	const mainOk = await checks.run('n8n main: `n8n start` in queue mode (PostgreSQL, Redis, binary data in the database)', async () => {
		state.main = await startN8n(runtime, ctx.queueEnv('main', users.main, mainBroker), { logFile: join(dirs.logs, 'main.out'), timeoutMs: 240000 });
		return { detail: state.main.base };
	});
	phase('n8n main start (migrations)');
	if (!mainOk) return;
	const base = state.main.base;

	const cookie = await setupOwnerAndLogin(base, OWNER);
	ctx.api = async (method, path, body) => {
		const response = await fetch(`${base}/rest${path}`, {
			method,
			headers: { cookie, 'content-type': 'application/json', 'browser-id': 'e2e-queue' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`${method} /rest${path} answered ${response.status}: ${text.slice(0, 400)}`);
		return text ? JSON.parse(text).data : undefined;
	};
	const flatted = createRequire(join(runtime.n8nDir, 'node_modules', 'n8n', 'package.json'))('flatted');
	ctx.execution = async (id) => {
		const data = await ctx.api('GET', `/executions/${id}`);
		return { ...data, data: typeof data.data === 'string' ? flatted.parse(data.data) : data.data };
	};

	const setupOk = await checks.run('n8n main: node loaded; credentials, Data Table and webhook workflows created and published (REST API)', async () => {
		const types = await (await fetch(`${base}/types/nodes.json`, { headers: { cookie } })).json();
		expect(types.some((type) => type.name === NODE_TYPE), `${NODE_TYPE} is not among the node types main serves`);
		const credential = await createCredential('GreenNode OCR (emulator)', emulators.emulator);
		const slowCredential = await createCredential('GreenNode OCR (emulator, 8 s per job)', emulators['emulator-slow']);
		const project = await ctx.api('GET', '/projects/personal');
		const dataTable = await ctx.api('POST', `/projects/${project.id}/data-tables`, {
			name: 'greennode_requests',
			columns: DATA_TABLE_COLUMNS.map((name) => ({ name, type: 'string' })),
		});
		ctx.workflows = {};
		for (const [kind, definition] of Object.entries({
			plain: ocrWorkflow({ credential, name: 'GreenNode OCR in queue mode', path: WEBHOOK_PATH }),
			crashPlain: ocrWorkflow({ credential: slowCredential, name: 'GreenNode OCR in queue mode (8 s jobs)', path: `${WEBHOOK_PATH}-slow` }),
			crashOnce: ocrWorkflow({
				credential: slowCredential,
				name: 'GreenNode OCR in queue mode (8 s jobs), submitted once per document key',
				path: `${WEBHOOK_PATH}-slow-once`,
				dataTableId: dataTable.id,
			}),
		})) {
			const created = await ctx.api('POST', '/workflows', definition);
			await ctx.api('POST', `/workflows/${created.id}/activate`, { versionId: created.versionId });
			ctx.workflows[kind] = { ...created, url: `${base}/webhook/${definition.nodes[0].parameters.path}` };
		}
		return { detail: `Webhook → Submit (Wait for Result off) → Get Result (wait, poll ${POLL_INTERVAL_S} s) → Get Table (rows) → Respond; the same on the 8 s emulator, with and without the Data Table (${dataTable.id})` };
	});
	if (!setupOk) return;

	const workerAOk = await checks.run(`worker-a: \`n8n worker --concurrency=${WORKER_CONCURRENCY}\``, async () => {
		await startWorker('worker-a');
	});
	phase('worker-a start');
	if (!workerAOk) return;

	// 3. One worker, then two
	const throughput = {};
	const one = await runBatch('1 worker', 'one', throughput);
	phase(`${DOCS} executions, 1 worker`);
	if (!one.answers.some((answer) => answer.status === 200)) {
		checks.record('later phases', false, 'skipped: no execution of the first batch succeeded');
		return;
	}
	const workerBOk = await checks.run(`worker-b: \`n8n worker --concurrency=${WORKER_CONCURRENCY}\``, async () => {
		await startWorker('worker-b');
	});
	phase('worker-b start');
	if (!workerBOk) return;
	await runBatch('2 workers', 'two', throughput);
	phase(`${DOCS} executions, 2 workers`);

	throughput.ratio = throughput['2 workers'].rate / throughput['1 worker'].rate;
	await checks.run('throughput: two workers at least 1.7 × one worker', async () => {
		const load = loadavg().map((value) => value.toFixed(1)).join(' ');
		const text = `1 worker ${throughput['1 worker'].rate.toFixed(2)}/s, 2 workers ${throughput['2 workers'].rate.toFixed(2)}/s, ratio ${throughput.ratio.toFixed(2)} (worker --concurrency ${WORKER_CONCURRENCY}, node Concurrency ${NODE_CONCURRENCY}, ${PROCESSING_MS / 1000} s per job; ${cpus().length} CPUs, load average ${load})`;
		if (DOCS < 50) return { detail: `${text}; not asserted with fewer than 50 documents` };
		expect(throughput.ratio >= 1.7, text);
		return { detail: text };
	});
	writeFileSync(join(dirs.logs, 'throughput.json'), JSON.stringify(throughput, null, 2));
	if (process.env.E2E_QUEUE_BENCH === '1') appendBenchmark(throughput, runtime);

	// 4. Kill a worker while it waits in Get Result
	await crashAndRecover();
	phase('worker kill, retry, recovery');
	timings.push(['total', (Date.now() - started) / 1000]);
}

async function createCredential(name, emulator) {
	return await ctx.api('POST', '/credentials', {
		name,
		type: 'greenNodeOcrApi',
		data: { apiKey: emulator.apiKey, portalUserId: emulator.portalUserId, baseUrl: emulator.url },
	});
}

// `2026-01-01T00:00:00.000Z POST /v1/…/ocr/ingest 201 file="a.pdf" size=123 sha256=… request_id=…`
const EMULATOR_LINE = /^(\S+Z) ([A-Z]+) (\S+) (\d+|no response)(?: \(injected \w+\))?(?: file=("(?:[^"\\]|\\.)*") size=(\d+) sha256=([0-9a-f]+))?(?: request_id=(\S+))?$/;

/** The requests an emulator answered, from the lines its CLI writes to stderr. */
function parseEmulatorLog(logFile) {
	if (!existsSync(logFile)) return [];
	const records = [];
	for (const line of readFileSync(logFile, 'utf8').split('\n')) {
		const match = EMULATOR_LINE.exec(line);
		if (!match) continue;
		const [, at, method, path, status, fileName, size, sha256, requestId] = match;
		const record = { at: Date.parse(at), method, path, status: status === 'no response' ? 0 : Number(status) };
		if (fileName) record.file = { fileName: JSON.parse(fileName), size: Number(size), sha256 };
		if (requestId) record.requestId = requestId;
		records.push(record);
	}
	return records;
}

const isSubmission = (record) => record.method === 'POST' && /\/ocr\/ingest$/.test(record.path);
const isPollOf = (requestId) => (record) => record.method === 'GET' && record.path.endsWith(`/ocr/ingest/${requestId}`);

async function startWorker(name) {
	const [brokerPort, healthPort] = ctx.ports[name];
	const env = ctx.queueEnv(name, ctx.users[name], brokerPort, {
		QUEUE_HEALTH_CHECK_ACTIVE: 'true',
		QUEUE_HEALTH_CHECK_PORT: String(healthPort),
		N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
	});
	const service = startService(name, ctx.runtime.node, [ctx.runtime.n8nMain, 'worker', `--concurrency=${WORKER_CONCURRENCY}`], {
		env,
		cwd: ctx.users[name],
		logFile: join(ctx.dirs.logs, `${name}.out`),
	});
	state.workers[name] = { name, service, logFile: env.N8N_LOG_FILE_LOCATION };
	await waitFor(`${name} to be ready`, async () => (await fetch(`http://127.0.0.1:${healthPort}/healthz/readiness`)).ok, {
		timeoutMs: 180000,
		intervalMs: 500,
		service,
	});
	return state.workers[name];
}

/** The execution ids a worker's log says it started ("Worker started execution <id> (job <n>)"). */
function startedBy(worker) {
	const ids = new Set();
	if (!existsSync(worker.logFile)) return ids;
	for (const match of readFileSync(worker.logFile, 'utf8').matchAll(/Worker started execution (\d+) \(job/g)) ids.add(match[1]);
	return ids;
}

/** A multipart upload of `doc` to a webhook: file field `data`, fields `docType` and `documentKey`. */
async function post(url, doc, timeoutMs = 180000) {
	const form = new FormData();
	form.append('data', new Blob([doc.bytes], { type: 'application/pdf' }), doc.name);
	form.append('docType', doc.docType);
	form.append('documentKey', doc.id);
	let response;
	try {
		response = await fetch(url, { method: 'POST', body: form, signal: AbortSignal.timeout(timeoutMs) });
	} catch (error) {
		return { status: 0, body: error.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : error.message };
	}
	const text = await response.text();
	let body;
	try {
		body = JSON.parse(text);
	} catch {
		body = text;
	}
	return { status: response.status, body };
}

async function runBatch(label, prefix, throughput) {
	const workers = Object.values(state.workers);
	const docs = makeDocuments(prefix, DOCS);
	const before = ctx.records().length;
	const batchStartedAt = Date.now() - 1000;
	const begun = performance.now();
	const answers = await Promise.all(docs.map((doc) => post(ctx.workflows.plain.url, doc).catch((error) => ({ status: 0, body: error.message }))));
	const seconds = (performance.now() - begun) / 1000;
	const rate = DOCS / seconds;
	throughput[label] = { workers: workers.length, seconds, rate, load: loadavg()[0] };

	await checks.run(`${label}: ${DOCS} uploads answered 200, each with the result of its own document`, async () => {
		const wrong = [];
		answers.forEach((answer, index) => {
			const doc = docs[index];
			const body = answer.body;
			if (answer.status !== 200) wrong.push(`${doc.name}: HTTP ${answer.status} ${JSON.stringify(body).slice(0, 160)}`);
			else if (body.upload !== doc.id) wrong.push(`${doc.name}: the answer is for upload ${body.upload}`);
			else if (body.status !== 'COMPLETED' || body.document_type !== doc.docType) wrong.push(`${doc.name}: ${body.status} ${body.document_type}, sent ${doc.docType}`);
			else if (doc.tables ? body.table_rows === 0 : body.table_rows !== 0) wrong.push(`${doc.name}: ${body.table_rows} table rows`);
		});
		const byStatus = {};
		for (const { status } of answers) {
			const key = status === 0 ? 'no answer' : `HTTP ${status}`;
			byStatus[key] = (byStatus[key] ?? 0) + 1;
		}
		const counts = Object.entries(byStatus)
			.map(([status, count]) => `${status} ×${count}`)
			.join(', ');
		expect(wrong.length === 0, `${wrong.length} of ${DOCS} wrong (${counts}): ${wrong.slice(0, 4).join('; ')}`);
		return { detail: `all ${DOCS} in ${seconds.toFixed(1)} s = ${rate.toFixed(2)} executions/s` };
	});

	const batchRecords = ctx.records().slice(before);
	await checks.run(`${label}: the emulator saw exactly ${DOCS} submissions, each answer's request_id from its own file (sha256)`, async () => {
		const submissions = batchRecords.filter(isSubmission);
		expect(submissions.length === DOCS, `${submissions.length} submissions for ${DOCS} documents`);
		const byRequest = new Map(submissions.map((record) => [record.requestId, record]));
		const problems = [];
		answers.forEach((answer, index) => {
			const doc = docs[index];
			const record = byRequest.get(answer.body?.request_id);
			if (!record) problems.push(`${doc.name}: request_id ${answer.body?.request_id} was not submitted in this batch`);
			else if (record.file?.sha256 !== doc.sha256 || record.file?.fileName !== doc.name) problems.push(`${doc.name}: its request_id belongs to ${record.file?.fileName}`);
		});
		const names = new Set(submissions.map((record) => record.file?.fileName));
		expect(names.size === DOCS, `${names.size} distinct files among ${DOCS} submissions`);
		expect(problems.length === 0, problems.slice(0, 4).join('; '));
		const polls = batchRecords.filter((record) => record.method === 'GET' && /\/ocr\/ingest\/[^/]+$/.test(record.path)).length;
		return { detail: `${DOCS} submissions of ${DOCS} distinct files, ${polls} result polls, ${batchRecords.length - DOCS - polls} table requests` };
	});

	let ids = [];
	await checks.run(`${label}: every execution succeeded (REST API and executions table)`, async () => {
		ids = answers.map((answer) => String(answer.body?.execution ?? '')).filter(Boolean);
		if (new Set(ids).size !== DOCS) {
			// Say what n8n recorded for the executions that did not answer.
			const listed = [...(await listExecutions(ctx.workflows.plain.id, [])).values()].filter((entry) => new Date(entry.startedAt ?? entry.createdAt).getTime() >= batchStartedAt);
			const counts = {};
			for (const entry of listed) counts[entry.status] = (counts[entry.status] ?? 0) + 1;
			const failed = listed.find((entry) => entry.status === 'error');
			const error = failed ? (await ctx.execution(failed.id)).data?.resultData?.error : undefined;
			expect(false, `${new Set(ids).size} of ${DOCS} answers name their execution; n8n lists ${JSON.stringify(counts)}${error ? `; execution ${failed.id}: ${error.message}` : ''}`);
		}
		// The answer leaves with Respond, just before the worker stores the finished execution.
		await waitFor(
			'the executions to be stored as finished',
			async () => (await state.postgres.psql(`select count(*) from execution_entity where id in (${ids.join(',')}) and status in ('new', 'running')`)) === '0',
			{ timeoutMs: 30000, intervalMs: 250 },
		);
		const byId = await listExecutions(ctx.workflows.plain.id, ids);
		const notOk = ids.filter((id) => byId.get(id)?.status !== 'success');
		expect(notOk.length === 0, `${notOk.length} not successful: ${notOk.slice(0, 5).map((id) => `${id} ${byId.get(id)?.status}`).join(', ')}`);
		const table = await state.postgres.psql(`select status, count(*) from execution_entity where id in (${ids.join(',')}) group by status`);
		expect(table === `success|${DOCS}`, `executions table: ${table.replace(/\n/g, ', ')}`);
		return { detail: `REST: ${DOCS} × success; executions table: ${table}` };
	});

	const perWorker = Object.fromEntries(workers.map((worker) => [worker.name, ids.filter((id) => startedBy(worker).has(id)).length]));
	throughput[label].perWorker = perWorker;
	await checks.run(`${label}: executions per worker (each worker's log: "Worker started execution <id>")`, async () => {
		const total = Object.values(perWorker).reduce((a, b) => a + b, 0);
		const text = Object.entries(perWorker)
			.map(([name, count]) => `${name} ${count}`)
			.join(', ');
		expect(total === DOCS, `${text}: ${total} of ${DOCS} executions found in the worker logs`);
		const idle = Object.entries(perWorker).filter(([, count]) => count === 0);
		expect(idle.length === 0, `${idle.map(([name]) => name).join(', ')} ran no execution (${text})`);
		return { detail: text };
	});
	return { docs, answers, ids };
}

/** The executions of a workflow as GET /rest/executions lists them (pages of 100), until `ids` are all seen. */
async function listExecutions(workflowId, ids) {
	const byId = new Map();
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	let lastId;
	for (;;) {
		const page = await ctx.api('GET', `/executions?filter=${filter}&limit=100${lastId ? `&lastId=${lastId}` : ''}`);
		for (const entry of page.results) byId.set(String(entry.id), entry);
		if (page.results.length < 100 || ids.every((id) => byId.has(id))) return byId;
		lastId = Math.min(...page.results.map((entry) => Number(entry.id)));
	}
}

/** POST /rest/executions/:id/retry {loadWorkflow:false} (the editor's Retry), then the retried execution once it is final. */
async function retry(executionId) {
	const retried = await ctx.api('POST', `/executions/${executionId}/retry`, { loadWorkflow: false });
	const retriedId = String(retried?.id ?? '');
	if (!retriedId) throw new Error(`the retry answered ${JSON.stringify(retried).slice(0, 300)}`);
	const after = await waitFor(
		'the retried execution to finish',
		async () => {
			const value = await ctx.execution(retriedId);
			return ['running', 'new', 'waiting'].includes(value.status) ? undefined : value;
		},
		{ timeoutMs: 90000, intervalMs: 500 },
	);
	return { retriedId, after };
}

function crashDocument(id) {
	const bytes = samplePdf(`CRASH TEST ${id} ${randomUUID()}`);
	return { id, name: `${id}-slow-invoice.pdf`, bytes, sha256: sha256(bytes), docType: 'INVOICE', tables: true };
}

async function crashAndRecover() {
	// The workflows on the 8 s emulator, without and with the Data Table.
	const flows = { plain: ctx.workflows.crashPlain, once: ctx.workflows.crashOnce };
	// Only worker-a runs, so that both documents are on the worker that is killed.
	await stopGroup(state.workers['worker-b']?.service, 'SIGTERM', 20000);
	delete state.workers['worker-b'];
	const plainDoc = crashDocument('crash-plain');
	const onceDoc = crashDocument('crash-once');
	const answers = {};
	const pending = (kind, doc) =>
		post(flows[kind].url, doc, 400000).then(
			(answer) => (answers[kind] = { ...answer, at: Date.now() }),
			(error) => (answers[kind] = { status: 0, body: error.message, at: Date.now() }),
		);
	void pending('plain', plainDoc);
	void pending('once', onceDoc);

	const victim = state.workers['worker-a'];
	const crashed = {};
	const killed = await checks.run('crash: worker-a killed (SIGKILL) while both executions wait in Get Result', async () => {
		for (const [kind, doc] of [
			['plain', plainDoc],
			['once', onceDoc],
		]) {
			const submission = await waitFor(`${doc.name} to be submitted`, () => ctx.submissionsOf(doc.name)[0], { timeoutMs: 60000 });
			const requestId = submission.requestId;
			await waitFor(`Get Result to poll ${requestId}`, () => ctx.records('emulator-slow').find(isPollOf(requestId)), { timeoutMs: 30000 });
			const executionId = await waitFor(
				`the execution holding ${requestId} in its saved progress`,
				async () =>
					(await state.postgres.psql(
						`select e.id from execution_entity e join execution_data d on d."executionId" = e.id where e.status = 'running' and e."workflowId" = '${flows[kind].id}' and position('${requestId}' in d.data) > 0`,
					)) || undefined,
				{ timeoutMs: 30000, intervalMs: 200 },
			);
			expect(startedBy(victim).has(executionId), `execution ${executionId} is not on ${victim.name}`);
			crashed[kind] = { doc, requestId, executionId };
		}
		process.kill(-victim.service.pid, 'SIGKILL');
		await victim.service.exited;
		delete state.workers[victim.name];
		return {
			detail: `executions ${crashed.plain.executionId} (workflow without Data Table) and ${crashed.once.executionId} (with Data Table) on worker-a; their request_ids were saved with the progress after Submit, and polled`,
		};
	});
	if (!killed) return;
	const killedAt = Date.now();
	const since = () => `${((Date.now() - killedAt) / 1000).toFixed(1)} s`;

	// A supervisor starts the worker again: the same process on the same folder (worker-a), or a
	// fresh one elsewhere (E2E_QUEUE_REPLACEMENT=worker-b).
	await checks.run(`crash: ${REPLACEMENT} started ${REPLACEMENT === 'worker-a' ? 'again on the same user folder (as a supervisor restarts it)' : 'in its own folder (a replacement on another machine)'}`, async () => {
		await startWorker(REPLACEMENT);
		return { detail: `ready ${since()} after the kill` };
	});

	// What n8n does by itself, watched until both executions are final and n8n has nothing left
	// to do with them (lock expiry, stalled-job check, its 30 s grace). The first time the
	// execution of the workflow without Data Table shows `crashed` (or anything final), it is
	// retried at once, as an operator who watches the list would.
	const timeline = [];
	let last = '';
	const lockMs = Number(LOCKS.QUEUE_WORKER_LOCK_DURATION ?? 60000);
	const stalledMs = Number(LOCKS.QUEUE_WORKER_STALLED_INTERVAL ?? 30000);
	const quietUntil = killedAt + lockMs + stalledMs + 30000 + 10000;
	const ids = `${crashed.plain.executionId}, ${crashed.once.executionId}`;
	const kept = new Map();
	let statuses = [];
	let early;
	while (Date.now() < quietUntil + 60000) {
		const rows = await state.postgres.psql(
			`select e.id, e.status, position('${crashed.plain.requestId}' in d.data) > 0 or position('${crashed.once.requestId}' in d.data) > 0 from execution_entity e join execution_data d on d."executionId" = e.id where e.id in (${ids}) order by e.id`,
		);
		statuses = rows.split('\n').map((row) => row.split('|'));
		for (const [id, , hasRequestId] of statuses) kept.set(id, hasRequestId === 't');
		const now = statuses.map(([id, status, hasRequestId]) => `${id} ${status}${hasRequestId === 't' ? '' : ' (request_id no longer in its data)'}`).join(', ');
		if (now !== last) {
			timeline.push(`${since()}: ${now}`);
			last = now;
		}
		const plainStatus = statuses.find(([id]) => id === crashed.plain.executionId)?.[1];
		if (!early && plainStatus && !['running', 'new', 'unknown'].includes(plainStatus)) {
			early = { at: since(), status: plainStatus, withProgress: kept.get(crashed.plain.executionId), outcome: retry(crashed.plain.executionId).catch((error) => ({ error })) };
			timeline.push(`${since()}: Retry of ${crashed.plain.executionId} (${plainStatus}, request_id ${early.withProgress ? 'in' : 'not in'} its saved data)`);
		}
		const final = statuses.every(([, status]) => !['running', 'new', 'unknown'].includes(status));
		if ((final && Date.now() > quietUntil) || statuses.every(([, status]) => status === 'error')) break;
		await sleep(500);
	}
	const onceNow = await ctx.execution(crashed.once.executionId);
	const runData = onceNow.data?.resultData?.runData ?? {};
	timeline.push(
		`execution ${crashed.once.executionId} then: ${onceNow.status}; nodes with run data [${Object.keys(runData).join(', ')}]; next on the stack [${(onceNow.data?.executionData?.nodeExecutionStack ?? []).map((entry) => entry.node.name).join(', ')}]; error "${onceNow.data?.resultData?.error?.message ?? ''}"`,
	);
	for (const kind of ['plain', 'once']) {
		const answer = answers[kind];
		timeline.push(`webhook caller of ${crashed[kind].executionId}: ${answer ? `HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 80)} ${((answer.at - killedAt) / 1000).toFixed(1)} s after the kill` : 'no answer yet'}`);
	}
	const settled = statuses.every(([, status]) => !['running', 'new', 'unknown'].includes(status));
	checks.record('crash: what n8n 2.41 does with the executions of the killed worker', settled, timeline.join('\n'));
	if (!settled || !early) return;

	// The editor's Retry (POST /rest/executions/:id/retry {loadWorkflow:false}), early and late.
	const describe = (outcome, requestId) => {
		const { retriedId, after } = outcome;
		const ran = Object.keys(after.data?.resultData?.runData ?? {});
		const resultOut = after.data?.resultData?.runData?.['Get Result']?.at(-1)?.data?.main?.[0]?.[0]?.json;
		const submitRun = after.data?.resultData?.runData?.Submit?.[0];
		const resumed = after.status === 'success' && resultOut?.request_id === requestId && submitRun?.startTime < killedAt;
		const text = `retry ${retriedId} (retryOf ${after.retryOf}): ${after.status}, nodes with run data [${ran.join(', ')}]${after.data?.resultData?.error ? `, error "${after.data.resultData.error.message.slice(0, 60)}…"` : ''}`;
		return { resumed, text };
	};
	await checks.run(`crash: Retry as soon as n8n shows the execution ${early.status} (${early.at} after the kill) resumes at Get Result, no second submission`, async () => {
		const outcome = await early.outcome;
		if (outcome.error) throw outcome.error;
		const { resumed, text } = describe(outcome, crashed.plain.requestId);
		const submissions = ctx.submissionsOf(plainDoc.name).length;
		const facts = `${text}; submissions of the document: ${submissions}`;
		expect(submissions === 1, `the document was submitted ${submissions} times — ${facts}`);
		if (early.withProgress) expect(resumed, `the retry started from saved progress with the request_id, but did not finish from it — ${facts}`);
		return { detail: `${facts} → ${resumed ? 'resumed at Get Result with the request_id saved after Submit (Submit output taken from before the kill)' : 'n8n had already replaced the saved progress: nothing to resume'}` };
	});
	await checks.run(`crash: Retry after n8n failed the stalled job submits nothing again`, async () => {
		const { resumed, text } = describe(await retry(crashed.once.executionId), crashed.once.requestId);
		const submissions = ctx.submissionsOf(onceDoc.name).length;
		const facts = `${text}; submissions of the document: ${submissions}`;
		expect(submissions === 1, `the document was submitted ${submissions} times — ${facts}`);
		return { detail: `${facts} → ${resumed ? 'resumed at Get Result' : 'nothing left to resume: the saved progress was replaced'}` };
	});

	// The recipe: the caller posts the document again; the request_id saved in the Data Table is used.
	await checks.run('crash recipe: the caller posts the document again → Get Result on the request_id kept in the Data Table, no second submission', async () => {
		const kind = RESUBMIT ? 'plain' : 'once';
		const answer = await post(flows[kind].url, onceDoc);
		const submissions = ctx.submissionsOf(onceDoc.name).length;
		const body = answer.body ?? {};
		const facts = `HTTP ${answer.status}, request_id ${body.request_id}, Submit ran: ${body.submitted_here}, ${body.status}, ${body.table_rows} table rows; submissions of the document: ${submissions}`;
		expect(answer.status === 200 && body.status === 'COMPLETED', facts);
		expect(submissions === 1, `the document was submitted ${submissions} times — ${facts}`);
		expect(body.request_id === crashed.once.requestId && body.submitted_here === false, facts);
		return { detail: `execution ${body.execution}: ${facts}` };
	});
}

const BENCH_HEADING = '## Queue mode: one and two n8n workers';
const BENCH_TABLE_HEAD = [
	'| Date | n8n | Documents | Worker `--concurrency` | Node Concurrency | 1 worker | exec/s | 2 workers | exec/s | Ratio | Executions per worker (2 workers) | Load average (1 min) after each batch, CPUs |',
	'|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
];

/** Adds a row to the queue-mode table of BENCHMARKS.md (the section is created when missing). */
function appendBenchmark(throughput, runtime) {
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

let exitCode = 1;
onShutdown(async () => {
	await cleanup();
	await stopAll();
});
try {
	await main();
} catch (error) {
	checks.record('e2e-queue run', false, error?.stack ?? String(error));
} finally {
	await cleanup();
	await stopAll();
	if (timings.length) log(`\nTimings: ${timings.map(([name, seconds]) => `${name} ${seconds.toFixed(1)} s`).join(' | ')}`);
	log(`Logs: ${WORK.replace(`${ROOT}/`, '')}/logs (main.log, worker-a.log, worker-b.log, emulator.log, emulator-slow.log)`);
	if (checks.failed === 0 && checks.passed === 0) checks.record('e2e-queue run', false, 'no check ran');
	log(checks.summary('e2e-queue'));
	exitCode = checks.failed > 0 ? 1 : 0;
}
process.exit(exitCode);
