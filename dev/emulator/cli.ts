/**
 * Runs the GreenNode IDP emulator as a standalone server.
 *
 *   node dist/dev/emulator/cli.js
 *
 * Environment:
 *   GREENNODE_EMULATOR_PORT       port (default 8787; 0 picks a free one)
 *   GREENNODE_EMULATOR_HOST       interface (default 127.0.0.1)
 *   GREENNODE_EMULATOR_API_KEY    API key to accept (default gn-emulator-key)
 *   GREENNODE_EMULATOR_USER_ID    numeric portal user id (default 100001)
 *   GREENNODE_EMULATOR_DELAY_MS   when > 0, jobs finish after this time instead of after polls
 *   GREENNODE_EMULATOR_DOC_TYPES  comma-separated doc_type values accepted with flow=single
 *
 * The first line on stdout holds everything to enter in the n8n credential. One line per
 * request (method, path, status; never headers) goes to stderr.
 *
 * Words in the uploaded file name steer a job (details in content.ts and jobs.ts):
 *   fail      the job ends FAILED            stuck     it never gains content
 *   notable   no tables                      front / back   that side of an ID card (doc_type ID)
 *   twopage   one document whose table runs over pages 1 and 2, same header (doc_type INVOICE)
 *   blank     the job finishes with no documents at all (total_doc 0), as for a blank page
 *   badtotal / badvat / badlines (with twopage)   an invoice whose total, VAT or lines do not add up
 *   offmilestone   an ID card whose expiry is off the rules; noexpiry   a card without expiry, issued at 59
 *   blurry    some fields with confidence 0.3–0.6
 *   rotated   is_correct_classification false
 *   mismatch  data that fails validation: CCCD century digit against the birth date, a tax code
 *             with a wrong check digit, an amount in words that differs from the total
 * doc_type GET_TABLE finishes with ocr_data null and schema { table: [] }, for good; enable it with
 * GREENNODE_EMULATOR_DOC_TYPES=ID,INVOICE,GET_TABLE.
 */
import { DEFAULT_API_KEY, DEFAULT_ENABLED_DOC_TYPES, DEFAULT_PORTAL_USER_ID, startEmulator } from './server';

function fail(text: string): never {
	process.stderr.write(`greennode emulator: ${text}\n`);
	process.exit(1);
}

function env(name: string): string | undefined {
	const value = process.env[name];
	return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function integerEnv(name: string, fallback: number, max: number): number {
	const value = env(name);
	if (value === undefined) {
		return fallback;
	}
	if (!/^\d+$/.test(value) || Number(value) > max) {
		fail(`${name} must be a whole number from 0 to ${max}, got "${value}"`);
	}
	return Number(value);
}

async function main(): Promise<void> {
	const port = integerEnv('GREENNODE_EMULATOR_PORT', 8787, 65535);
	const host = env('GREENNODE_EMULATOR_HOST') ?? '127.0.0.1';
	const apiKey = env('GREENNODE_EMULATOR_API_KEY') ?? DEFAULT_API_KEY;
	const portalUserId = env('GREENNODE_EMULATOR_USER_ID') ?? DEFAULT_PORTAL_USER_ID;
	if (!/^\d+$/.test(portalUserId)) {
		fail(`GREENNODE_EMULATOR_USER_ID must be numeric, got "${portalUserId}"`);
	}
	const processingDelayMs = integerEnv('GREENNODE_EMULATOR_DELAY_MS', 0, 24 * 60 * 60 * 1000);
	const docTypes = env('GREENNODE_EMULATOR_DOC_TYPES');
	const enabledDocTypes = docTypes
		? docTypes.split(',').map((value) => value.trim()).filter((value) => value !== '')
		: [...DEFAULT_ENABLED_DOC_TYPES];

	const emulator = await startEmulator({
		host,
		port,
		apiKey,
		portalUserId,
		processingDelayMs,
		enabledDocTypes,
		onRequest: (request) => {
			const fault = request.fault ? ` (injected ${request.fault})` : '';
			const status = request.status === 0 ? 'no response' : String(request.status);
			// What an upload delivered, so a test in real n8n can compare it with the file it sent.
			const file = request.file ? ` file=${JSON.stringify(request.file.fileName)} size=${request.file.size} sha256=${request.file.sha256}` : '';
			const job = request.requestId ? ` request_id=${request.requestId}` : '';
			process.stderr.write(`${new Date(request.at).toISOString()} ${request.method} ${request.path} ${status}${fault}${file}${job}\n`);
		},
	});

	process.stdout.write(
		`GreenNode IDP emulator on ${emulator.url} | n8n credential: Base URL ${emulator.url}, ` +
			`Portal User ID ${emulator.portalUserId}, API Key ${emulator.apiKey} | API root ${emulator.apiUrl} | ` +
			`doc types ${enabledDocTypes.join(',')} | ${processingDelayMs > 0 ? `jobs finish after ${processingDelayMs} ms` : 'jobs finish on the 3rd poll'}\n`,
	);

	let stopping = false;
	const stop = (signal: NodeJS.Signals): void => {
		if (stopping) {
			return;
		}
		stopping = true;
		process.stderr.write(`greennode emulator: ${signal}, closing\n`);
		emulator.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
	fail(error instanceof Error ? error.message : String(error));
});
