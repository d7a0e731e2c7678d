// n8n in queue mode for the e2e suite: Redis and a throwaway PostgreSQL, the package installed into
// the user folder of main and of each worker, `n8n start` (main) and `n8n worker` processes with one
// environment, main's REST API, and stopping all of it again.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { buildAndPack, installCommunityPackage, n8nEnv, PACKAGE, setupOwnerAndLogin, startN8n } from './n8n.mjs';
import { freePorts, killGroup, startService, waitFor } from './proc.mjs';
import { LOCKS, shown, SKIP_BUILD, SKIP_WORKER_INSTALL, WORKER_CONCURRENCY, WORKERS } from './queue-config.mjs';
import { ensureServicePackages, startPostgres, startRedis, stopGroup, stopPostgres } from './services.mjs';

export class QueueCluster {
	/** `dirs`: the suite's folders (logs, pack, files, redis, users). */
	constructor({ runtime, dirs, commandsLog }) {
		this.runtime = runtime;
		this.dirs = dirs;
		this.commandsLog = commandsLog;
		this.users = Object.fromEntries(['main', ...WORKERS].map((name) => [name, join(dirs.users, name)]));
		this.services = []; // the emulators
		this.workers = {};
	}

	/** A process to stop with the cluster (after n8n, before PostgreSQL and Redis). */
	track(service) {
		this.services.push(service);
	}

	/** Stops n8n (main and workers together), then the tracked processes newest first, PostgreSQL and Redis. */
	async stop() {
		const n8nProcesses = [...Object.values(this.workers).map((worker) => worker.service), this.main?.service].filter(Boolean);
		await Promise.all(n8nProcesses.map((service) => stopGroup(service, 'SIGTERM', 15000)));
		for (const service of this.services.reverse()) await stopGroup(service, 'SIGTERM', 5000);
		this.services = [];
		await stopPostgres(this.postgres);
		this.postgres = undefined;
		await stopGroup(this.redis?.service, 'SIGTERM', 5000);
		this.redis = undefined;
	}

	checkServices(checks) {
		return checks.run('services: Redis and PostgreSQL (Debian packages) on loopback', async () => {
			const installed = await ensureServicePackages({ logFile: this.commandsLog });
			this.redis = await startRedis({ dir: this.dirs.redis, logFile: join(this.dirs.logs, 'redis.log') });
			this.postgres = await startPostgres({ logFile: join(this.dirs.logs, 'postgres.log') });
			const version = await this.postgres.psql('show server_version');
			return {
				detail: `redis-server 127.0.0.1:${this.redis.port}, postgres ${version.split(' ')[0]} 127.0.0.1:${this.postgres.port} (throwaway cluster in ${this.postgres.dataDir})${installed.length ? `; apt-get installed ${installed.join(', ')}` : ''}`,
			};
		});
	}

	/** One SQL statement on n8n's database; its rows as psql prints them unaligned. */
	sql(statement) {
		return this.postgres.psql(statement);
	}

	/** npm pack, and the tarball installed for main and both workers (main only with E2E_QUEUE_SKIP_WORKER_INSTALL=1). */
	checkPackage(checks) {
		const { users } = this;
		return checks.run(`package: npm pack, the tarball installed for main${SKIP_WORKER_INSTALL ? ' only' : ' and both workers'}`, async () => {
			const packed = await buildAndPack(this.dirs.pack, { skipBuild: SKIP_BUILD, logFile: this.commandsLog });
			const targets = SKIP_WORKER_INSTALL ? ['main'] : Object.keys(users);
			for (const name of Object.keys(users)) mkdirSync(users[name], { recursive: true });
			await Promise.all(targets.map((name) => installCommunityPackage(users[name], packed.tarball, { logFile: this.commandsLog })));
			const versions = targets.map((name) => {
				const file = join(users[name], '.n8n', 'nodes', 'node_modules', PACKAGE.name, 'package.json');
				return `${name} ${JSON.parse(readFileSync(file, 'utf8')).version}`;
			});
			return { detail: `${shown(packed.tarball)} → ${versions.join(', ')}${SKIP_WORKER_INSTALL ? '; workers: NOT installed' : ''}` };
		});
	}

	/** The environment of an n8n process of the cluster: queue mode on Redis, PostgreSQL, binary data in the database. */
	env(name, brokerPort, extra = {}) {
		return n8nEnv({
			userFolder: this.users[name],
			filesDir: this.dirs.files,
			port: this.mainPort,
			brokerPort,
			logFile: join(this.dirs.logs, `${name}.log`),
			nodeBinDir: dirname(this.runtime.node),
			extra: {
				EXECUTIONS_MODE: 'queue',
				QUEUE_BULL_REDIS_HOST: '127.0.0.1',
				QUEUE_BULL_REDIS_PORT: String(this.redis.port),
				DB_TYPE: 'postgresdb',
				DB_POSTGRESDB_HOST: '127.0.0.1',
				DB_POSTGRESDB_PORT: String(this.postgres.port),
				DB_POSTGRESDB_DATABASE: this.postgres.database,
				DB_POSTGRESDB_USER: this.postgres.user,
				DB_POSTGRESDB_PASSWORD: '',
				N8N_DEFAULT_BINARY_DATA_MODE: 'database',
				EXECUTIONS_DATA_SAVE_ON_PROGRESS: 'true',
				N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
				...LOCKS,
				...extra,
			},
		});
	}

