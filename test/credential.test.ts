import { Workflow, type ICredentialDataDecryptedObject, type INode, type INodeType } from 'n8n-workflow';

import { runCredentialTest } from '../dev/runner';
import { applyCredentialDefaults } from '../dev/runner/credentials';
import { GreenNodeOcrApi } from '../credentials/GreenNodeOcrApi.credentials';
import { GreenNodeOcrN8nApi } from '../credentials/GreenNodeOcrN8nApi.credentials';
import { DEFAULT_BASE_URL, N8N_API_DEFAULT_URL, apiRoot, n8nApiRoot, normaliseBaseUrl, normalisePortalUserId, readCredentials, readN8nApiCredentials } from '../credentials/common';
import { startForeignHost, type ForeignHost } from './hostile/foreign';
import { useEmulator } from './support';

const emu = useEmulator();

function data(overrides: Record<string, string> = {}) {
	const emulator = emu.get();
	return { apiKey: emulator.apiKey, portalUserId: emulator.portalUserId, baseUrl: emulator.url, ...overrides };
}

describe('credential test (declarative, as n8n runs it)', () => {
	const test = async (overrides: Record<string, string> = {}) => await runCredentialTest('greenNodeOcrApi', 'greenNodeOcr', data(overrides));
	const upload = () => emu.get().requests.at(-1);

	it('passes for a working key: the empty test upload is refused as incomplete (400), no job is made', async () => {
		const result = await test();
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(upload()).toMatchObject({ method: 'POST', status: 400, authorized: true });
		expect(upload()?.path).toBe(`${emu.get().basePath}/ocr/ingest`);
		expect(emu.get().jobs.size).toBe(0);
	});

	it('tells a wrong key apart, with what to check, without showing it', async () => {
		const result = await test({ apiKey: 'wrong-key-123' });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/refused the API key \(403\)/);
		expect(result.message).toMatch(/ACTIVE/);
		expect(result.message).toMatch(/Portal User ID/);
		expect(result.message).not.toContain('wrong-key-123');
	});

	it('tells a portal user id of another account apart', async () => {
		const result = await test({ portalUserId: '999' });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/refused the API key \(403\)/);
		expect(upload()?.path).toContain('/maas/user-999/');
	});

	it('accepts a pasted user-123 portal user id, a key with stray spaces, a Base URL with the API path', async () => {
		const emulator = emu.get();
		const result = await test({
			portalUserId: ` user-${emulator.portalUserId} `,
			apiKey: `  ${emulator.apiKey}\n`,
			baseUrl: `${emulator.url}/maas/user-${emulator.portalUserId}/greennode/idp/v1/`,
		});
		expect(result.status).toBe('OK');
		expect(upload()?.path).toBe(`${emulator.basePath}/ocr/ingest`);
	});

	it('rejects a portal user id that is not a number without calling the API', async () => {
		const before = emu.get().requests.length;
		const result = await test({ portalUserId: 'abc' });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/must be a number/);
		expect(emu.get().requests.length).toBe(before);
	});

	it('says when the server cannot be reached', async () => {
		const result = await test({ baseUrl: 'http://127.0.0.1:1' });
		expect(result).toEqual({ status: 'Error', message: 'ECONNREFUSED' });
	});
});

