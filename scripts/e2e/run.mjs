#!/usr/bin/env node
// End-to-end suite: this package inside the real n8n app.
//
//   npm run test:e2e
//
// 1. Node 24 and n8n (2.41.1) are installed into .cache/e2e/ on the first run and reused after.
// 2. The package is built and packed with `npm pack`, and the tarball is installed the way n8n
//    installs a community package (<user folder>/.n8n/nodes/node_modules/<name>): a file missing
//    from `files` or `dist` fails the suite.
// 3. The GreenNode emulator (dist/dev/emulator/cli.js) runs on a free port; a credential pointing
//    at it and the example workflows of examples/ are imported with n8n's CLI, and the manual
//    examples run with `n8n execute`: invoice table → CSV file, result images → PNG/JPEG files,
//    a batch whose failing file goes to the error output. Their files and outputs are checked.
// 4. `n8n start` (127.0.0.1, free ports) serves the published webhook example; a real multipart
//    upload gets the OCR result (and a failing file a 422 with the error).
// 5. In Chromium (Playwright), the node is added in the editor and every operation's parameters
//    are compared with its description (scripts/e2e/editor.mjs).
// Every process started is stopped by its process group, also on failure or Ctrl+C. The run
// ends with `e2e: N passed, M failed` and a non-zero exit code on any failure.
//
// Environment:
//   E2E_SKIP_BUILD=1      pack the current dist/ without `npm run build`
//   E2E_SKIP_EDITOR=1     leave out the browser checks
//   E2E_UPDATE_DOCS=1     copy the operation screenshots to docs/
//   E2E_CACHE_DIR=<dir>   where Node 24 and n8n are kept (default .cache/e2e)
//   E2E_BREAK=<what>      damage the installed copy to see the suite fail:
//                         remove-getTable (its operation file), remove-credential, remove-icon
// The n8n user folder, the files and the logs of the last run stay in .output/e2e/.
// The checks of each phase are in lib/package-checks.mjs, lib/example-checks.mjs,
// lib/server-checks.mjs and editor.mjs; lib/suite.mjs times the phases and ends the run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { Checks } from './lib/checks.mjs';
import { checkExampleExecutions, checkExampleImport, EXAMPLE_IDS } from './lib/example-checks.mjs';
import { samplePdf } from './lib/files.mjs';
import { CREDENTIAL_ID, CREDENTIAL_NAME, n8nCli, n8nEnv, PACKAGE, ROOT, startEmulator, startN8n } from './lib/n8n.mjs';
import { checkLedger } from './lib/ledger-checks.mjs';
import { checkReviewLoop, importSmtpCredential, writeReviewMail } from './lib/review-checks.mjs';
import { checkAgentTools } from './lib/agent-checks.mjs';
import { checkInstall, checkPackage } from './lib/package-checks.mjs';
import { freePorts, log } from './lib/proc.mjs';
import { checkCredentialTest, checkLoadedTypes, checkWebhook } from './lib/server-checks.mjs';
import { checkRuntime, freshWorkDirs, phaseClock, runSuite } from './lib/suite.mjs';

const WORK = join(ROOT, '.output', 'e2e');
const CACHE = process.env.E2E_CACHE_DIR || join(ROOT, '.cache', 'e2e');
const OWNER = { email: 'e2e-owner@example.com', password: `E2e-${Math.random().toString(36).slice(2, 10)}-Pw1` };

const checks = new Checks();
const clock = phaseClock();
const { phase } = clock;

