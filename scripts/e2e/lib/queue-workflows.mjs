// The workflows of the queue-mode suite, created through main's REST API with their credentials
// and Data Table: one on the 2 s emulator for the batches, two on the 8 s emulator for the worker
// kill (without and with the Data Table that keeps documentKey → request_id).
import { randomUUID } from 'node:crypto';

import { expect } from './checks.mjs';
import { NODE_TYPE } from './n8n.mjs';
import { POLL_INTERVAL_S, WEBHOOK_PATH } from './queue-config.mjs';

const DATA_TABLE_COLUMNS = ['documentKey', 'request_id'];

/**
 * The webhook workflow: Webhook → Submit (Wait for Result off) → Get Result (wait) → Get Table
 * (rows) → Respond to Webhook. With `dataTableId`, Submit runs only for a document key that has
 * no row in the Data Table yet, and its request_id is written there at once; a document key seen
 * before goes straight to Get Result with the saved request_id.
 */
function ocrWorkflow({ credential, name, path, dataTableId }) {
	const credentials = { greenNodeOcrApi: { id: credential.id, name: credential.name } };
	const node = (nodeName, type, typeVersion, x, y, parameters, extra = {}) => ({ id: randomUUID(), name: nodeName, type, typeVersion, position: [x, y], parameters, ...extra });
	const ocr = (nodeName, x, y, parameters, extra = {}) => node(nodeName, NODE_TYPE, 1, x, y, parameters, { credentials, ...extra });
	const key = "={{ $('Receive document').first().json.body.documentKey }}";
	const table = { __rl: true, mode: 'id', value: dataTableId };
	const byKey = { matchType: 'anyCondition', filters: { conditions: [{ keyName: 'documentKey', condition: 'eq', keyValue: key }] } };
	const dataTable = (nodeName, x, y, operation, parameters = {}) =>
		node(nodeName, 'n8n-nodes-base.dataTable', 1.1, x, y, { resource: 'row', operation, dataTableId: table, ...parameters });
	const answer = [
		'={{ {',
		"upload: $('Receive document').first().json.body.documentKey,",
		'execution: $execution.id,',
		"submitted_here: $('Submit').isExecuted,",
		"request_id: $('Get Result').first().json.request_id,",
		"status: $('Get Result').first().json.status,",
		"document_type: $('Get Result').first().json.documents[0].document_type,",
		"table_rows: $('Get Table').all().filter(item => item.json.row !== undefined).length",
		'} }}',
	].join(' ');
	const x = dataTableId ? 240 : 0;
	const nodes = [
		node('Receive document', 'n8n-nodes-base.webhook', 2.1, 0, 0, { httpMethod: 'POST', path, responseMode: 'responseNode', options: {} }, { webhookId: randomUUID() }),
		ocr('Submit', 240 + x, 0, { operation: 'submit', docType: "={{ $('Receive document').first().json.body.docType }}", waitForResult: false, options: {} }),
		ocr('Get Result', 480 + 2 * x, 0, {
			operation: 'getResult',
			requestId: '={{ $json.request_id }}',
			waitForResult: true,
			output: 'raw',
			options: { pollInterval: POLL_INTERVAL_S, timeout: 120 },
		}),
		ocr(
			'Get Table',
			720 + 2 * x,
			0,
			{ operation: 'getTable', requestId: '={{ $json.request_id }}', documentId: '={{ $json.documents[0].document_id }}', options: { outputMode: 'rows' } },
			{ alwaysOutputData: true },
		),
		node('Respond', 'n8n-nodes-base.respondToWebhook', 1.5, 960 + 2 * x, 0, { respondWith: 'json', responseBody: answer, options: {} }),
	];
	const connections = {};
	const link = (from, to) => {
		connections[from] ??= { main: [[]] };
		connections[from].main[0].push({ node: to, type: 'main', index: 0 });
	};
	if (dataTableId) {
		const schema = DATA_TABLE_COLUMNS.map((column) => ({ id: column, displayName: column, required: false, defaultMatch: false, display: true, type: 'string', canBeUsedToMatch: true }));
		nodes.push(
			dataTable('Not submitted yet', 240, 0, 'rowNotExists', byKey),
			dataTable('Submitted before', 240, 200, 'rowExists', byKey),
			dataTable('Saved request_id', 720, 200, 'get', byKey),
			dataTable('Remember request_id', 720, 0, 'insert', {
				columns: { mappingMode: 'defineBelow', value: { documentKey: key, request_id: '={{ $json.request_id }}' }, matchingColumns: [], schema },
				options: {},
			}),
		);
		link('Receive document', 'Not submitted yet');
		link('Receive document', 'Submitted before');
		link('Not submitted yet', 'Submit');
		link('Submit', 'Remember request_id');
		link('Remember request_id', 'Get Result');
		link('Submitted before', 'Saved request_id');
		link('Saved request_id', 'Get Result');
	} else {
		link('Receive document', 'Submit');
		link('Submit', 'Get Result');
	}
	link('Get Result', 'Get Table');
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
	const ok = await checks.run('n8n main: node loaded; credentials, Data Table and webhook workflows created and published (REST API)', async () => {
		const types = await (await fetch(`${base}/types/nodes.json`, { headers: { cookie: cluster.cookie } })).json();
		expect(types.some((type) => type.name === NODE_TYPE), `${NODE_TYPE} is not among the node types main serves`);
		const credential = await createCredential(cluster, 'GreenNode OCR (emulator)', emulators.byName.emulator);
		const slowCredential = await createCredential(cluster, 'GreenNode OCR (emulator, 8 s per job)', emulators.byName['emulator-slow']);
		const project = await cluster.api('GET', '/projects/personal');
		const dataTable = await cluster.api('POST', `/projects/${project.id}/data-tables`, {
			name: 'greennode_requests',
			columns: DATA_TABLE_COLUMNS.map((name) => ({ name, type: 'string' })),
		});
		for (const [kind, definition] of Object.entries({
			plain: ocrWorkflow({ credential, name: 'GreenNode OCR in queue mode', path: WEBHOOK_PATH }),
			crashPlain: ocrWorkflow({ credential: slowCredential, name: 'GreenNode OCR in queue mode (8 s jobs)', path: `${WEBHOOK_PATH}-slow` }),
			crashOnce: ocrWorkflow({
				credential: slowCredential,
				name: 'GreenNode OCR in queue mode (8 s jobs), submitted once per document key',
				path: `${WEBHOOK_PATH}-slow-once`,
				dataTableId: dataTable.id,
			}),
		})) {
			const created = await cluster.api('POST', '/workflows', definition);
			await cluster.api('POST', `/workflows/${created.id}/activate`, { versionId: created.versionId });
			workflows[kind] = { ...created, url: `${base}/webhook/${definition.nodes[0].parameters.path}` };
		}
		return { detail: `Webhook → Submit (Wait for Result off) → Get Result (wait, poll ${POLL_INTERVAL_S} s) → Get Table (rows) → Respond; the same on the 8 s emulator, with and without the Data Table (${dataTable.id})` };
	});
	return ok ? workflows : undefined;
}
