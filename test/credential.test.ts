import { runCredentialTest } from '../dev/runner';
import { normaliseBaseUrl, normalisePortalUserId, readCredentials } from '../nodes/GreenNodeOcr/helpers/credentials';
import { useEmulator } from './support';

const emu = useEmulator();

function data(overrides: Record<string, string> = {}) {
	const emulator = emu.get();
	return { apiKey: emulator.apiKey, portalUserId: emulator.portalUserId, baseUrl: emulator.url, ...overrides };
}

describe('credential test', () => {
	it('reports success for a working key (the made-up request id answers 404)', async () => {
		const result = await runCredentialTest('greenNodeOcrApi', 'greenNodeOcr', data());
		expect(result).toEqual({ status: 'OK', message: 'Connection tested successfully' });
		const probe = emu.get().requests.at(-1);
		expect(probe?.status).toBe(404);
		expect(probe?.authorized).toBe(true);
	});

	it('tells a wrong key apart, with what to check', async () => {
		const result = await runCredentialTest('greenNodeOcrApi', 'greenNodeOcr', data({ apiKey: 'wrong-key-123' }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/403/);
		expect(result.message).toMatch(/ACTIVE/);
		expect(result.message).toMatch(/Portal User ID/);
		expect(result.message).not.toContain('wrong-key-123');
	});

	it('tells a portal user id of another account apart', async () => {
		const result = await runCredentialTest('greenNodeOcrApi', 'greenNodeOcr', data({ portalUserId: '999' }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/999/);
	});

	it('accepts a pasted user-123 portal user id and a key with stray spaces and a newline', async () => {
		const emulator = emu.get();
		const result = await runCredentialTest(
			'greenNodeOcrApi',
			'greenNodeOcr',
			data({ portalUserId: ` user-${emulator.portalUserId} `, apiKey: `  ${emulator.apiKey}\n` }),
		);
		expect(result.status).toBe('OK');
		expect(emulator.requests.at(-1)?.path).toContain(`/maas/user-${emulator.portalUserId}/`);
	});

	it('rejects a portal user id that is not a number without calling the API', async () => {
		const before = emu.get().requests.length;
		const result = await runCredentialTest('greenNodeOcrApi', 'greenNodeOcr', data({ portalUserId: 'abc' }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/must be a number/);
		expect(emu.get().requests.length).toBe(before);
	});

	it('says when the server cannot be reached', async () => {
		const result = await runCredentialTest('greenNodeOcrApi', 'greenNodeOcr', data({ baseUrl: 'http://127.0.0.1:1' }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/Could not reach GreenNode/);
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
		expect(normaliseBaseUrl('https://h.example/maas/user-1/greennode/idp/v1/')).toBe('https://h.example');
		expect(normaliseBaseUrl('https://h.example///')).toBe('https://h.example');
		expect(normaliseBaseUrl('')).toBe('https://maas-llm-aiplatform-hcm.api.vngcloud.vn');
	});

	it('flags a key with a line break inside without echoing it', () => {
		const { problems } = readCredentials({ apiKey: 'abc\ndef', portalUserId: '1' });
		expect(problems).toHaveLength(1);
		expect(problems[0].message).toMatch(/line breaks/);
		expect(problems[0].message).not.toContain('abc');
	});
});
