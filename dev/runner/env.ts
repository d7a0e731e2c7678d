/**
 * Process-level environment for the in-process workflow runner.
 *
 * This module must be imported before anything from `n8n-core`, because n8n reads its
 * user folder (settings file, encryption key) from `N8N_USER_FOLDER` the first time its
 * services are created. Everything the runner writes lives below one temporary root
 * directory per process, which is removed when the process exits. Roots left behind by
 * processes that were killed (for example test workers) are removed on the next start.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const ROOT_PREFIX = 'greennode-ocr-runner-';

function isProcessAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

function removeStaleRoots(): void {
	let entries: string[];
	try {
		entries = readdirSync(tmpdir());
	} catch {
		return;
	}
	for (const entry of entries) {
		if (!entry.startsWith(ROOT_PREFIX)) continue;
		const pid = Number(entry.slice(ROOT_PREFIX.length).split('-')[0]);
		if (!Number.isInteger(pid) || pid === process.pid || isProcessAlive(pid)) continue;
		try {
			rmSync(join(tmpdir(), entry), { recursive: true, force: true });
		} catch {
			// Another process may be removing it at the same time.
		}
	}
}

removeStaleRoots();

/** Temporary root of this module instance; removed on process exit or by `removeTempRoot()`. */
export const tempRoot = mkdtempSync(join(tmpdir(), `${ROOT_PREFIX}${process.pid}-`));

/** n8n user folder (settings file with the instance encryption key). */
export const userFolder = join(tempRoot, 'user');
mkdirSync(userFolder, { recursive: true });

process.env.N8N_USER_FOLDER = userFolder;
// The settings file lives in a private temporary folder, no need to check its permissions.
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS = 'false';
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';

/** Creates a fresh directory below the temporary root. */
export function makeTempDir(prefix: string): string {
	if (!existsSync(tempRoot)) mkdirSync(tempRoot, { recursive: true });
	return mkdtempSync(join(tempRoot, `${prefix}-`));
}

export function removeTempRoot(): void {
	try {
		rmSync(tempRoot, { recursive: true, force: true });
	} catch {
		// Nothing left to clean.
	}
}

process.once('exit', removeTempRoot);
