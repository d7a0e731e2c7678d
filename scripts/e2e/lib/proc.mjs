// Child processes, ports and small helpers shared by the e2e suite and `npm run dev`.
//
// Every long-running process is started in its own process group (detached) and recorded,
// so that `stopAll()` can end the whole group by its id, including grandchildren such as
// n8n's task runner, even when a check throws or the user presses Ctrl+C.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';

const started = new Map(); // pid -> { name, child, exited }

export function log(text) {
	process.stdout.write(`${text}\n`);
}

export function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A free TCP port on 127.0.0.1 (the OS picks it; it is released before use). */
export function freePort() {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

/** Several distinct free ports. */
export async function freePorts(count) {
	const ports = new Set();
	while (ports.size < count) {
		ports.add(await freePort());
	}
	return [...ports];
}

/**
 * Runs a command to its end. Resolves with { code, stdout, stderr }; rejects when it exits
 * non-zero (unless `allowFail`) or runs past `timeoutMs`. Output goes to `logFile` too.
 */
export function run(command, args, options = {}) {
	const { cwd, env, timeoutMs = 10 * 60 * 1000, allowFail = false, logFile, echo = false, input } = options;
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, {
			cwd,
			env: env ?? process.env,
			stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
			detached: true,
		});
		started.set(child.pid, { name: `${command} ${args[0] ?? ''}`, child, exited: false });
		const out = [];
		const err = [];
		const file = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
		file?.write(`\n$ ${command} ${args.join(' ')}\n`);
		child.stdout.on('data', (chunk) => {
			out.push(chunk);
			file?.write(chunk);
			if (echo) process.stdout.write(chunk);
		});
		child.stderr.on('data', (chunk) => {
			err.push(chunk);
			file?.write(chunk);
			if (echo) process.stderr.write(chunk);
		});
		if (input !== undefined) {
			child.stdin.end(input);
		}
		const timer = setTimeout(() => {
			killGroup(child.pid, 'SIGKILL');
			reject(new Error(`${command} ${args.join(' ')} took more than ${Math.round(timeoutMs / 1000)} s`));
		}, timeoutMs);
		child.on('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			const entry = started.get(child.pid);
			if (entry) entry.exited = true;
			started.delete(child.pid);
			file?.end();
			const result = { code: code ?? -1, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
			if (result.code !== 0 && !allowFail) {
				const tail = (result.stderr || result.stdout).split('\n').slice(-25).join('\n');
				const error = new Error(`${command} ${args.join(' ')} exited with ${signal ?? result.code}\n${tail}`);
				error.result = result;
				reject(error);
			} else {
				resolve(result);
			}
		});
	});
}

/**
 * Starts a long-running process in its own process group. Output is appended to `logFile`;
 * `onLine` sees every stdout/stderr line. Returns { pid, child, exited: Promise<code> }.
 */
export function startService(name, command, args, options = {}) {
	const { cwd, env, logFile, onLine, inheritOutput = false } = options;
	const child = spawn(command, args, {
		cwd,
		env: env ?? process.env,
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	const entry = { name, child, exited: false };
	started.set(child.pid, entry);
	const file = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
	const lineSplitter = () => {
		let rest = '';
		return (chunk) => {
			file?.write(chunk);
			if (inheritOutput) process.stdout.write(chunk);
			if (!onLine) return;
			rest += chunk.toString();
			const lines = rest.split('\n');
			rest = lines.pop();
			for (const line of lines) onLine(line);
		};
	};
	child.stdout.on('data', lineSplitter());
	child.stderr.on('data', lineSplitter());
	const exited = new Promise((resolve) => {
		child.on('close', (code, signal) => {
			entry.exited = true;
			started.delete(child.pid);
			file?.end();
			resolve(code ?? signal);
		});
		child.on('error', () => {
			entry.exited = true;
			started.delete(child.pid);
			resolve(-1);
		});
	});
	return { name, pid: child.pid, child, exited };
}

/** Sends `signal` to the process group `pid` leads (or to `pid` alone); false when neither exists. */
export function killGroup(pid, signal) {
	try {
		process.kill(-pid, signal);
		return true;
	} catch {
		try {
			process.kill(pid, signal);
			return true;
		} catch {
			return false;
		}
	}
}

/** Whether any process of the group `pid` leads is still alive. */
export function groupAlive(pid) {
	try {
		process.kill(-pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** Stops one service: `signal` (SIGTERM by default) to its process group, SIGKILL after `graceMs`. */
export async function stopService(service, graceMs = 8000, signal = 'SIGTERM') {
	if (!service) return;
	killGroup(service.pid, signal);
	const deadline = Date.now() + graceMs;
	while (Date.now() < deadline && groupAlive(service.pid)) {
		await sleep(100);
	}
	if (groupAlive(service.pid)) killGroup(service.pid, 'SIGKILL');
	started.delete(service.pid);
}

/** Stops every process group started through this module, newest first. */
export async function stopAll(graceMs = 8000) {
	const pids = [...started.keys()].reverse();
	for (const pid of pids) killGroup(pid, 'SIGTERM');
	const deadline = Date.now() + graceMs;
	while (Date.now() < deadline && pids.some(groupAlive)) {
		await sleep(100);
	}
	for (const pid of pids) {
		if (groupAlive(pid)) killGroup(pid, 'SIGKILL');
	}
	started.clear();
}

/** Synchronous last resort for `exit` handlers: SIGKILL every recorded group. */
export function killAllNow() {
	for (const pid of started.keys()) killGroup(pid, 'SIGKILL');
	started.clear();
}

/**
 * Makes SIGINT/SIGTERM/SIGHUP run `cleanup` once, then exit with 130/143/129; and makes a
 * plain exit kill whatever is still recorded.
 */
export function onShutdown(cleanup) {
	let busy = false;
	const codes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
	for (const signal of Object.keys(codes)) {
		process.on(signal, () => {
			if (busy) return;
			busy = true;
			log(`\n${signal}: stopping everything that was started…`);
			Promise.resolve()
				.then(cleanup)
				.catch(() => {})
				.finally(() => {
					killAllNow();
					process.exit(codes[signal]);
				});
		});
	}
	process.on('exit', killAllNow);
}

/** Polls `probe` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor(what, probe, { timeoutMs = 60000, intervalMs = 250, service } = {}) {
	const deadline = Date.now() + timeoutMs;
	let lastError;
	while (Date.now() < deadline) {
		if (service && !started.has(service.pid)) {
			throw new Error(`${service.name} exited while waiting for ${what}`);
		}
		try {
			const value = await probe();
			if (value) return value;
		} catch (error) {
			lastError = error;
		}
		await sleep(intervalMs);
	}
	throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`);
}
