// Helpers to run the real n8n app offline with this package installed as a community package.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { log, run, startService, waitFor } from './proc.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
export const NODE_TYPE = `${PACKAGE.name}.greenNodeOcr`;

export const CREDENTIAL_ID = 'GnOcrEmulator001';
export const CREDENTIAL_NAME = 'GreenNode OCR (emulator)';
export const EXAMPLES_DIR = join(ROOT, 'examples');
const EXAMPLE_FOLDER = '/home/node/.n8n-files';

/**
 * The environment n8n runs with: its own user folder and SQLite database, loopback only, no
 * telemetry, version checks, templates or banners, and Read/Write Files allowed in `filesDir`.
 */
export function n8nEnv({ userFolder, filesDir, port, brokerPort, logFile, nodeBinDir, extra = {} }) {
	const env = {
		PATH: `${nodeBinDir}:${process.env.PATH}`,
		HOME: process.env.HOME,
		LANG: process.env.LANG ?? 'C.UTF-8',
		TZ: 'UTC',
		GENERIC_TIMEZONE: 'UTC',
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: 'greennode-ocr-local-test-encryption-key',
		DB_TYPE: 'sqlite',
		N8N_PORT: String(port),
		N8N_HOST: '127.0.0.1',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}`,
		WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_SECURE_COOKIE: 'false',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_RUNNERS_MODE: 'internal',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_DIAGNOSTICS_CONFIG_FRONTEND: '',
		N8N_DIAGNOSTICS_CONFIG_BACKEND: '',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		N8N_METRICS: 'false',
		// The node's ledger of paid submissions reaches n8n's Data Tables through the public API.
		N8N_PUBLIC_API_DISABLED: 'false',
		N8N_PUBLIC_API_SWAGGERUI_DISABLED: 'true',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		N8N_DISABLED_MODULES: 'mcp-registry',
		N8N_RESTRICT_FILE_ACCESS_TO: filesDir,
		N8N_BLOCK_ENV_ACCESS_IN_NODE: 'true',
		N8N_GIT_NODE_DISABLE_BARE_REPOS: 'true',
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'file',
		N8N_LOG_FILE_LOCATION: logFile,
		NO_COLOR: '1',
		...extra,
	};
	return env;
}

/** `npm run build` (unless skipped) then `npm pack` into `outDir`; returns the tarball path. */
export async function buildAndPack(outDir, { skipBuild = false, logFile } = {}) {
	if (!skipBuild) {
		log('building the package (npm run build)…');
		await run('npm', ['run', 'build'], { cwd: ROOT, logFile, timeoutMs: 5 * 60 * 1000 });
	}
	mkdirSync(outDir, { recursive: true });
	const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', outDir], { cwd: ROOT, logFile });
	const [info] = JSON.parse(stdout.slice(stdout.indexOf('[')));
	return { tarball: join(outDir, info.filename), files: info.files.map((file) => file.path), size: info.size };
}

/**
 * Installs the tarball the way n8n installs a community package: unpacked into
 * `<user folder>/.n8n/nodes/node_modules/<name>`, dev/peer/optional dependencies dropped from
 * its package.json, `npm install` of its own dependencies with scripts off, and the package
 * recorded in `<user folder>/.n8n/nodes/package.json`.
 * `breakWith(packageDir)` may damage the unpacked copy before its dependencies are installed.
 */
export async function installCommunityPackage(userFolder, tarball, { logFile, breakWith } = {}) {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	const packageDir = join(nodesDir, 'node_modules', ...PACKAGE.name.split('/'));
	rmSync(packageDir, { recursive: true, force: true });
	mkdirSync(packageDir, { recursive: true });
	await run('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1'], { logFile });
	const packageJsonPath = join(packageDir, 'package.json');
	const { devDependencies, peerDependencies, optionalDependencies, ...packageJson } = JSON.parse(readFileSync(packageJsonPath, 'utf8'));
	writeFileSync(packageJsonPath, JSON.stringify(packageJson, null, 2));
	if (breakWith) await breakWith(packageDir);
	await run(
		'npm',
		['install', '--audit=false', '--fund=false', '--bin-links=false', '--install-strategy=shallow', '--ignore-scripts=true', '--package-lock=false', '--loglevel=error'],
		{ cwd: packageDir, logFile, timeoutMs: 5 * 60 * 1000 },
	);
	const rootJsonPath = join(nodesDir, 'package.json');
	const rootJson = existsSync(rootJsonPath) ? JSON.parse(readFileSync(rootJsonPath, 'utf8')) : { name: 'installed-nodes', private: true, dependencies: {} };
	rootJson.dependencies = { ...rootJson.dependencies, [PACKAGE.name]: packageJson.version };
	writeFileSync(rootJsonPath, JSON.stringify(rootJson, null, 2));
	return packageDir;
}

/** Runs an n8n CLI command with Node 24; resolves with { code, stdout, stderr }. */
export function n8nCli(runtime, env, args, options = {}) {
	return run(runtime.node, [runtime.n8nMain, ...args], { env, cwd: env.N8N_USER_FOLDER, timeoutMs: 3 * 60 * 1000, ...options });
}

/** Writes the credential for the emulator into `dir` and imports it. */
export async function importEmulatorCredential(runtime, env, dir, emulator, logFile) {
	const file = join(dir, 'credential.json');
	writeFileSync(
		file,
		JSON.stringify(
			[
				{
					id: CREDENTIAL_ID,
					name: CREDENTIAL_NAME,
					type: 'greenNodeOcrApi',
					data: { apiKey: emulator.apiKey, portalUserId: emulator.portalUserId, baseUrl: emulator.url },
				},
			],
			null,
			2,
		),
	);
	await n8nCli(runtime, env, ['import:credentials', `--input=${file}`], { logFile });
}

/** The committed example workflows, parsed, keyed by file name. */
export function readExamples() {
	const examples = {};
	for (const name of readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith('.json')).sort()) {
		examples[name] = JSON.parse(readFileSync(join(EXAMPLES_DIR, name), 'utf8'));
	}
	return examples;
}

/**
 * A copy of an example for this machine: the folder of its Settings node points at
 * `filesDir` (the examples default to /home/node/.n8n-files, n8n's Docker default).
 * Nothing else changes; the credential reference stays as committed.
 */
export function localizeExample(workflow, filesDir) {
	const copy = JSON.parse(JSON.stringify(workflow));
	for (const node of copy.nodes) {
		if (node.type === 'n8n-nodes-base.set' && node.name === 'Settings') {
			for (const assignment of node.parameters.assignments.assignments) {
				if (assignment.name === 'folder' && assignment.value === EXAMPLE_FOLDER) assignment.value = filesDir;
			}
		}
	}
	return copy;
}

/** Imports every example (localized) from `dir`; returns the workflows as imported. */
export async function importExamples(runtime, env, dir, filesDir, logFile) {
	const importDir = join(dir, 'workflows');
	mkdirSync(importDir, { recursive: true });
	const examples = readExamples();
	for (const [name, workflow] of Object.entries(examples)) {
		writeFileSync(join(importDir, name), JSON.stringify(localizeExample(workflow, filesDir), null, 2));
	}
	await n8nCli(runtime, env, ['import:workflow', '--separate', `--input=${importDir}`], { logFile });
	return examples;
}

/**
 * `n8n execute --id <id> --rawOutput`: resolves with { ok, run, code, seconds, logFile }.
 * n8n 2.x prints the execution result through its logger, so the command gets a log file of
 * its own (JSON lines) and `run` is read back from it: n8n's execution result (IRun), also
 * when the execution failed.
 */
export async function executeWorkflow(runtime, env, id, logDir) {
	const started = Date.now();
	const logFile = join(logDir, `execute-${id}.log`);
	rmSync(logFile, { force: true });
	const result = await n8nCli(runtime, { ...env, N8N_LOG_OUTPUT: 'file', N8N_LOG_FILE_LOCATION: logFile }, ['execute', `--id=${id}`, '--rawOutput'], {
		allowFail: true,
		logFile: join(logDir, 'commands.log'),
	});
	let parsed;
	const lines = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n') : [];
	for (const line of lines) {
		if (!line.startsWith('{')) continue;
		let message;
		try {
			message = JSON.parse(line).message;
		} catch {
			continue;
		}
		if (typeof message !== 'string' || !message.startsWith('{')) continue;
		try {
			const value = JSON.parse(message);
			if (value?.data?.resultData) parsed = value;
		} catch {
			// not the execution result
		}
	}
	return {
		ok: result.code === 0 && parsed !== undefined && !parsed.data.resultData.error,
		run: parsed,
		code: result.code,
		output: `${result.stdout}${result.stderr}`,
		errors: n8nLogErrors(logFile),
		logFile,
		seconds: (Date.now() - started) / 1000,
	};
}

/** The distinct first lines of the error-level messages of an n8n JSON-lines log file. */
export function n8nLogErrors(logFile, max = 3) {
	if (!existsSync(logFile)) return [];
	const found = [];
	for (const line of readFileSync(logFile, 'utf8').split('\n')) {
		if (!line.includes('"level":"error"')) continue;
		try {
			const first = String(JSON.parse(line).message ?? '').trim().split('\n')[0];
			if (first && !found.includes(first) && !/See log messages|^Execution error/.test(first)) found.push(first);
		} catch {
			// not a JSON line
		}
	}
	return found.slice(0, max);
}

/** The output items (json) of a node in an execution result, by output index. */
export function nodeOutput(runResult, nodeName, outputIndex = 0) {
	const runs = runResult?.data?.resultData?.runData?.[nodeName];
	if (!runs || runs.length === 0) return undefined;
	const main = runs[runs.length - 1].data?.main ?? [];
	return (main[outputIndex] ?? []).map((item) => item.json);
}

/** The error of a node in an execution result, if it failed. */
export function nodeError(runResult, nodeName) {
	const runs = runResult?.data?.resultData?.runData?.[nodeName];
	return runs?.[runs.length - 1]?.error;
}

/** Starts `n8n start` and waits until its health check answers. */
export async function startN8n(runtime, env, { logFile, inheritOutput = false, timeoutMs = 120000 } = {}) {
	const port = env.N8N_PORT;
	const service = startService('n8n', runtime.node, [runtime.n8nMain, 'start'], { env, cwd: env.N8N_USER_FOLDER, logFile, inheritOutput });
	const base = `http://127.0.0.1:${port}`;
	await waitFor(
		'n8n to answer on /healthz/readiness',
		async () => {
			const response = await fetch(`${base}/healthz/readiness`);
			return response.ok;
		},
		{ timeoutMs, intervalMs: 500, service },
	);
	return { service, base };
}

