// The two GreenNode emulators of the queue-mode suite and what their logs say. The emulator's CLI
// logs every request it answered, with the name, size and sha256 of an upload and the request_id a
// submission created. One is for the batches (2 s per job), one for the worker kill (8 s per job,
// so that the worker is surely still in Get Result when it dies).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { startEmulator } from './n8n.mjs';
import { CRASH_PROCESSING_MS, PROCESSING_MS } from './queue-config.mjs';

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

export const isSubmission = (record) => record.method === 'POST' && /\/ocr\/ingest$/.test(record.path);
export const isPollOf = (requestId) => (record) => record.method === 'GET' && record.path.endsWith(`/ocr/ingest/${requestId}`);
export const isPoll = (record) => record.method === 'GET' && /\/ocr\/ingest\/[^/]+$/.test(record.path);

/**
 * Starts `emulator` (2 s per job) and `emulator-slow` (8 s per job), logging into `logsDir`;
 * `onStart(service)` sees each one as soon as it runs. Returns { byName, records(name), submissionsOf(fileName) }.
 */
export async function startEmulators(logsDir, onStart) {
	const byName = {};
	for (const [name, delayMs] of [
		['emulator', PROCESSING_MS],
		['emulator-slow', CRASH_PROCESSING_MS],
	]) {
		const logFile = join(logsDir, `${name}.log`);
		byName[name] = { ...(await startEmulator({ logFile, delayMs })), logFile };
		onStart(byName[name].service);
	}
	const records = (name = 'emulator') => parseEmulatorLog(byName[name].logFile);
	/** The accepted submissions (201) of a file name, on either emulator. */
	const submissionsOf = (fileName) =>
		Object.keys(byName)
			.flatMap((name) => records(name))
			.filter((record) => isSubmission(record) && record.file?.fileName === fileName && record.status === 201);
	return { byName, records, submissionsOf };
}