async function main() {
	const dirs = freshWorkDirs(WORK, { user: 'n8n-user', files: 'files', inbox: 'files/inbox', logs: 'logs', pack: 'pack', imports: 'imports' });
	const commandsLog = join(dirs.logs, 'commands.log');
	log(`e2e: ${PACKAGE.name}@${PACKAGE.version} in n8n (work folder ${WORK})`);

	// 1. Runtime
	const runtime = await checkRuntime(checks, CACHE, commandsLog);
	phase('runtime (install or reuse)');
	if (!runtime) return;

	// 2. Package
	const packed = await checkPackage(checks, dirs.pack, commandsLog);
	phase('build and pack');
	if (!packed) return;
	const installOk = await checkInstall(checks, dirs.user, packed.tarball, commandsLog);
	phase('install the tarball');
	if (!installOk) return;

	// 3. Emulator, imports, n8n execute
	const emulator = await startEmulator({ logFile: join(dirs.logs, 'emulator.log') });
	const [n8nPort, brokerPort] = await freePorts(2);
	const env = n8nEnv({
		userFolder: dirs.user,
		filesDir: dirs.files,
		port: n8nPort,
		brokerPort,
		logFile: join(dirs.logs, 'n8n.log'),
		nodeBinDir: dirname(runtime.node),
	});
	writeFileSync(join(dirs.files, 'invoice.pdf'), samplePdf());
	writeFileSync(join(dirs.inbox, 'invoice-0001.pdf'), samplePdf('INVOICE 0001'));
	writeFileSync(join(dirs.inbox, 'scan-fail-0002.pdf'), samplePdf('UNREADABLE SCAN'));
	mkdirSync(join(dirs.files, 'mail'), { recursive: true });
	writeFileSync(join(dirs.files, 'mail', 'invoice-0101.pdf'), samplePdf('INVOICE 0101'));
	writeFileSync(join(dirs.files, 'mail', 'invoice-blurry-0102.pdf'), samplePdf('INVOICE 0102'));

	writeReviewMail(dirs.files);
	// The review example mails each form's link: the bundled mail sink takes it and writes it to a file.
	const { startMailSink } = await import(join(ROOT, 'dist', 'dev', 'mail-sink.js'));
	const mailSink = await startMailSink({ port: 0, dir: join(dirs.files, 'outbox'), quiet: true });

	const importOk = await checkExampleImport(checks, { runtime, env, dirs, emulator, commandsLog });
	if (importOk) await importSmtpCredential(runtime, env, dirs.imports, mailSink.port, commandsLog);
	phase('import credential and examples');
	if (importOk) await checkExampleExecutions(checks, { runtime, env, dirs, emulatorLog: join(dirs.logs, 'emulator.log') });
	phase('n8n execute (4 workflows)');

	// 4. n8n start: webhook and editor
	const published = await checks.run('webhook example: published with n8n publish:workflow', async () => {
		await n8nCli(runtime, env, ['publish:workflow', `--id=${EXAMPLE_IDS.webhook}`], { logFile: commandsLog });
	});
	let server;
	const startedOk = await checks.run('n8n start on 127.0.0.1 (free ports, offline)', async () => {
		server = await startN8n(runtime, env, { logFile: join(dirs.logs, 'n8n-start.out') });
		return { detail: server.base };
	});
	phase('publish and start n8n');
	if (!startedOk) return;

	const cookie = await checkLoadedTypes(checks, { server, owner: OWNER, logs: dirs.logs });
	if (cookie) await checkCredentialTest(checks, { server, cookie, emulator });
	if (published) await checkWebhook(checks, { server, emulatorLog: join(dirs.logs, 'emulator.log') });
	phase('webhook');
	const ledger = cookie ? await checkLedger(checks, { server, cookie, runtime, logs: dirs.logs, emulator, credential: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } }) : {};
	const ledgerTable = ledger.tableId;
	phase('ledger of paid submissions');
	if (cookie && importOk) {
		await checkReviewLoop(checks, {
			server,
			cookie,
			runtime,
			filesDir: dirs.files,
			mailSink,
			apiKey: emulator.apiKey,
			browser: process.env.E2E_SKIP_EDITOR !== '1',
			updateDocs: process.env.E2E_UPDATE_DOCS === '1',
			log,
		});
	}
	phase('review loop (forms by mail)');
	if (cookie && importOk) await checkAgentTools(checks, { server, cookie, runtime, emulator, logs: dirs.logs });
	phase('AI agent and MCP tools');

	// 5. Editor
	if (process.env.E2E_SKIP_EDITOR === '1') {
		log('  (E2E_SKIP_EDITOR=1: browser checks left out)');
	} else if (cookie) {
		const { runEditorChecks, nodeDescriptionFromN8n } = await import('./editor.mjs');
		let description;
		const described = await checks.run('editor: the node description as n8n serves it', async () => {
			description = await nodeDescriptionFromN8n(server.base, cookie);
			return { detail: `${description.properties.length} properties` };
		});
		if (described) {
			try {
				await runEditorChecks({
					base: server.base,
					email: OWNER.email,
					password: OWNER.password,
					cookie,
					description,
					ledger: ledgerTable,
					checks,
					updateDocs: process.env.E2E_UPDATE_DOCS === '1',
					log,
				});
			} catch (error) {
				checks.record('editor: browser', false, error.message);
			}
		}
		phase('editor (browser)');
	}
	clock.total();
}

await runSuite({ label: 'e2e', checks, clock, main, footer: `Logs and files: ${WORK.replace(`${ROOT}/`, '')}/ (n8n-user, files, logs)` });