describe('the credential test does not trust any server', () => {
	let foreign: ForeignHost;
	beforeAll(async () => (foreign = await startForeignHost()));
	afterAll(async () => await foreign.close());
	beforeEach(() => (foreign.requests.length = 0));
	const test = async (overrides: Record<string, string> = {}) => await runCredentialTest('greenNodeOcrApi', 'greenNodeOcr', data(overrides));

	it.each([404, 200, 405])('a web server that answers %i to every path is not GreenNode, whatever the key', async (status) => {
		foreign.reply = { status, headers: { 'content-type': 'text/html' }, body: '<html><title>Not here</title></html>' };
		const result = await test({ baseUrl: foreign.url, apiKey: 'any-wrong-key' });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(new RegExp(`answered ${status} where GreenNode's OCR API answers 400`));
	});

	it.each([301, 302, 307, 308])('a redirect (%i) is not followed: the other host never sees the key', async (status) => {
		emu.get().faults.push({ match: () => true, kind: 'status', status, headers: { location: `${foreign.url}/ocr/ingest` } });
		const result = await test();
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(new RegExp(`redirect \\(${status}\\)`));
		expect(foreign.requests).toHaveLength(0);
	});

	it.each(['http://example.com', 'http://192.168.1.20:8080'])('plain http to %s is refused before anything is sent', async (baseUrl) => {
		const result = await test({ baseUrl });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/uses http:\/\/ .*unencrypted/);
	});

	it('a Base URL with a query string is refused before anything is sent', async () => {
		const before = emu.get().requests.length;
		const result = await test({ baseUrl: `${emu.get().url}?region=hcm` });
		expect(result.message).toMatch(/query string or fragment/);
		expect(emu.get().requests.length).toBe(before);
	});

	it('a server busy with 503 does not pass as a good key', async () => {
		emu.get().faults.push({ match: () => true, kind: 'status', status: 503 });
		const result = await test();
		expect(result).toMatchObject({ status: 'Error' });
		expect(result.message).toMatch(/could not confirm/);
	});
});

/** A credential test's URL expression as n8n-core's RoutingNode resolves it: `$credentials` is the credential data. */
function credentialTestUrl(expression: string, credentials: ICredentialDataDecryptedObject): unknown {
	const nodeType: INodeType = { description: { displayName: 'Temp', name: 'temp', group: [], version: 1, description: '', defaults: {}, inputs: [], outputs: [], properties: [] } };
	const node: INode = { id: 'temp', name: 'Temp-Node', type: 'temp', typeVersion: 1, position: [0, 0], parameters: {} };
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: { getKnownTypes: () => ({}), getByName: () => nodeType, getByNameAndVersion: () => nodeType },
	});
	return workflow.expression.getParameterValue(expression, null, 0, 0, node.name, [], 'internal', { $credentials: credentials, $version: 1 });
}

describe("the credential test's Base URL is the node's API root", () => {
	const testBaseUrl = (credentials: ICredentialDataDecryptedObject) => credentialTestUrl(new GreenNodeOcrApi().test.request.baseURL!, credentials);

	it.each<[string, Record<string, string | number>]>([
		['the default Base URL', { portalUserId: '123' }],
		['a blank Base URL', { baseUrl: '', portalUserId: '123' }],
		['a Base URL of only spaces', { baseUrl: '   ', portalUserId: '123' }],
		['a trailing slash', { baseUrl: 'https://h.example/', portalUserId: '123' }],
		['spaces and slashes around the Base URL', { baseUrl: ' https://h.example/// ', portalUserId: '123' }],
		['a pasted /maas/user-1/... path', { baseUrl: 'https://h.example/maas/user-1/greennode/idp/v1/', portalUserId: '1' }],
		['an upper-case pasted /MAAS/ path', { baseUrl: 'http://127.0.0.1:8080/prefix/MAAS/user-1', portalUserId: '1' }],
		['a pasted user-123', { portalUserId: 'user-123' }],
		['a portal user id in spaces', { portalUserId: ' 123 ' }],
		['an upper-case USER-', { portalUserId: ' USER-123 ' }],
		['a numeric portal user id', { portalUserId: 123 }],
		['a portal user id that is not a number (refused before sending)', { portalUserId: 'abc' }],
	])('%s', (_, fields) => {
		const data = applyCredentialDefaults('greenNodeOcrApi', { apiKey: 'key', ...fields });
		expect(testBaseUrl(data)).toBe(apiRoot(readCredentials(data).credentials));
	});

	it('falls back to the default host like the node', () => {
		const data = applyCredentialDefaults('greenNodeOcrApi', { apiKey: 'key', portalUserId: '7', baseUrl: '   ' });
		expect(testBaseUrl(data)).toBe(`${DEFAULT_BASE_URL}/maas/user-7/greennode/idp/v1`);
	});
});

