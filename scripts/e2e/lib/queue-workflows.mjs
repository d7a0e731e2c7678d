// The workflows of the queue-mode suite, created through main's REST API with their credentials
// and Data Table: one on the 2 s emulator for the batches, two on the 8 s emulator for the worker
// kill (without and with the Data Table that keeps documentKey → request_id).
import { randomUUID } from 'node:crypto';

import { expect } from './checks.mjs';
import { NODE_TYPE } from './n8n.mjs';
import { POLL_INTERVAL_S, WEBHOOK_PATH } from './queue-config.mjs';

/**
 * The webhook workflow: Webhook → Submit (Wait for Result off) → Get Result (wait) → Get Table
 * (rows) → Respond to Webhook. With `ledgerCredential`, it is Webhook → Submit (Wait for Result on,
 * with the GreenNode OCR Ledger API credential) → Get Table → Respond: the node keeps the ledger of
 * paid submissions itself, so a document posted again after a crash is not submitted again.
 */
function ocrWorkflow({ credential, ledgerCredential, name, path }) {
	const credentials = { greenNodeOcrApi: { id: credential.id, name: credential.name } };
	if (ledgerCredential) credentials.greenNodeOcrN8nApi = { id: ledgerCredential.id, name: ledgerCredential.name };
	const node = (nodeName, type, typeVersion, x, y, parameters, extra = {}) => ({ id: randomUUID(), name: nodeName, type, typeVersion, position: [x, y], parameters, ...extra });
	const ocr = (nodeName, x, y, parameters, extra = {}) => node(nodeName, NODE_TYPE, 1, x, y, parameters, { credentials, ...extra });
	const result = ledgerCredential ? 'Submit' : 'Get Result';
	const answer = [
		'={{ {',
		"upload: $('Receive document').first().json.body.documentKey,",
		'execution: $execution.id,',
		ledgerCredential ? "reused: $('Submit').first().json.reused," : "submitted_here: $('Submit').isExecuted,",
		`request_id: $('${result}').first().json.request_id,`,
		`status: $('${result}').first().json.status,`,
		`document_type: $('${result}').first().json.documents[0].document_type,`,
		"table_rows: $('Get Table').all().filter(item => item.json.row !== undefined).length",
		'} }}',
	].join(' ');
	const wait = { pollInterval: POLL_INTERVAL_S, timeout: 120 };
	const nodes = [
		node('Receive document', 'n8n-nodes-base.webhook', 2.1, 0, 0, { httpMethod: 'POST', path, responseMode: 'responseNode', options: {} }, { webhookId: randomUUID() }),
		ledgerCredential
			? ocr('Submit', 240, 0, { operation: 'submit', docType: "={{ $('Receive document').first().json.body.docType }}", waitForResult: true, output: 'raw', options: wait })
			: ocr('Submit', 240, 0, { operation: 'submit', docType: "={{ $('Receive document').first().json.body.docType }}", waitForResult: false, options: {} }),
		...(ledgerCredential ? [] : [ocr('Get Result', 480, 0, { operation: 'getResult', requestId: '={{ $json.request_id }}', waitForResult: true, output: 'raw', options: wait })]),
		ocr(
			'Get Table',
			720,
			0,
			{ operation: 'getTable', requestId: '={{ $json.request_id }}', documentId: '={{ $json.documents[0].document_id }}', options: { outputMode: 'rows' } },
			{ alwaysOutputData: true },
		),
		node('Respond', 'n8n-nodes-base.respondToWebhook', 1.5, 960, 0, { respondWith: 'json', responseBody: answer, options: {} }),
	];
	const connections = {};
	const link = (from, to) => {
		connections[from] ??= { main: [[]] };
		connections[from].main[0].push({ node: to, type: 'main', index: 0 });
	};
	link('Receive document', 'Submit');
	if (ledgerCredential) link('Submit', 'Get Table');
	else {
		link('Submit', 'Get Result');
		link('Get Result', 'Get Table');
	}
	link('Get Table', 'Respond');
	return { name, nodes, connections, settings: { executionOrder: 'v1' } };
}

/** A GreenNode OCR credential for an emulator. */
function createCredential(cluster, name, emulator) {
	return cluster.api('POST', '/credentials', {
		name,
		type: 'greenNodeOcrApi',
		data: { apiKey: emulator.apiKey, portalUserId: emulator.portalUserId, baseUrl: emulator.url },
	});
}

/**
 * Checks that main serves the node, then creates the credentials, the Data Table and the three
 * webhook workflows, and publishes them. Returns { plain, crashPlain, crashOnce } (each the
 * created workflow and its webhook `url`), or undefined when that failed.
 */
export async function checkWorkflowSetup(checks, cluster, emulators) {
	const base = cluster.main.base;
	const workflows = {};
	const ok = await checks.run('n8n main: node loaded; credentials (the ledger\'s with an n8n API key) and webhook workflows created and published (REST API)', async () => {
		const types = await (await fetch(`${base}/types/nodes.json`, { headers: { cookie: cluster.cookie } })).json();
		expect(types.some((type) => type.name === NODE_TYPE), `${NODE_TYPE} is not among the node types main serves`);
		const credential = await createCredential(cluster, 'GreenNode OCR (emulator)', emulators.byName.emulator);
		const slowCredential = await createCredential(cluster, 'GreenNode OCR (emulator, 8 s per job)', emulators.byName['emulator-slow']);
		// The ledger: a key of n8n's own API, reached by every worker at main's address.
		const scopes = (await cluster.api('GET', '/api-keys/scopes')).filter((scope) => scope.startsWith('dataTable'));
		const key = await cluster.api('POST', '/api-keys', { label: 'GreenNode OCR ledger', scopes, expiresAt: null });
		const ledgerCredential = await cluster.api('POST', '/credentials', {
			name: 'GreenNode OCR ledger (this n8n)',
			type: 'greenNodeOcrN8nApi',
			data: { apiKey: key.rawApiKey, baseUrl: base },
		});
		for (const [kind, definition] of Object.entries({
			plain: ocrWorkflow({ credential, name: 'GreenNode OCR in queue mode', path: WEBHOOK_PATH }),
			crashPlain: ocrWorkflow({ credential: slowCredential, name: 'GreenNode OCR in queue mode (8 s jobs)', path: `${WEBHOOK_PATH}-slow` }),
			crashOnce: ocrWorkflow({
				credential: slowCredential,
				ledgerCredential,
				name: 'GreenNode OCR in queue mode (8 s jobs), with the ledger of paid submissions',
				path: `${WEBHOOK_PATH}-slow-once`,
			}),
		})) {
			const created = await cluster.api('POST', '/workflows', definition);
			await cluster.api('POST', `/workflows/${created.id}/activate`, { versionId: created.versionId });
			workflows[kind] = { ...created, url: `${base}/webhook/${definition.nodes[0].parameters.path}` };
		}
		return { detail: `Webhook → Submit (Wait for Result off) → Get Result (wait, poll ${POLL_INTERVAL_S} s) → Get Table (rows) → Respond; the same on the 8 s emulator, and Webhook → Submit (waiting, with the ledger) → Get Table → Respond` };
	});
	return ok ? workflows : undefined;
}