	/** Free ports for main and each worker (task broker and health check), then `n8n start`. */
	async checkMain(checks) {
		const [mainPort, mainBroker, ...workerPorts] = await freePorts(2 + 2 * WORKERS.length);
		this.mainPort = mainPort;
		this.ports = Object.fromEntries(WORKERS.map((name, index) => [name, workerPorts.slice(2 * index, 2 * index + 2)]));
		return checks.run('n8n main: `n8n start` in queue mode (PostgreSQL, Redis, binary data in the database)', async () => {
			this.main = await startN8n(this.runtime, this.env('main', mainBroker), { logFile: join(this.dirs.logs, 'main.out'), timeoutMs: 240000 });
			return { detail: this.main.base };
		});
	}

	/** Creates the owner and signs in; main's REST API is then open to `api()` and `execution()`. */
	async login(owner) {
		this.cookie = await setupOwnerAndLogin(this.main.base, owner);
		this.flatted = createRequire(join(this.runtime.n8nDir, 'node_modules', 'n8n', 'package.json'))('flatted');
	}

	/** A request to main's REST API (/rest…) as the owner; the `data` of its answer. */
	async api(method, path, body) {
		const response = await fetch(`${this.main.base}/rest${path}`, {
			method,
			headers: { cookie: this.cookie, 'content-type': 'application/json', 'browser-id': 'e2e-queue' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`${method} /rest${path} answered ${response.status}: ${text.slice(0, 400)}`);
		return text ? JSON.parse(text).data : undefined;
	}

	/** GET /rest/executions/:id with its data unflattened. */
	async execution(id) {
		const data = await this.api('GET', `/executions/${id}`);
		return { ...data, data: typeof data.data === 'string' ? this.flatted.parse(data.data) : data.data };
	}

	/** The executions of a workflow as GET /rest/executions lists them (pages of 100), until `ids` are all seen. */
	async listExecutions(workflowId, ids) {
		const byId = new Map();
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		let lastId;
		for (;;) {
			const page = await this.api('GET', `/executions?filter=${filter}&limit=100${lastId ? `&lastId=${lastId}` : ''}`);
			for (const entry of page.results) byId.set(String(entry.id), entry);
			if (page.results.length < 100 || ids.every((id) => byId.has(id))) return byId;
			lastId = Math.min(...page.results.map((entry) => Number(entry.id)));
		}
	}

	checkWorker(checks, name) {
		return checks.run(`${name}: \`n8n worker --concurrency=${WORKER_CONCURRENCY}\``, async () => {
			await this.startWorker(name);
		});
	}

	/** `n8n worker` on its own user folder, ready once its health check answers. */
	async startWorker(name) {
		const [brokerPort, healthPort] = this.ports[name];
		const env = this.env(name, brokerPort, {
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			QUEUE_HEALTH_CHECK_PORT: String(healthPort),
			N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
		});
		const service = startService(name, this.runtime.node, [this.runtime.n8nMain, 'worker', `--concurrency=${WORKER_CONCURRENCY}`], {
			env,
			cwd: this.users[name],
			logFile: join(this.dirs.logs, `${name}.out`),
		});
		this.workers[name] = { name, service, logFile: env.N8N_LOG_FILE_LOCATION };
		await waitFor(`${name} to be ready`, async () => (await fetch(`http://127.0.0.1:${healthPort}/healthz/readiness`)).ok, {
			timeoutMs: 180000,
			intervalMs: 500,
			service,
		});
		return this.workers[name];
	}

	/** Stops a worker the way a shutdown does (SIGTERM, SIGKILL after `graceMs`). */
	async stopWorker(name, graceMs) {
		await stopGroup(this.workers[name]?.service, 'SIGTERM', graceMs);
		delete this.workers[name];
	}

	/** Kills a worker (SIGKILL to its process group) and waits until it is gone. */
	async killWorker(name) {
		const { service } = this.workers[name];
		killGroup(service.pid, 'SIGKILL');
		await service.exited;
		delete this.workers[name];
	}

	/** The execution ids a worker's log says it started ("Worker started execution <id> (job <n>)"). */
	startedBy(worker) {
		const ids = new Set();
		if (!existsSync(worker.logFile)) return ids;
		for (const match of readFileSync(worker.logFile, 'utf8').matchAll(/Worker started execution (\d+) \(job/g)) ids.add(match[1]);
		return ids;
	}
}