describe('credential values', () => {
	it('normalises the portal user id', () => {
		expect(normalisePortalUserId('user-123')).toBe('123');
		expect(normalisePortalUserId(' USER-42 ')).toBe('42');
		expect(normalisePortalUserId(77)).toBe('77');
		expect(normalisePortalUserId('12a')).toBeUndefined();
		expect(normalisePortalUserId('')).toBeUndefined();
	});

	it('normalises a base url copied with the API path', () => {
		expect(normaliseBaseUrl('https://h.example/maas/user-1/greennode/idp/v1/', DEFAULT_BASE_URL)).toBe('https://h.example');
		expect(normaliseBaseUrl('https://h.example///', DEFAULT_BASE_URL)).toBe('https://h.example');
		expect(normaliseBaseUrl('', DEFAULT_BASE_URL)).toBe('https://maas-llm-aiplatform-hcm.api.vngcloud.vn');
		expect(normaliseBaseUrl('   ', DEFAULT_BASE_URL)).toBe('https://maas-llm-aiplatform-hcm.api.vngcloud.vn');
	});

	it('flags a key with a line break inside without echoing it', () => {
		const { problems } = readCredentials({ apiKey: 'abc\ndef', portalUserId: '1' });
		expect(problems).toHaveLength(1);
		expect(problems[0].message).toMatch(/line breaks/);
		expect(problems[0].message).not.toContain('abc');
	});
});

describe('the ledger credential (an n8n API key)', () => {
	const ledger = new GreenNodeOcrN8nApi();
	const testUrl = (credentials: ICredentialDataDecryptedObject) => credentialTestUrl(ledger.test.request.baseURL!, credentials);

	it.each([
		['the default', undefined, 'http://localhost:5678/api/v1'],
		['only spaces', '   ', 'http://localhost:5678/api/v1'],
		['a host with a trailing slash', 'https://n8n.example.com/', 'https://n8n.example.com/api/v1'],
		['a pasted /api/v1', 'https://n8n.example.com/api/v1/', 'https://n8n.example.com/api/v1'],
		['a link to the editor', 'https://n8n.example.com/workflow/abc?x=1', 'https://n8n.example.com/api/v1'],
		['a path prefix', ' http://10.0.0.5:5678/n8n ', 'http://10.0.0.5:5678/n8n/api/v1'],
	])('the Test button and the node reach the same API root: %s', (_, baseUrl, root) => {
		const data = applyCredentialDefaults('greenNodeOcrN8nApi', { apiKey: 'n8n-key', ...(baseUrl === undefined ? {} : { baseUrl }) });
		expect(n8nApiRoot(data.baseUrl, N8N_API_DEFAULT_URL)).toBe(root);
		expect(readN8nApiCredentials(data).root).toBe(root);
		expect(testUrl(data)).toBe(root);
	});

	it('sends the key only to the n8n URL, as X-N8N-API-KEY', async () => {
		const data = { apiKey: ' n8n-key ', baseUrl: 'https://n8n.example.com' };
		const sent = await ledger.authenticate(data, { url: 'https://n8n.example.com/api/v1/data-tables' });
		expect(sent.headers).toEqual({ 'X-N8N-API-KEY': 'n8n-key' });
		await expect(ledger.authenticate(data, { url: 'https://elsewhere.example/api/v1/data-tables' })).rejects.toThrow(/only to the n8n URL/);
		await expect(ledger.authenticate({ apiKey: '', baseUrl: 'https://n8n.example.com' }, { url: 'https://n8n.example.com/x' })).rejects.toThrow(/key is empty/);
	});
});
