#!/usr/bin/env node
// `npm run dev`: the node in a real n8n editor, against the bundled GreenNode emulator.
//
// Builds the package, packs it and installs the tarball as an n8n community package, starts the
// GreenNode emulator (http://127.0.0.1:8787, or a free port when that one is taken) and n8n on
// http://127.0.0.1:5678 with a ready credential "GreenNode OCR (emulator)" and the example
// workflows of examples/ imported. The first start creates the owner account and prints it.
// Ctrl+C stops everything.
//
// Node 24 and n8n come from .cache/e2e/ (installed on the first run: about 3 GB, a few minutes).
// n8n's data (database, owner, your workflows) stays in .cache/dev/n8n-user between runs;
// the example workflows read and write files in .output/dev/files.
//
// Options:
//   --port <n>            n8n port (default 5678, or DEV_N8N_PORT)
//   --reimport-examples   import examples/ again (overwrites your changes to those workflows)
//   --reset               start from an empty n8n (deletes .cache/dev/n8n-user)
//   --skip-build          install the current dist/ without `npm run build`
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

import { samplePdf } from './e2e/lib/files.mjs';
import { ensureRuntime } from './e2e/lib/install.mjs';
import {
	buildAndPack,
	CREDENTIAL_NAME,
	importEmulatorCredential,
	importExamples,
	installCommunityPackage,
	n8nCli,
	n8nEnv,
	ROOT,
	setupOwnerAndLogin,
	startEmulator,
	startN8n,
} from './e2e/lib/n8n.mjs';
import { freePorts, log, onShutdown, stopAll } from './e2e/lib/proc.mjs';

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => {
	const index = argv.indexOf(name);
	return index >= 0 ? argv[index + 1] : undefined;
};

const STATE = join(ROOT, '.cache', 'dev');
const USER_FOLDER = join(STATE, 'n8n-user');
const OWNER_FILE = join(STATE, 'owner.json');
const EXAMPLES_MARKER = join(STATE, 'examples-imported');
const OUTPUT = join(ROOT, '.output', 'dev');
const FILES = join(OUTPUT, 'files');
const LOGS = join(OUTPUT, 'logs');
const WEBHOOK_ID = 'GnOcrExWebhook01';

function portIsFree(port) {
	return new Promise((resolve) => {
		const server = createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

function owner() {
	if (existsSync(OWNER_FILE)) return JSON.parse(readFileSync(OWNER_FILE, 'utf8'));
	const account = { email: 'dev@example.com', password: `Dev-${randomBytes(6).toString('hex')}-1` };
	mkdirSync(STATE, { recursive: true });
	writeFileSync(OWNER_FILE, JSON.stringify(account, null, 2), { mode: 0o600 });
	return account;
}

async function main() {
	if (flag('--help') || flag('-h')) {
		log(readFileSync(new URL(import.meta.url), 'utf8').split('\n').filter((line) => line.startsWith('//')).map((line) => line.slice(3)).join('\n'));
		return 0;
	}
	const port = Number(option('--port') ?? process.env.DEV_N8N_PORT ?? 5678);
	if (!(await portIsFree(port))) {
		log(`Port ${port} on 127.0.0.1 is in use (another n8n?). Stop it, or run: npm run dev -- --port <another port>`);
		return 1;
	}
	if (flag('--reset')) {
		log('--reset: deleting .cache/dev (n8n database, owner account, workflows)…');
		rmSync(STATE, { recursive: true, force: true });
	}
	for (const dir of [USER_FOLDER, join(FILES, 'inbox'), LOGS]) mkdirSync(dir, { recursive: true });
	const commandsLog = join(LOGS, 'commands.log');

	const runtime = await ensureRuntime(process.env.E2E_CACHE_DIR || join(ROOT, '.cache', 'e2e'), { logFile: commandsLog });
	log(`Node ${runtime.nodeVersion}, n8n ${runtime.n8nVersion}`);

	const { tarball } = await buildAndPack(join(STATE, 'pack'), { skipBuild: flag('--skip-build'), logFile: commandsLog });
	await installCommunityPackage(USER_FOLDER, tarball, { logFile: commandsLog });
	log(`Installed ${tarball.replace(`${ROOT}/`, '')} into .cache/dev/n8n-user/.n8n/nodes`);

	const emulatorPort = (await portIsFree(8787)) ? 8787 : 0;
	const emulator = await startEmulator({ port: emulatorPort, logFile: join(LOGS, 'emulator.log'), inheritOutput: true });

	const brokerPort = (await freePorts(1))[0];
	const env = n8nEnv({
		userFolder: USER_FOLDER,
		filesDir: FILES,
		port,
		brokerPort,
		logFile: join(LOGS, 'n8n.log'),
		nodeBinDir: dirname(runtime.node),
		extra: { N8N_LOG_LEVEL: 'info' },
	});

	// Sample files for the examples (kept when already there).
	const samples = {
		'invoice.pdf': samplePdf(),
		'inbox/invoice-0001.pdf': samplePdf('INVOICE 0001'),
		'inbox/scan-fail-0002.pdf': samplePdf('UNREADABLE SCAN'),
	};
	for (const [name, data] of Object.entries(samples)) {
		if (!existsSync(join(FILES, name))) writeFileSync(join(FILES, name), data);
	}

	log('Importing the credential and the example workflows…');
	await importEmulatorCredential(runtime, env, STATE, emulator, commandsLog);
	if (!existsSync(EXAMPLES_MARKER) || flag('--reimport-examples')) {
		await importExamples(runtime, env, STATE, FILES, commandsLog);
		await n8nCli(runtime, env, ['publish:workflow', `--id=${WEBHOOK_ID}`], { logFile: commandsLog });
		writeFileSync(EXAMPLES_MARKER, new Date().toISOString());
	}

	log(`Starting n8n on http://127.0.0.1:${port} …`);
	const { service, base } = await startN8n(runtime, env, { logFile: join(LOGS, 'n8n-start.out'), timeoutMs: 180000 });
	const account = owner();
	await setupOwnerAndLogin(base, account).catch((error) => {
		throw new Error(`${error.message}\nThe owner account of .cache/dev/n8n-user is not the one in .cache/dev/owner.json: run npm run dev -- --reset`);
	});

	log(`
────────────────────────────────────────────────────────────────────────
  n8n is running:     ${base}
  Sign in with:       ${account.email}  /  ${account.password}
  Credential:         "${CREDENTIAL_NAME}" (GreenNode emulator at ${emulator.url},
                      API Key ${emulator.apiKey}, Portal User ID ${emulator.portalUserId})
  Example workflows:  Overview → "GreenNode OCR: …" (files in ${FILES.replace(`${ROOT}/`, '')})
  Webhook example:    curl -F data=@${join(FILES, 'invoice.pdf').replace(`${ROOT}/`, '')} -F docType=INVOICE ${base}/webhook/greennode-ocr
  Emulator:           a file name with "fail" makes the job fail, "stuck" never completes
  Logs:               ${LOGS.replace(`${ROOT}/`, '')}/ (n8n.log, emulator.log)
  Stop:               Ctrl+C
────────────────────────────────────────────────────────────────────────
`);
	const code = await service.exited;
	if (!stopping) log(`n8n exited (${code}); see ${join(LOGS, 'n8n.log').replace(`${ROOT}/`, '')}`);
	return stopping ? 0 : 1;
}

let stopping = false;
onShutdown(() => {
	stopping = true;
	return stopAll();
});
let code = 1;
try {
	code = await main();
} catch (error) {
	log(`npm run dev: ${error?.message ?? error}`);
	code = 1;
} finally {
	await stopAll();
}
process.exit(code);
