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
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { Checks, expect } from './lib/checks.mjs';
import { checkImage, parseCsv, samplePdf } from './lib/files.mjs';
import { ensureRuntime } from './lib/install.mjs';
import {
	buildAndPack,
	CREDENTIAL_ID,
	CREDENTIAL_NAME,
	executeWorkflow,
	importEmulatorCredential,
	importExamples,
	installCommunityPackage,
	n8nCli,
	n8nEnv,
	n8nLogErrors,
	NODE_TYPE,
	nodeError,
	nodeOutput,
	PACKAGE,
	ROOT,
	setupOwnerAndLogin,
	startEmulator,
	startN8n,
} from './lib/n8n.mjs';
import { freePorts, log, onShutdown, stopAll } from './lib/proc.mjs';

const WORK = join(ROOT, '.output', 'e2e');
const CACHE = process.env.E2E_CACHE_DIR || join(ROOT, '.cache', 'e2e');
const OWNER = { email: 'e2e-owner@example.com', password: `E2e-${Math.random().toString(36).slice(2, 10)}-Pw1` };

const EXAMPLE_IDS = {
	table: 'GnOcrExTableCsv1',
	images: 'GnOcrExImages001',
	batch: 'GnOcrExBatchErr1',
	webhook: 'GnOcrExWebhook01',
};

const BREAKS = {
	'remove-getTable': ['dist/nodes/GreenNodeOcr/actions/documentPart.operation.js'],
	'remove-credential': ['dist/credentials/GreenNodeOcrApi.credentials.js'],
	'remove-icon': ['dist/nodes/GreenNodeOcr/greennode.svg'],
};

const checks = new Checks();
const timings = [];
let phaseStarted = Date.now();
function phase(name) {
	const now = Date.now();
	timings.push([name, (now - phaseStarted) / 1000]);
	phaseStarted = now;
}

function failedExecution(result) {
	const error = result.run?.data?.resultData?.error;
	if (error) return `the execution failed: ${error.message}${error.description ? ` (${error.description})` : ''}`;
	if (!result.run) {
		const why = result.errors.length ? result.errors.join(' | ') : result.output.split('\n').slice(-12).join('\n');
		return `n8n execute exited with ${result.code} without running it: ${why} (log: ${result.logFile.replace(`${ROOT}/`, '')})`;
	}
	return `n8n execute exited with ${result.code} (log: ${result.logFile})`;
}

