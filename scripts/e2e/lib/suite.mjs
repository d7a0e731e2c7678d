// What every e2e suite does around its checks: a fresh work folder, the runtime check, phase
// timings, and the end of the run (every process stopped, timings, summary, exit code).
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { ensureRuntime } from './install.mjs';
import { ROOT } from './n8n.mjs';
import { log, onShutdown, stopAll } from './proc.mjs';

/** Times a suite's phases: `phase(name)` closes the phase begun at the previous call (or at the start). */
export function phaseClock() {
	const started = Date.now();
	const timings = [];
	let phaseStarted = started;
	return {
		timings,
		phase(name) {
			const now = Date.now();
			timings.push([name, (now - phaseStarted) / 1000]);
			phaseStarted = now;
		},
		/** Records the whole run as `total`. */
		total() {
			timings.push(['total', (Date.now() - started) / 1000]);
		},
	};
}

/** Removes `work` and creates it again with the given sub-folders ({ key: path below `work` }); returns { key: full path }. */
export function freshWorkDirs(work, folders) {
	rmSync(work, { recursive: true, force: true });
	const dirs = Object.fromEntries(Object.entries(folders).map(([key, folder]) => [key, join(work, folder)]));
	for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
	return dirs;
}

/** The runtime check: Node 24 and n8n installed into `cache` (or found there). Returns the runtime, or undefined. */
export async function checkRuntime(checks, cache, logFile) {
	let runtime;
	const ok = await checks.run(`runtime: Node 24 and n8n from ${cache.replace(`${ROOT}/`, '')}`, async () => {
		runtime = await ensureRuntime(cache, { logFile });
		return { detail: `node ${runtime.nodeVersion}, n8n ${runtime.n8nVersion}` };
	});
	return ok ? runtime : undefined;
}

/**
 * Runs `main` to its end, then `cleanup` and every process started is stopped (also on Ctrl+C),
 * and the timings, `footer` and the `<label>: N passed, M failed` summary are printed. Exits with 1
 * on any failure (or when no check ran), 0 otherwise.
 */
export async function runSuite({ label, checks, clock, main, footer, cleanup = async () => {} }) {
	const stop = async () => {
		await cleanup();
		await stopAll();
	};
	let exitCode = 1;
	onShutdown(stop);
	try {
		await main();
	} catch (error) {
		checks.record(`${label} run`, false, error?.stack ?? String(error));
	} finally {
		await stop();
		if (clock.timings.length) {
			log(`\nTimings: ${clock.timings.map(([name, seconds]) => `${name} ${seconds.toFixed(1)} s`).join(' | ')}`);
		}
		if (footer) log(footer);
		if (checks.failed === 0 && checks.passed === 0) checks.record(`${label} run`, false, 'no check ran');
		log(checks.summary(label));
		exitCode = checks.failed > 0 ? 1 : 0;
	}
	process.exit(exitCode);
}
