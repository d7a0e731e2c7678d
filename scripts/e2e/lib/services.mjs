// Redis and a throwaway PostgreSQL cluster on loopback, for the queue-mode e2e suite.
//
// Both come from the machine's Debian packages (`redis-server`, `postgresql`); when a binary is
// missing and we run as root, `apt-get install -y` adds it. PostgreSQL gets a fresh cluster
// (`initdb`) in a temporary folder and a free port; as root it runs as the `postgres` user the
// package created (PostgreSQL refuses to run as root). Everything is started through proc.mjs, in
// its own process group, and removed again by the matching stop function.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, chownSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, groupAlive, log, run, startService, stopService, waitFor } from './proc.mjs';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function onPath(binary) {
	for (const dir of (process.env.PATH ?? '').split(':')) {
		if (dir && existsSync(join(dir, binary))) return join(dir, binary);
	}
	return undefined;
}

/** A PostgreSQL server binary: from PATH, else from the newest /usr/lib/postgresql/<version>/bin; null if none. */
export function postgresBinary(name) {
	const fromPath = onPath(name);
	if (fromPath) return fromPath;
	const root = '/usr/lib/postgresql';
	if (!existsSync(root)) return null;
	const versions = readdirSync(root)
		.filter((version) => existsSync(join(root, version, 'bin', name)))
		.sort((a, b) => Number(b) - Number(a));
	return versions.length ? join(root, versions[0], 'bin', name) : null;
}

/**
 * Makes sure `redis-server` and PostgreSQL's `initdb`/`postgres` exist; installs the Debian
 * packages with apt-get when they do not and we are root. Returns what was installed.
 */
export async function ensureServicePackages({ logFile } = {}) {
	const missing = [];
	if (!onPath('redis-server')) missing.push('redis-server');
	if (!postgresBinary('initdb') || !postgresBinary('postgres') || !onPath('psql')) missing.push('postgresql');
	if (missing.length === 0) return [];
	if (!isRoot) {
		throw new Error(`${missing.join(' and ')} missing: install them (sudo apt-get install -y ${missing.join(' ')}) or run as root`);
	}
	log(`installing ${missing.join(', ')} with apt-get (first run only)…`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	const install = () => run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env, logFile, timeoutMs: 10 * 60 * 1000 });
	try {
		await install();
	} catch {
		await run('apt-get', ['update'], { env, logFile, timeoutMs: 5 * 60 * 1000 });
		await install();
	}
	return missing;
}

/** Whether something answers a Redis PING on host:port. */
function redisPing(port) {
	return new Promise((resolve) => {
		const socket = connect({ host: '127.0.0.1', port });
		let answer = '';
		const done = (ok) => {
			socket.destroy();
			resolve(ok);
		};
		socket.setTimeout(1000, () => done(false));
		socket.on('error', () => done(false));
		socket.on('connect', () => socket.write('PING\r\n'));
		socket.on('data', (chunk) => {
			answer += chunk.toString();
			if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
		});
	});
}

/** Starts `redis-server` on 127.0.0.1 and a free port, without persistence. */
export async function startRedis({ dir, logFile }) {
	mkdirSync(dir, { recursive: true });
	const port = await freePort();
	const service = startService(
		'redis-server',
		'redis-server',
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'yes', '--loglevel', 'warning'],
		{ logFile },
	);
	await waitFor('redis-server to answer PING', () => redisPing(port), { timeoutMs: 20000, intervalMs: 100, service });
	return { service, host: '127.0.0.1', port };
}

/** How to run a PostgreSQL binary: directly, or as the `postgres` user when we are root. */
function asPostgres(binary, args) {
	if (!isRoot) return [binary, args];
	return ['runuser', ['-u', 'postgres', '--', binary, ...args]];
}

/**
 * A throwaway PostgreSQL cluster: initdb into a fresh temporary folder (trust auth on loopback
 * only, fsync off), `postgres` on 127.0.0.1 and a free port, and an empty database `database`.
 * Returns { service, host, port, user, database, dataDir, psql(sql) }.
 */
export async function startPostgres({ logFile, database = 'n8n' }) {
	const base = mkdtempSync(join(tmpdir(), 'gn-e2e-queue-pg-'));
	const dataDir = join(base, 'data');
	const socketDir = join(base, 'socket');
	mkdirSync(dataDir, { mode: 0o700 });
	mkdirSync(socketDir);
	if (isRoot) {
		const { stdout } = await run('id', ['-u', 'postgres'], { allowFail: true });
		const uid = Number(stdout.trim());
		if (!Number.isInteger(uid) || uid <= 0) {
			throw new Error('as root PostgreSQL must run as another user, and there is no "postgres" user (apt-get install postgresql creates it)');
		}
		const { stdout: gidOut } = await run('id', ['-g', 'postgres']);
		const gid = Number(gidOut.trim());
		for (const path of [base, dataDir, socketDir]) chownSync(path, uid, gid);
	}
	const user = 'postgres';
	const [initCommand, initArgs] = asPostgres(postgresBinary('initdb'), [
		'-D',
		dataDir,
		'-U',
		user,
		'-A',
		'trust',
		'-E',
		'UTF8',
		'--locale=C',
		'--no-sync',
	]);
	await run(initCommand, initArgs, { logFile, timeoutMs: 2 * 60 * 1000 });
	const port = await freePort();
	const [command, args] = asPostgres(postgresBinary('postgres'), [
		'-D',
		dataDir,
		'-p',
		String(port),
		'-k',
		socketDir,
		'-c',
		'listen_addresses=127.0.0.1',
		'-c',
		'fsync=off',
		'-c',
		'synchronous_commit=off',
		'-c',
		'full_page_writes=off',
		'-c',
		'max_connections=100',
		'-c',
		'shared_buffers=64MB',
	]);
	const service = startService('postgres', command, args, { logFile });
	const psql = async (sql, db = database) => {
		const { stdout } = await run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', db, '-v', 'ON_ERROR_STOP=1', '-At', '-c', sql], {
			env: { ...process.env, PGCONNECT_TIMEOUT: '5' },
			timeoutMs: 60000,
		});
		return stdout.trim();
	};
	await waitFor('PostgreSQL to accept connections', async () => (await psql('select 1', 'postgres')) === '1', {
		timeoutMs: 60000,
		intervalMs: 200,
		service,
	});
	await psql(`create database ${database}`, 'postgres');
	return { service, host: '127.0.0.1', port, user, database, dataDir: base, psql };
}

/**
 * Stops a service with `signal` to its process group (SIGINT is PostgreSQL's fast shutdown),
 * SIGKILL after `graceMs`, and waits for it to exit; nothing when the group is already gone.
 */
export async function stopGroup(service, signal = 'SIGTERM', graceMs = 10000) {
	if (!service || !groupAlive(service.pid)) return;
	await stopService(service, graceMs, signal);
	await service.exited;
}

/** Stops PostgreSQL (fast shutdown) and removes its temporary cluster. */
export async function stopPostgres(postgres) {
	if (!postgres) return;
	await stopGroup(postgres.service, 'SIGINT', 15000);
	if (postgres.dataDir && existsSync(postgres.dataDir) && statSync(postgres.dataDir).isDirectory()) {
		rmSync(postgres.dataDir, { recursive: true, force: true });
	}
}
