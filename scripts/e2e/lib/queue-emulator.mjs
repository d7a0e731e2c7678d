#!/usr/bin/env node
// The GreenNode emulator for the queue-mode e2e suite: the same server as
// `node dist/dev/emulator/cli.js` (dist/dev/emulator/server.js, same environment variables and the
// same first line on stdout), plus a record of every request it answered, one JSON line each, in
// the file named by GREENNODE_EMULATOR_RECORDS: method, path, status, time, the request_id a
// submission created, and the uploaded file's name, size and sha256. The CLI logs only method,
// path and status, which cannot tell which upload became which request_id.
//
// GREENNODE_EMULATOR_SLOW_DELAY_MS (default 8000): processing time of uploads whose file name
// contains "slow", so that a test can act while a job is still being read.
import { appendFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const require = createRequire(import.meta.url);
const { startEmulator, DEFAULT_ENABLED_DOC_TYPES } = require(join(ROOT, 'dist', 'dev', 'emulator', 'server.js'));

const env = (name, fallback) => {
	const value = process.env[name];
	return value === undefined || value.trim() === '' ? fallback : value.trim();
};
const records = env('GREENNODE_EMULATOR_RECORDS');
if (!records) {
	process.stderr.write('queue emulator: GREENNODE_EMULATOR_RECORDS (a file for the request records) is required\n');
	process.exit(1);
}
writeFileSync(records, '');
const slowDelayMs = Number(env('GREENNODE_EMULATOR_SLOW_DELAY_MS', '8000'));
const processingDelayMs = Number(env('GREENNODE_EMULATOR_DELAY_MS', '0'));
const enabledDocTypes = env('GREENNODE_EMULATOR_DOC_TYPES')?.split(',').map((value) => value.trim()).filter(Boolean) ?? [...DEFAULT_ENABLED_DOC_TYPES];

const emulator = await startEmulator({
	host: env('GREENNODE_EMULATOR_HOST', '127.0.0.1'),
	port: Number(env('GREENNODE_EMULATOR_PORT', '0')),
	processingDelayMs,
	enabledDocTypes,
	onRequest: (request) => {
		const record = { at: request.at, method: request.method, path: request.path, status: request.status };
		if (request.requestId) record.requestId = request.requestId;
		if (request.fields) record.fields = request.fields;
		if (request.file) record.file = { fileName: request.file.fileName, size: request.file.size, sha256: request.file.sha256 };
		appendFileSync(records, `${JSON.stringify(record)}\n`);
		process.stderr.write(`${new Date(request.at).toISOString()} ${request.method} ${request.path} ${request.status || 'no response'}\n`);
	},
});
emulator.setScenario((job) => (job.fileName.toLowerCase().includes('slow') ? { processingDelayMs: slowDelayMs } : undefined));

process.stdout.write(
	`GreenNode IDP emulator on ${emulator.url} | n8n credential: Base URL ${emulator.url}, ` +
		`Portal User ID ${emulator.portalUserId}, API Key ${emulator.apiKey} | API root ${emulator.apiUrl} | ` +
		`doc types ${enabledDocTypes.join(',')} | jobs finish after ${processingDelayMs} ms ("slow" files ${slowDelayMs} ms) | records ${records}\n`,
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
	process.on(signal, () => {
		if (stopping) return;
		stopping = true;
		emulator.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	});
}
