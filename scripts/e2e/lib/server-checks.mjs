// The e2e checks against a running `n8n start`: the node and credential types it loaded, the
// credential's Test button (n8n's own credential tester), and the published webhook example.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { expect } from './checks.mjs';
import { samplePdf } from './files.mjs';
import { CREDENTIAL_ID, CREDENTIAL_NAME, n8nLogErrors, NODE_TYPE, setupOwnerAndLogin } from './n8n.mjs';

/** Signs the owner up and in; checks that n8n serves the node and credential types. Returns the session cookie, or undefined. */
export async function checkLoadedTypes(checks, { server, owner, logs }) {
	let cookie;
	await checks.run('n8n loaded the node and the credential type from the package', async () => {
		cookie = await setupOwnerAndLogin(server.base, owner);
		const nodes = await (await fetch(`${server.base}/types/nodes.json`, { headers: { cookie } })).json();
		const credentials = await (await fetch(`${server.base}/types/credentials.json`, { headers: { cookie } })).json();
		const node = nodes.find((type) => type.name === NODE_TYPE);
		expect(node, `${NODE_TYPE} is not among the ${nodes.length} node types n8n serves; n8n.log: ${n8nLogErrors(join(logs, 'n8n.log')).join(' | ')}`);
		expect(credentials.some((type) => type.name === 'greenNodeOcrApi'), 'the greenNodeOcrApi credential type is not loaded');
		expect(credentials.some((type) => type.name === 'greenNodeOcrN8nApi'), 'the greenNodeOcrN8nApi credential type is not loaded');
		const operations = node.properties.find((p) => p.name === 'operation')?.options?.map((o) => o.value) ?? [];
		const wanted = ['submit', 'getResult', 'getTable', 'getSignature', 'getStamp', 'getFile'];
		const missing = wanted.filter((op) => !operations.includes(op));
		expect(missing.length === 0, `operations missing: ${missing.join(', ')}`);
		return { detail: `${NODE_TYPE} v${node.version}, operations ${operations.join(', ')}` };
	});
	return cookie;
}

/** The credential's Test button with a working key, a server that is not GreenNode, plain http, and a wrong key. */
export async function checkCredentialTest(checks, { server, cookie, emulator }) {
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

/** POSTs uploads to the published webhook example: one GreenNode reads, one it cannot, a large one. */
export async function checkWebhook(checks, { server, emulatorLog }) {
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
	await checks.run('webhook: a 24 MB upload reaches GreenNode whole (size and sha256 the emulator received)', async () => {
		const bytes = Buffer.concat([samplePdf('LARGE SCAN 0005'), randomBytes(24 * 1024 * 1024)]);
		const form = new FormData();
		form.append('data', new Blob([bytes], { type: 'application/pdf' }), 'large-scan-0005.pdf');
		form.append('docType', 'ID');
		const response = await fetch(url, { method: 'POST', body: form });
		const text = await response.text();
		expect(response.status === 200, `answered ${response.status}: ${text.slice(0, 300)}`);
		const received = await waitForUpload(emulatorLog, 'large-scan-0005.pdf');
		const sha256 = createHash('sha256').update(bytes).digest('hex');
		expect(received.size === bytes.length, `the emulator received ${received.size} bytes of ${bytes.length}`);
		expect(received.sha256 === sha256, `the emulator received sha256 ${received.sha256}, the file has ${sha256}`);
		return { detail: `${(bytes.length / 1024 / 1024).toFixed(1)} MB, sha256 ${sha256.slice(0, 12)}… matches` };
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

/** The size and sha256 the emulator logged for an upload of `fileName` (its log lines come with a small delay). */
export async function waitForUpload(emulatorLog, fileName, timeoutMs = 10000) {
	const started = Date.now();
	for (;;) {
		const text = existsSync(emulatorLog) ? readFileSync(emulatorLog, 'utf8') : '';
		const line = text.split('\n').find((entry) => entry.includes(` file=${JSON.stringify(fileName)} `));
		if (line) {
			const [, size, sha256] = / size=(\d+) sha256=([0-9a-f]{64})/.exec(line) ?? [];
			return { size: Number(size), sha256 };
		}
		if (Date.now() - started > timeoutMs) throw new Error(`the emulator logged no upload of ${fileName}`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}
