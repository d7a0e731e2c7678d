import { maskSecrets } from '../../nodes/GreenNodeOcr/helpers/mask';
import { runWorkflow } from '../../dev/runner';
import { FAST, credentialsFor, everythingVisible, jpegItem, ocr, run, useEmulator } from '../support';
import { isPoll } from './common';

/** No form of the key a server echoes back reaches an error, an output item or a log. */

const SECRET = 'gnk/Zx81+q/Ab3Y0xQ==';
const emu = useEmulator({ apiKey: SECRET });

const FORMS = {
	raw: SECRET,
	'JSON-escaped slashes': 'gnk\\/Zx81+q\\/Ab3Y0xQ==',
	'JSON unicode escapes': 'gnk\\u002FZx81\\u002bq\\u002fAb3Y0xQ\\u003d\\u003D',
	'URL-encoded': encodeURIComponent(SECRET),
	'URL-encoded, lower-case hex': encodeURIComponent(SECRET).toLowerCase().replace(/gnk/, 'gnk'),
	'form-encoded in a Bearer header echo': `Bearer%20${encodeURIComponent(SECRET)}`,
};

describe('maskSecrets', () => {
	it.each(Object.entries(FORMS))('masks the %s form', (_, form) => {
		const masked = maskSecrets(`before ${form} after`, [SECRET]);
		expect(masked).toMatch(/^before (Bearer%20)?\*\*\* after$/);
	});

	it('leaves other text alone and ignores secrets too short to mask', () => {
		expect(maskSecrets('gnk/Zx81 is not the key', [SECRET])).toBe('gnk/Zx81 is not the key');
		expect(maskSecrets('abc', ['abc'])).toBe('abc');
	});
});


async function requestId(): Promise<string> {
	const result = await run(emu.get(), [ocr({ operation: 'submit', waitForResult: false, docType: 'ID' })], [jpegItem()]);
	expect(result.error).toBeUndefined();
	return result.items[0].json.request_id as string;
}

function expectNoSecret(text: string) {
	for (const form of Object.values(FORMS)) expect(text.toLowerCase()).not.toContain(form.toLowerCase());
	expect(text).not.toContain('Zx81');
}

describe('a server that echoes the key', () => {
	it.each(Object.entries(FORMS))('in an error body (%s): the error shows none of it', async (_, form) => {
		const id = await requestId();
		emu.get().faults.push({ match: isPoll, kind: 'status', status: 400, body: JSON.stringify({ message: `bad token ${form}` }).replace(/\\\\/g, '\\') });
		const result = await run(emu.get(), [ocr({ operation: 'getResult', output: 'raw', requestId: id, options: FAST })]);
		expect(result.error?.message).toMatch(/rejected the Get Result request \(400\): "bad token (Bearer%20)?\*\*\*"/);
		expectNoSecret(everythingVisible(result));
	});

	it('in a successful answer: the output shows none of it', async () => {
		const id = await requestId();
		const body = `{"data":{"status":"COMPLETED","progress":{"total_doc":1,"finished":1,"ignored":0},"echo":"gnk\\/Zx81+q\\/Ab3Y0xQ==","documents":[{"document_id":"d","ocr_data":[{"name":"g","value":[{"name":"k","extracted_value":"${encodeURIComponent(SECRET)}"}]}]}]}}`;
		emu.get().faults.push({ match: isPoll, kind: 'body', status: 200, body });
		const result = await run(emu.get(), [ocr({ operation: 'getResult', output: 'raw', requestId: id, options: FAST })]);
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.echo).toBe('***');
		expectNoSecret(everythingVisible(result));
	});

	it('in an answer that is not JSON, and in the retry logs', async () => {
		const id = await requestId();
		emu.get().faults.push({ match: isPoll, kind: 'status', status: 503, body: `<html><title>down ${FORMS['URL-encoded']}</title></html>`, headers: { 'content-type': 'text/html' }, times: 2 });
		const result = await run(emu.get(), [ocr({ operation: 'getResult', output: 'raw', requestId: id, options: { ...FAST, maxRetries: 1 } })]);
		expect(result.error?.message).toMatch(/503/);
		expectNoSecret(everythingVisible(result));
	});
});

describe('the Base URL decides where the key may go', () => {
	const runWith = async (baseUrl: string) =>
		await runWorkflow({
			nodes: [ocr({ operation: 'getResult', output: 'raw', requestId: 'r-1', options: FAST })],
			credentials: credentialsFor(emu.get(), { baseUrl }),
		});

	it.each(['http://example.com', 'http://10.0.0.5:8080', 'http://127.0.0.1.nip.io'])('refuses plain http to %s, saying why', async (baseUrl) => {
		const result = await runWith(baseUrl);
		expect(result.error?.message).toMatch(/uses http:\/\/ .*unencrypted/);
		expect(result.error?.message).toMatch(/https:\/\//);
	});

	it('allows plain http to loopback (the local emulator)', async () => {
		const result = await runWith(emu.get().url.replace('127.0.0.1', 'localhost'));
		expect(result.error?.message ?? '').not.toMatch(/unencrypted/);
	});

	it.each(['?region=hcm', '#frag'])('refuses a Base URL with %s', async (suffix) => {
		const before = emu.get().requests.length;
		const result = await runWith(`${emu.get().url}/v1${suffix}`);
		expect(result.error?.message).toMatch(/query string or fragment/);
		expect(emu.get().requests.length).toBe(before);
	});
});