async function main() {
	const started = Date.now();
	rmSync(WORK, { recursive: true, force: true });
	const dirs = {
		user: join(WORK, 'n8n-user'),
		files: join(WORK, 'files'),
		logs: join(WORK, 'logs'),
		pack: join(WORK, 'pack'),
		imports: join(WORK, 'imports'),
	};
	for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
	mkdirSync(join(dirs.files, 'inbox'), { recursive: true });
	const commandsLog = join(dirs.logs, 'commands.log');
	log(`e2e: ${PACKAGE.name}@${PACKAGE.version} in n8n (work folder ${WORK})`);

	// 1. Runtime
	let runtime;
	const runtimeOk = await checks.run(`runtime: Node 24 and n8n from ${CACHE.replace(`${ROOT}/`, '')}`, async () => {
		runtime = await ensureRuntime(CACHE, { logFile: commandsLog });
		return { detail: `node ${runtime.nodeVersion}, n8n ${runtime.n8nVersion}` };
	});
	phase('runtime (install or reuse)');
	if (!runtimeOk) return;

	// 2. Package
	let packed;
	const packOk = await checks.run('package: npm run build && npm pack', async () => {
		packed = await buildAndPack(dirs.pack, { skipBuild: process.env.E2E_SKIP_BUILD === '1', logFile: commandsLog });
		const needed = [
			'package.json',
			...PACKAGE.n8n.nodes,
			...PACKAGE.n8n.credentials,
			'dist/nodes/GreenNodeOcr/GreenNodeOcr.node.json',
			'dist/nodes/GreenNodeOcr/greennode.svg',
			'dist/nodes/GreenNodeOcr/greennode.dark.svg',
		];
		const missing = needed.filter((file) => !packed.files.includes(file));
		expect(missing.length === 0, `the tarball lacks ${missing.join(', ')}`);
		const strays = packed.files.filter((file) => /^(src|test|dev|nodes|credentials|scripts|examples)\//.test(file) || file.startsWith('dist/dev/'));
		expect(strays.length === 0, `the tarball carries files users do not need: ${strays.slice(0, 5).join(', ')}`);
		return { detail: `${packed.files.length} files, ${(packed.size / 1024).toFixed(1)} KiB` };
	});
	phase('build and pack');
	if (!packOk) return;

	const breakMode = process.env.E2E_BREAK;
	if (breakMode && !BREAKS[breakMode]) {
		checks.record(`E2E_BREAK=${breakMode}`, false, `unknown; use one of ${Object.keys(BREAKS).join(', ')}`);
		return;
	}
	const installOk = await checks.run('package: installed as an n8n community package from the tarball', async () => {
		const packageDir = await installCommunityPackage(dirs.user, packed.tarball, {
			logFile: commandsLog,
			breakWith: breakMode
				? async (dir) => {
						for (const file of BREAKS[breakMode]) rmSync(join(dir, file), { force: true });
						log(`  (E2E_BREAK=${breakMode}: removed ${BREAKS[breakMode].join(', ')} from the installed copy)`);
					}
				: undefined,
		});
		return { detail: packageDir.replace(`${ROOT}/`, '') };
	});
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
	writeFileSync(join(dirs.files, 'inbox', 'invoice-0001.pdf'), samplePdf('INVOICE 0001'));
	writeFileSync(join(dirs.files, 'inbox', 'scan-fail-0002.pdf'), samplePdf('UNREADABLE SCAN'));

	let examples;
	const importOk = await checks.run('examples: credential and every examples/*.json import into n8n', async () => {
		await importEmulatorCredential(runtime, env, dirs.imports, emulator, commandsLog);
		examples = await importExamples(runtime, env, dirs.imports, dirs.files, commandsLog);
		const problems = [];
		for (const [file, workflow] of Object.entries(examples)) {
			for (const node of workflow.nodes.filter((n) => n.type.endsWith('.greenNodeOcr'))) {
				if (node.type !== NODE_TYPE || node.typeVersion !== 1) problems.push(`${file} "${node.name}": type ${node.type} v${node.typeVersion}`);
				const credential = node.credentials?.greenNodeOcrApi;
				if (credential?.id !== CREDENTIAL_ID || credential?.name !== CREDENTIAL_NAME) problems.push(`${file} "${node.name}": credential ${JSON.stringify(credential)}`);
			}
		}
		expect(problems.length === 0, problems.join('; '));
		// list:workflow prints through n8n's logger: send it to the console for this command.
		const listed = await n8nCli(runtime, { ...env, N8N_LOG_OUTPUT: 'console' }, ['list:workflow'], { logFile: commandsLog });
		const missing = Object.values(EXAMPLE_IDS).filter((id) => !`${listed.stdout}${listed.stderr}`.includes(`${id}|`));
		expect(missing.length === 0, `n8n does not list ${missing.join(', ')} after the import`);
		return { detail: `${Object.keys(examples).length} workflows: ${Object.keys(examples).join(', ')}` };
	});
	phase('import credential and examples');

	if (importOk) {
		// (a) invoice table → CSV
		const table = await executeWorkflow(runtime, env, EXAMPLE_IDS.table, dirs.logs);
		await checks.run('execute invoice-table-to-csv: Submit (wait) → Get Table rows → CSV file', async () => {
			expect(table.ok, failedExecution(table));
			const submitted = nodeOutput(table.run, 'Submit and wait')?.[0];
			expect(submitted?.status === 'COMPLETED', `Submit and wait output status ${submitted?.status}`);
			expect(typeof submitted.request_id === 'string' && submitted.documents?.[0]?.document_id, 'Submit and wait output lacks request_id or documents[0].document_id');
			expect(Array.isArray(submitted.file_ids) && submitted.file_ids.length > 0, 'Submit and wait output lacks file_ids');
			const rows = nodeOutput(table.run, 'Get tables as rows') ?? [];
			expect(rows.length > 0, 'Get tables as rows output no item');
			const file = join(dirs.files, 'invoice-tables.csv');
			expect(existsSync(file), 'invoice-tables.csv was not written');
			const csv = parseCsv(readFileSync(file, 'utf8')).filter((line) => line.some((cell) => cell !== ''));
			const [header, ...lines] = csv;
			const keys = [...new Set(rows.flatMap((row) => Object.keys(row)))];
			expect(JSON.stringify(header) === JSON.stringify(keys), `CSV header ${JSON.stringify(header)}, rows have keys ${JSON.stringify(keys)}`);
			for (const key of ['table', 'page', 'row', 'STT', 'Tên hàng', 'Số lượng', 'Đơn giá']) expect(header.includes(key), `CSV header lacks "${key}"`);
			expect(lines.length === rows.length, `CSV has ${lines.length} data lines for ${rows.length} table rows`);
			rows.forEach((row, index) => {
				const line = lines[index];
				for (const [key, value] of Object.entries(row)) {
					const cell = line[header.indexOf(key)];
					expect(cell === String(value), `CSV line ${index + 2}, column "${key}": "${cell}", the row has "${value}"`);
				}
			});
			const tables = new Set(rows.map((row) => row.table));
			return { detail: `${lines.length} rows from ${tables.size} tables, header: ${header.join(',')} (${table.seconds.toFixed(1)} s)` };
		});

		// (b) result images
		const images = await executeWorkflow(runtime, env, EXAMPLE_IDS.images, dirs.logs);
		await checks.run('execute result-images: Get Result Image / Get Signature / Get Stamp → image files', async () => {
			expect(images.ok, failedExecution(images));
			const found = [];
			for (const [node, format] of [
				['Get page image', 'jpeg'],
				['Get signature image', 'png'],
				['Get stamp image', 'png'],
			]) {
				const output = nodeOutput(images.run, node)?.[0];
				expect(output?.fileName, `${node} output no fileName (${JSON.stringify(output)?.slice(0, 200)})`);
				const path = join(dirs.files, output.fileName);
				expect(existsSync(path), `${output.fileName} was not written`);
				const bytes = readFileSync(path);
				const info = checkImage(bytes);
				expect(info.format === format, `${output.fileName} is ${info.format}, expected ${format}`);
				expect(output.mimeType === `image/${info.format}`, `${node} says ${output.mimeType} for a ${info.format} file`);
				found.push(`${output.fileName.replace(/^.*-(?=[^-]+$)/, '…-')} ${info.format} ${info.width}x${info.height}`);
			}
			const signatures = nodeOutput(images.run, 'Get signatures')?.[0]?.signatures;
			const stamps = nodeOutput(images.run, 'Get stamps')?.[0]?.stamps;
			expect(Array.isArray(signatures) && signatures.length > 0, 'Get signatures output no signatures[]');
			expect(Array.isArray(stamps) && stamps.length > 0, 'Get stamps output no stamps[]');
			return { detail: `${found.join('; ')} (${images.seconds.toFixed(1)} s)` };
		});

		// (c) error output
		const batch = await executeWorkflow(runtime, env, EXAMPLE_IDS.batch, dirs.logs);
		await checks.run('execute batch-with-error-output: a failing file goes to the error output, the batch goes on', async () => {
			expect(batch.ok, failedExecution(batch));
			expect(!nodeError(batch.run, 'Submit and wait'), 'Submit and wait stopped the workflow');
			const resultsFile = join(dirs.files, 'ocr-results.json');
			const errorsFile = join(dirs.files, 'ocr-errors.json');
			expect(existsSync(resultsFile) && existsSync(errorsFile), 'ocr-results.json or ocr-errors.json was not written');
			const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
			const errors = JSON.parse(readFileSync(errorsFile, 'utf8'));
			expect(results.length === 1 && results[0].file === 'invoice-0001.pdf' && results[0].status === 'COMPLETED', `ocr-results.json: ${JSON.stringify(results).slice(0, 300)}`);
			expect(results[0].documents?.length > 0, 'the result has no documents');
			expect(errors.length === 1 && errors[0].file === 'scan-fail-0002.pdf', `ocr-errors.json: ${JSON.stringify(errors).slice(0, 300)}`);
			expect(/FAILED/.test(errors[0].error) && /request_id/.test(errors[0].error), `the error does not say the job FAILED with its request_id: ${errors[0].error}`);
			expect(typeof errors[0].details === 'string' && errors[0].details.length > 0, 'the error has no details');
			expect(!/gn-emulator-key|Bearer/.test(JSON.stringify(errors)), 'the error output shows the API key');
			return { detail: `results: ${results[0].file}; errors: ${errors[0].file}: ${errors[0].error.slice(0, 90)}… (${batch.seconds.toFixed(1)} s)` };
		});
	}
	phase('n8n execute (3 workflows)');

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

	let cookie;
	await checks.run('n8n loaded the node and the credential type from the package', async () => {
		cookie = await setupOwnerAndLogin(server.base, OWNER);
		const nodes = await (await fetch(`${server.base}/types/nodes.json`, { headers: { cookie } })).json();
		const credentials = await (await fetch(`${server.base}/types/credentials.json`, { headers: { cookie } })).json();
		const node = nodes.find((type) => type.name === NODE_TYPE);
		expect(node, `${NODE_TYPE} is not among the ${nodes.length} node types n8n serves; n8n.log: ${n8nLogErrors(join(dirs.logs, 'n8n.log')).join(' | ')}`);
		expect(credentials.some((type) => type.name === 'greenNodeOcrApi'), 'the greenNodeOcrApi credential type is not loaded');
		const operations = node.properties.find((p) => p.name === 'operation')?.options?.map((o) => o.value) ?? [];
		const wanted = ['submit', 'getResult', 'getTable', 'getSignature', 'getStamp', 'getFile'];
		const missing = wanted.filter((op) => !operations.includes(op));
		expect(missing.length === 0, `operations missing: ${missing.join(', ')}`);
		return { detail: `${NODE_TYPE} v${node.version}, operations ${operations.join(', ')}` };
	});

	if (cookie) {
		// The credential's Test button: n8n's own credential tester runs the credential's declarative test.
		const testCredential = async (data) => {
			const response = await fetch(`${server.base}/rest/credentials/test`, {
				method: 'POST',
				headers: { cookie, 'content-type': 'application/json', 'browser-id': 'e2e' },
				body: JSON.stringify({ credentials: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME, type: 'greenNodeOcrApi', data } }),
			});
			const text = await response.text();
			expect(response.status === 200, `answered ${response.status}: ${text.slice(0, 300)}`);
			return JSON.parse(text).data;
		};
		await checks.run('credential Test: a working key (pasted as user-<id>) → "Connection successful!"', async () => {
			const result = await testCredential({ apiKey: ` ${emulator.apiKey}\n`, portalUserId: `user-${emulator.portalUserId}`, baseUrl: emulator.url });
			expect(result?.status === 'OK' && result.message === 'Connection successful!', JSON.stringify(result));
			return { detail: result.message };
		});
		await checks.run('credential Test: a server that is not GreenNode (n8n itself answering 404) fails, whatever the key', async () => {
			const result = await testCredential({ apiKey: 'gn-any-key-e2e', portalUserId: '1', baseUrl: server.base });
			expect(result?.status === 'Error' && /answered 404 where GreenNode's OCR API answers 400/.test(result.message), JSON.stringify(result));
			return { detail: result.message.slice(0, 100) };
		});
		await checks.run('credential Test: plain http to a host that is not local is refused before sending the key', async () => {
			const result = await testCredential({ apiKey: 'gn-any-key-e2e', portalUserId: '1', baseUrl: 'http://example.invalid' });
			expect(result?.status === 'Error' && /unencrypted/.test(result.message), JSON.stringify(result));
			return { detail: result.message.slice(0, 100) };
		});
		await checks.run('credential Test: a wrong key → a clear reason, without the key', async () => {
			const wrongKey = 'gn-wrong-key-e2e-0000';
			const result = await testCredential({ apiKey: wrongKey, portalUserId: emulator.portalUserId, baseUrl: emulator.url });
			expect(result?.status === 'Error' && /403/.test(result.message) && /ACTIVE/.test(result.message), JSON.stringify(result));
			expect(!result.message.includes(wrongKey), 'the message shows the key');
			return { detail: result.message.slice(0, 100) };
		});
	}

	if (published) {
		const url = `${server.base}/webhook/greennode-ocr`;
		await checks.run('webhook: multipart upload → 200 with the OCR result (Respond to Webhook)', async () => {
			const form = new FormData();
			form.append('data', new Blob([samplePdf('INVOICE 0003')], { type: 'application/pdf' }), 'invoice-0003.pdf');
			form.append('docType', 'INVOICE');
			const begun = Date.now();
			const response = await fetch(url, { method: 'POST', body: form });
			const text = await response.text();
			expect(response.status === 200, `answered ${response.status}: ${text.slice(0, 300)}`);
			expect(/application\/json/.test(response.headers.get('content-type') ?? ''), `content-type ${response.headers.get('content-type')}`);
			const body = JSON.parse(text);
			expect(body.status === 'COMPLETED' && typeof body.request_id === 'string', `body: ${text.slice(0, 300)}`);
			expect(body.documents?.[0]?.document_type === 'INVOICE', `documents[0].document_type is ${body.documents?.[0]?.document_type}, the form said INVOICE`);
			expect(body.documents[0].ocr_data?.[0]?.value?.length > 0, 'documents[0] has no OCR fields');
			return { detail: `request_id ${body.request_id}, ${body.documents.length} documents, ${((Date.now() - begun) / 1000).toFixed(1)} s` };
		});
		await checks.run('webhook: a file GreenNode cannot read → 422 with the error (error output)', async () => {
			const form = new FormData();
			form.append('data', new Blob([samplePdf('BAD')], { type: 'application/pdf' }), 'scan-fail-0004.pdf');
			const response = await fetch(url, { method: 'POST', body: form });
			const text = await response.text();
			expect(response.status === 422, `answered ${response.status}: ${text.slice(0, 300)}`);
			const body = JSON.parse(text);
			expect(/FAILED/.test(body.error ?? ''), `body: ${text.slice(0, 300)}`);
			return { detail: body.error.slice(0, 100) };
		});
	}
	phase('webhook');

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
	timings.push(['total', (Date.now() - started) / 1000]);
}

let exitCode = 1;
onShutdown(() => stopAll());
try {
	await main();
} catch (error) {
	checks.record('e2e run', false, error?.stack ?? String(error));
} finally {
	await stopAll();
	if (timings.length) {
		log(`\nTimings: ${timings.map(([name, seconds]) => `${name} ${seconds.toFixed(1)} s`).join(' | ')}`);
	}
	log(`Logs and files: ${WORK.replace(`${ROOT}/`, '')}/ (n8n-user, files, logs)`);
	if (checks.failed === 0 && checks.passed === 0) checks.record('e2e run', false, 'no check ran');
	log(checks.summary('e2e'));
	exitCode = checks.failed > 0 ? 1 : 0;
}
process.exit(exitCode);