/** Creates the owner account through the REST API (first start only); returns the cookie of a login. */
export async function setupOwnerAndLogin(base, { email, password, firstName = 'Local', lastName = 'Developer' }) {
	const setup = await fetch(`${base}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ email, password, firstName, lastName }),
	});
	if (!setup.ok && setup.status !== 400) {
		throw new Error(`owner setup answered ${setup.status}: ${(await setup.text()).slice(0, 300)}`);
	}
	const login = await fetch(`${base}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ emailOrLdapLoginId: email, password }),
	});
	if (!login.ok) {
		throw new Error(`login answered ${login.status}: ${(await login.text()).slice(0, 300)}`);
	}
	const cookies = login.headers.getSetCookie?.() ?? [];
	return cookies.map((cookie) => cookie.split(';')[0]).join('; ');
}

/** Starts the compiled emulator on a free port; resolves with its URL and account once it printed them. */
export async function startEmulator({ logFile, port = 0, delayMs, inheritOutput = false } = {}) {
	const cli = join(ROOT, 'dist', 'dev', 'emulator', 'cli.js');
	if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build`);
	let firstLine;
	const env = { ...process.env, GREENNODE_EMULATOR_PORT: String(port), GREENNODE_EMULATOR_HOST: '127.0.0.1' };
	if (delayMs !== undefined) env.GREENNODE_EMULATOR_DELAY_MS = String(delayMs);
	const service = startService('greennode emulator', process.execPath, [cli], {
		env,
		cwd: ROOT,
		logFile,
		inheritOutput,
		onLine: (line) => {
			if (!firstLine && line.startsWith('GreenNode IDP emulator on ')) firstLine = line;
		},
	});
	await waitFor('the emulator to start', () => firstLine, { timeoutMs: 20000, service });
	const url = /emulator on (http:\/\/[^\s|]+)/.exec(firstLine)[1];
	const portalUserId = /Portal User ID (\S+),/.exec(firstLine)[1];
	const apiKey = /API Key (\S+) \|/.exec(firstLine)[1];
	return { service, url, portalUserId, apiKey };
}
