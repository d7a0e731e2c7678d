// The ledger of paid submissions in a real n8n: a key of n8n's own API, the GreenNode OCR Ledger API
// credential, and a webhook workflow whose Submit waits for the result. The suite's emulator is
// started again on its port (so the suite's credential still fits) with jobs that take 4 s. Every
// check counts the uploads the emulator logged for the file it sends.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { expect } from './checks.mjs';
import { samplePdf } from './files.mjs';
import { NODE_TYPE, startEmulator } from './n8n.mjs';
import { log, stopService, waitFor } from './proc.mjs';
import { post } from './queue-uploads.mjs';

export const LEDGER_TABLE = 'GreenNode OCR submissions';
const PATH = 'greennode-ocr-ledger';
const JOB_MS = 4000;

/** The emulator stopped and started again on the same port with 4 s jobs: it forgets every job. */
async function restartEmulator(emulator, logFile) {
	const port = Number(new URL(emulator.url).port);
	await stopService(emulator.service);
	return await startEmulator({ logFile, port, delayMs: JOB_MS });
}

/** A REST client for n8n as its owner: `data` of each answer; executions unflattened. */
export function restClient(server, cookie, runtime) {
	const flatted = createRequire(join(runtime.n8nDir, 'node_modules', 'n8n', 'package.json'))('flatted');
	const api = async (method, path, body) => {
		const response = await fetch(`${server.base}/rest${path}`, {
			method,
			headers: { cookie, 'content-type': 'application/json', 'browser-id': 'e2e-ledger' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`${method} /rest${path} answered ${response.status}: ${text.slice(0, 400)}`);
		return text ? JSON.parse(text).data : undefined;
	};
	const execution = async (id) => {
		const data = await api('GET', `/executions/${id}`);
		return { ...data, data: typeof data.data === 'string' ? flatted.parse(data.data) : data.data };
	};
	return { api, execution };
}

/** Uploads the emulator logged for a file name. */
function uploadsOf(logFile, fileName) {
	const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
	return text
		.split('\n')
		.filter((line) => line.includes(` file=${JSON.stringify(fileName)} `))
		.map((line) => / request_id=(\S+)/.exec(line)?.[1]);
}

function workflow({ credential, ledgerCredential }) {
	const node = (name, type, typeVersion, x, parameters, extra = {}) => ({ id: randomUUID(), name, type, typeVersion, position: [x, 0], parameters, ...extra });
	return {
		name: 'GreenNode OCR with its ledger',
		nodes: [
			node('Receive scan', 'n8n-nodes-base.webhook', 2.1, 0, { httpMethod: 'POST', path: PATH, responseMode: 'lastNode', options: { binaryPropertyName: 'data' } }, { webhookId: randomUUID() }),
			node('Submit', NODE_TYPE, 1, 240, {
				operation: 'submit',
				binaryPropertyName: 'data0',
				docType: 'ID',
				output: 'raw',
				options: {
					pollInterval: 0.5,
					timeout: '={{ Number($json.query.timeout || 30) }}',
					duplicates: '={{ $json.query.duplicates || "reuse" }}',
				},
			}, {
				credentials: {
					greenNodeOcrApi: { id: credential.id, name: credential.name },
					greenNodeOcrN8nApi: { id: ledgerCredential.id, name: ledgerCredential.name },
				},
			}),
		],
		connections: { 'Receive scan': { main: [[{ node: 'Submit', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1', saveDataErrorExecution: 'all', saveDataSuccessExecution: 'all' },
	};
}

/** A multipart post of the scan to the webhook, as `fileName`; { status, body, text }. */
async function postScan(url, bytes, fileName, query = '') {
	const answer = await post(`${url}${query}`, { bytes, name: fileName, id: fileName, docType: 'ID' }, 60000);
	return { ...answer, text: typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body) };
}

/**
 * Sets up the ledger (API key, its credential, workflow) and runs its checks with the suite's emulator
 * (started again with 4 s jobs) and GreenNode credential. Returns { tableId: the ledger's Data Table
 * ({ id, name, requestId of a row }) for the editor check, emulator: the emulator now running }.
 */
export async function checkLedger(checks, { server, cookie, runtime, logs, emulator, credential }) {
	const { api, execution } = restClient(server, cookie, runtime);
	let logFile = join(logs, 'emulator-ledger.log');
	let current = await restartEmulator(emulator, logFile);
	let flow;
	let ledgerCredential;
	const ready = await checks.run('ledger: an n8n API key with the Data Table scopes, the GreenNode OCR Ledger API credential, a webhook workflow (REST API)', async () => {
		const scopes = (await api('GET', '/api-keys/scopes')).filter((scope) => scope.startsWith('dataTable'));
		expect(scopes.includes('dataTableRow:create'), `the owner's API key scopes are ${scopes.join(', ')}`);
		const key = await api('POST', '/api-keys', { label: 'GreenNode OCR ledger', scopes, expiresAt: null });
		ledgerCredential = await api('POST', '/credentials', {
			name: 'GreenNode OCR ledger (this n8n)',
			type: 'greenNodeOcrN8nApi',
			data: { apiKey: key.rawApiKey, baseUrl: server.base },
		});
		const created = await api('POST', '/workflows', workflow({ credential, ledgerCredential }));
		await api('POST', `/workflows/${created.id}/activate`, { versionId: created.versionId });
		await waitFor('the workflow to be published', async () => (await api('GET', `/workflows/${created.id}/publication-status`))?.status === 'published', { timeoutMs: 30000 });
		flow = { ...created, url: `${server.base}/webhook/${PATH}` };
		return { detail: `${scopes.length} scopes; Webhook → Submit (Wait for Result, raw) with both credentials` };
	});
	if (!ready) return {};

	const scan = samplePdf(`LEDGER SCAN ${randomUUID()}`);
	let paidRequestId;
	let tableId;

	await checks.run('ledger: Submit past its Timeout fails; the editor\'s Retry uploads nothing and outputs the result', async () => {
		const failed = await postScan(flow.url, scan, 'ledger-scan.pdf', '?timeout=1');
		expect(failed.status === 500, `the first post answered ${failed.status}: ${failed.text.slice(0, 200)}`);
		const [requestId] = uploadsOf(logFile, 'ledger-scan.pdf');
		expect(requestId, 'the emulator logged no upload');
		paidRequestId = requestId;
		const list = await api('GET', `/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: flow.id }))}`);
		const failedRun = list.results.find((entry) => entry.status === 'error');
		expect(failedRun, `no failed execution among ${JSON.stringify(list.results.map((entry) => entry.status))}`);
		const failedData = await execution(failedRun.id);
		expect(JSON.stringify(failedData.data.resultData.error ?? {}).includes(requestId), 'the failed execution does not name the request_id');
		await new Promise((resolve) => setTimeout(resolve, JOB_MS));
		const retried = await api('POST', `/executions/${failedRun.id}/retry`, { loadWorkflow: false });
		const after = await waitFor('the retry to end', async () => {
			const value = await execution(String(retried.id));
			return ['running', 'new', 'waiting'].includes(value.status) ? undefined : value;
		}, { timeoutMs: 60000, intervalMs: 500 });
		expect(after.status === 'success', `the retry ended ${after.status}: ${JSON.stringify(after.data.resultData.error ?? {}).slice(0, 300)}`);
		const output = after.data.resultData.runData.Submit[0].data.main[0][0].json;
		expect(output.request_id === requestId && output.reused === true && output.status === 'COMPLETED', `the retry output ${JSON.stringify(output).slice(0, 300)}`);
		const uploads = uploadsOf(logFile, 'ledger-scan.pdf');
		expect(uploads.length === 1, `the emulator logged ${uploads.length} uploads`);
		return { detail: `execution ${failedRun.id} failed with request_id ${requestId}; retry ${retried.id}: reused, COMPLETED, 1 upload in all` };
	});

	await checks.run('ledger: the same file posted again (another name) is not uploaded; the answer says reused', async () => {
		const again = await postScan(flow.url, scan, 'ledger-scan-resent.pdf');
		expect(again.status === 200, `answered ${again.status}: ${again.text.slice(0, 200)}`);
		expect(again.body.request_id === paidRequestId && again.body.reused === true && typeof again.body.submitted_at === 'string', `answer ${again.text.slice(0, 300)}`);
		const uploads = uploadsOf(logFile, 'ledger-scan-resent.pdf').length + uploadsOf(logFile, 'ledger-scan.pdf').length;
		expect(uploads === 1, `the emulator logged ${uploads} uploads of the file`);
		return { detail: `request_id ${paidRequestId}, submitted_at ${again.body.submitted_at}` };
	});

	await checks.run('ledger: a Data Table named "GreenNode OCR submissions" holds one row for the file, without the API key', async () => {
		const project = await api('GET', '/projects/personal');
		const tables = await api('GET', `/projects/${project.id}/data-tables?filter=${encodeURIComponent(JSON.stringify({ name: LEDGER_TABLE }))}`);
		const table = (tables.data ?? tables).find((entry) => entry.name === LEDGER_TABLE);
		expect(table, `no Data Table "${LEDGER_TABLE}"`);
		tableId = { id: table.id, name: LEDGER_TABLE, requestId: paidRequestId };
		const rows = await api('GET', `/projects/${project.id}/data-tables/${table.id}/rows?take=50`);
		const list = rows.data ?? rows;
		const mine = list.filter((row) => row.request_id === paidRequestId);
		expect(mine.length === 1, `${mine.length} rows for ${paidRequestId}: ${JSON.stringify(list).slice(0, 300)}`);
		expect(mine[0].file_name === 'ledger-scan.pdf' && mine[0].size === scan.length && mine[0].doc_type === 'ID', JSON.stringify(mine[0]));
		expect(!JSON.stringify(list).includes(emulator.apiKey), 'the ledger holds the GreenNode API key');
		return { detail: `table ${table.id}, columns ${Object.keys(mine[0]).join(', ')}` };
	});

	await checks.run('ledger: Duplicates → Submit Again uploads the file again, and the row follows the new request_id', async () => {
		const again = await postScan(flow.url, scan, 'ledger-scan.pdf', '?duplicates=submitAgain');
		expect(again.status === 200 && again.body.reused === false, `answered ${again.status}: ${again.text.slice(0, 200)}`);
		const uploads = uploadsOf(logFile, 'ledger-scan.pdf');
		expect(uploads.length === 2 && again.body.request_id === uploads[1], `uploads ${uploads.join(', ')}; answer ${again.body.request_id}`);
		paidRequestId = again.body.request_id;
		return { detail: `new request_id ${paidRequestId}` };
	});

	await checks.run('ledger: a request_id GreenNode no longer knows (404: the emulator restarted) is submitted again', async () => {
		logFile = join(logs, 'emulator-ledger-restarted.log');
		current = await restartEmulator(current, logFile);
		const again = await postScan(flow.url, scan, 'ledger-scan.pdf');
		expect(again.status === 200 && again.body.reused === false && again.body.request_id !== paidRequestId, `answered ${again.status}: ${again.text.slice(0, 300)}`);
		const uploads = uploadsOf(logFile, 'ledger-scan.pdf');
		const polls = readFileSync(logFile, 'utf8').split('\n').filter((line) => line.includes(`/ocr/ingest/${paidRequestId} 404`));
		expect(uploads.length === 1 && polls.length >= 1, `${uploads.length} uploads after the restart; ${polls.length} polls of the old request_id answered 404`);
		if (tableId) tableId.requestId = again.body.request_id;
		return { detail: `${paidRequestId} answered 404; submitted again as ${again.body.request_id}` };
	});
	// Leave the editor checks the credentials they had (n8n picks the only one of a type for a new node).
	for (const [what, cleanUp] of [
		['deactivate the ledger workflow', () => api('POST', `/workflows/${flow.id}/deactivate`, {})],
		['delete the ledger credential', () => api('DELETE', `/credentials/${ledgerCredential.id}`)],
	]) {
		await cleanUp().catch((error) => log(`  (ledger: could not ${what}: ${error.message.slice(0, 200)})`));
	}
	return { tableId, emulator: current };
}
