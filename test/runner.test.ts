import { createServer, type IncomingHttpHeaders } from 'http';
import type { AddressInfo } from 'net';

import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
} from 'n8n-workflow';
import { ManualExecutionCancelledError, NodeOperationError } from 'n8n-workflow';

import { GreenNodeOcrApi } from '../credentials/GreenNodeOcrApi.credentials';
import {
	disposeRunner,
	nodeDescription,
	registerCredentialType,
	registerNodeType,
	runWorkflow,
	testCredential,
	type RunNodeSpec,
} from '../dev/runner';

/** Answers `/headers` with the request's auth headers and `/probe` like an API checking its key. */
const seen: IncomingHttpHeaders[] = [];
const server = createServer((req, res) => {
	seen.push(req.headers);
	const send = (status: number, body: object) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
	const key = req.headers.authorization;
	if (req.url === '/headers') return send(200, { authorization: key, portalUserId: req.headers['portal-user-id'] });
	if (key === 'Bearer good') return send(200, { key: { state: 'ACTIVE' } });
	if (key === 'Bearer pending') return send(200, { key: { state: 'PENDING' } });
	if (key === 'Bearer revoked') return send(403, { message: 'revoked' });
	return send(401, { message: 'who are you' });
});
let url = '';

/** Reads the binary `data` of each item back and says where n8n keeps it. */
const binaryInfo: INodeType = {
	description: nodeDescription('Binary Info'),
	async execute(this: IExecuteFunctions) {
		const items = this.getInputData();
		const read = items.map(async (item, i) => ({
			json: { text: (await this.helpers.getBinaryDataBuffer(i, 'data')).toString(), id: item.binary!.data.id ?? null },
		}));
		return [await Promise.all(read)];
	},
};

/** Calls `/headers` with the GreenNode credential of the run; logs a line per item. */
const whoAmI: INodeType = {
	description: nodeDescription('Who Am I', {
		properties: [{ displayName: 'Path', name: 'path', type: 'string', default: '', required: true }],
		credentials: [{ name: 'greenNodeOcrApi', required: true }, { name: 'byNodeApi', required: false, testedBy: 'probe' }],
	}),
	methods: {
		credentialTest: {
			async probe(this: ICredentialTestFunctions, { data }: ICredentialsDecrypted) {
				const headers = { authorization: `Bearer ${data!.apiKey as string}` };
				const answer = await this.helpers.request({ uri: `${data!.baseUrl as string}/probe`, headers, json: true }).catch((e: Error) => e);
				return answer instanceof Error ? { status: 'Error', message: 'Rejected' } : { status: 'OK', message: `Key is ${answer.key.state}` };
			},
		},
	},
	async execute(this: IExecuteFunctions) {
		const credentials = await this.getCredentials('greenNodeOcrApi');
		this.logger.info(`asking as ${credentials.portalUserId as string} for ${credentials.baseUrl as string}`);
		const path = this.getNodeParameter('path', 0) as string;
		const answer = await this.helpers.httpRequestWithAuthentication.call(this, 'greenNodeOcrApi', { url: `${url}${path}`, json: true });
		return [[{ json: answer }]];
	},
};

/** Fails the items with `fail: true`, handling `continueOnFail()` per item as the OCR node does. */
const failing: INodeType = {
	description: nodeDescription('Failing'),
	async execute(this: IExecuteFunctions) {
		return [
			this.getInputData().map((item, i): INodeExecutionData => {
				if (!item.json.fail) return { json: { ok: i }, pairedItem: { item: i } };
				const error = new NodeOperationError(this.getNode(), `Item ${i} failed`, { itemIndex: i });
				if (this.continueOnFail()) return { json: { error: error.message }, pairedItem: { item: i } };
				throw error;
			}),
		];
	},
};

let started: () => void = () => {};
/** Waits for the execution's cancel signal, as the OCR node's polling does. */
const waitForStop: INodeType = {
	description: nodeDescription('Wait For Stop'),
	async execute(this: IExecuteFunctions) {
		await new Promise((resolve) => {
			this.getExecutionCancelSignal()!.addEventListener('abort', resolve);
			started();
		});
		return [[{ json: { stopped: true } }]];
	},
};

registerNodeType('test.binaryInfo', binaryInfo);
registerNodeType('test.whoAmI', whoAmI);
registerNodeType('test.failing', failing);
registerNodeType('test.waitForStop', waitForStop);
/** The package's credential (its `authenticate`) with a declarative test, and without one (tested by the node). */
const rules = [
	{ type: 'responseCode' as const, properties: { value: 403, message: 'Key revoked' } },
	{ type: 'responseSuccessBody' as const, properties: { key: 'key.state', value: 'PENDING', message: 'Key not active yet' } },
];
const test = { request: { baseURL: '={{$credentials.baseUrl}}', url: '/probe' }, rules };

beforeAll(async () => {
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	const credential = new GreenNodeOcrApi();
	// The local server as the default Base URL, so that a test without one stays on this machine.
	const properties = credential.properties.map((property) => (property.name === 'baseUrl' ? { ...property, default: url } : property));
	registerCredentialType('declarativeApi', Object.assign(credential, { name: 'declarativeApi', test, properties }));
	registerCredentialType('byNodeApi', Object.assign(new GreenNodeOcrApi(), { name: 'byNodeApi', test: undefined }));
});
afterAll(async () => {
	await new Promise((resolve) => server.close(resolve));
	disposeRunner();
});
beforeEach(() => (seen.length = 0));

const node = (type: string, extra: Partial<RunNodeSpec> = {}): RunNodeSpec => ({ type, parameters: {}, ...extra });
const file = (text: string) => ({ binary: { data: { data: Buffer.from(text), fileName: 'a.txt', mimeType: 'text/plain' } } });
const whoAmINode = node('test.whoAmI', { parameters: { path: '/headers' } });

describe('binary data', () => {
	it.each([
		['default', null],
		['filesystem', expect.stringMatching(/^filesystem-v2:/)],
	] as const)('in %s mode reaches the node and reads back', async (binaryMode, id) => {
		const result = await runWorkflow({ binaryMode, nodes: [node('test.binaryInfo')], items: [file('hello')] });
		expect(result.items.map((item) => item.json)).toEqual([{ text: 'hello', id }]);
		expect((await result.readBinary(result.outputs.Start[0][0])).toString()).toBe('hello');
	});

	it('keeps the mode of each run when runs in both modes overlap', async () => {
		const modes = ['filesystem', 'default', 'filesystem'] as const;
		const results = await Promise.all(modes.map((binaryMode) => runWorkflow({ binaryMode, nodes: [node('test.binaryInfo')], items: [file(binaryMode)] })));
		expect(results.map((result) => result.items[0].json.id !== null)).toEqual([true, false, true]);
		expect(results.map((result) => result.items[0].json.text)).toEqual(modes);
	});
});

describe('credentials', () => {
	it('authenticate the requests of the node', async () => {
		const credentials = { greenNodeOcrApi: { apiKey: ' secret\n', portalUserId: 'user-42', baseUrl: url } };
		const result = await runWorkflow({ nodes: [whoAmINode], credentials });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toEqual({ authorization: 'Bearer secret', portalUserId: '42' });
	});

	it('reach the node with the defaults of the credential type', async () => {
		const result = await runWorkflow({ nodes: [whoAmINode], credentials: { greenNodeOcrApi: { apiKey: 'k', portalUserId: '9' } } });
		const baseUrl = new GreenNodeOcrApi().properties.find((property) => property.name === 'baseUrl')!.default as string;
		expect(result.logs).toContain(`info: asking as 9 for ${baseUrl}`);
	});

	it('missing, the node fails as in n8n; a missing required parameter fails before any node runs', async () => {
		const withoutCredentials = await runWorkflow({ nodes: [whoAmINode] });
		expect(withoutCredentials.error?.message).toBe('Node does not have any credentials set');
		const withoutPath = await runWorkflow({ nodes: [node('test.whoAmI')], credentials: { greenNodeOcrApi: { apiKey: 'k', portalUserId: '1' } } });
		expect(withoutPath.error?.name).toBe('WorkflowHasIssuesError');
		expect(withoutPath.runData).toEqual({});
		expect(seen).toHaveLength(0);
	});
});

describe('errors', () => {
	const items = [{ json: { fail: false } }, { json: { fail: true } }];

	it('an error stops the workflow and keeps its class', async () => {
		const result = await runWorkflow({ nodes: [node('test.failing')], items });
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect(result.error?.message).toBe('Item 1 failed');
		expect(result.items).toEqual([]);
	});

	it('with continueOnFail the failed item is an error item paired with its input', async () => {
		const result = await runWorkflow({ nodes: [node('test.failing', { continueOnFail: true })], items });
		expect(result.error).toBeUndefined();
		expect(result.items).toEqual([
			{ json: { ok: 0 }, pairedItem: { item: 0 } },
			{ json: { error: 'Item 1 failed' }, pairedItem: { item: 1 } },
		]);
	});

	it('with onError continueErrorOutput the failed item goes to the error output', async () => {
		const result = await runWorkflow({ nodes: [node('test.failing', { name: 'Split', onError: 'continueErrorOutput' })], items });
		expect(result.outputs.Split.map((output) => output.map((item) => item.json))).toEqual([[{ ok: 0 }], [{ fail: true, error: 'Item 1 failed' }]]);
	});
});

describe('stop', () => {
	it('aborting the signal cancels the execution as n8n\'s Stop does', async () => {
		const controller = new AbortController();
		started = () => controller.abort();
		const result = await runWorkflow({ nodes: [node('test.waitForStop')], signal: controller.signal });
		expect(result.run.status).toBe('canceled');
		expect(result.error).toBeInstanceOf(ManualExecutionCancelledError);
		expect(Object.keys(result.runData)).toEqual(['Start', 'Wait For Stop']);
	}, 5000);

	it('a signal aborted before the run starts cancels it before the first node', async () => {
		const result = await runWorkflow({ nodes: [node('test.waitForStop')], signal: AbortSignal.abort() });
		expect(result.run.status).toBe('canceled');
		expect(result.runData).toEqual({});
	}, 5000);
});

describe('logs', () => {
	it('each run gets the lines of the engine and of its own nodes', async () => {
		const run = (portalUserId: string) => runWorkflow({ nodes: [whoAmINode], credentials: { greenNodeOcrApi: { apiKey: 'k', portalUserId, baseUrl: url } } });
		const [one, two] = await Promise.all([run('1'), run('2')]);
		expect(one.logs).toContain(`info: asking as 1 for ${url}`);
		expect(two.logs).toContain(`info: asking as 2 for ${url}`);
		expect(one.logs.join('\n')).not.toContain('asking as 2');
		expect(one.logs.some((line) => line.startsWith('debug: Start executing node "Who Am I"'))).toBe(true);
	});
});

describe('testCredential', () => {
	const data = (apiKey: string, baseUrl = url) => ({ apiKey, portalUserId: 'user-7', baseUrl });

	it('runs the declarative test request, authenticated by the credential', async () => {
		expect(await testCredential('declarativeApi', data(' good '))).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(seen.map((headers) => [headers.authorization, headers['portal-user-id']])).toEqual([['Bearer good', '7']]);
	});

	it('applies the defaults of the credential type first', async () => {
		expect(await testCredential('declarativeApi', { apiKey: 'good', portalUserId: '7' })).toEqual({ status: 'OK', message: 'Connection successful!' });
	});

	it('maps an HTTP error to its responseCode rule, else to the status text', async () => {
		expect(await testCredential('declarativeApi', data('revoked'))).toEqual({ status: 'Error', message: 'Key revoked' });
		expect(await testCredential('declarativeApi', data('unknown'))).toEqual({ status: 'Error', message: 'Unauthorized' });
	});

	it('fails a 2xx answer that matches a responseSuccessBody rule', async () => {
		expect(await testCredential('declarativeApi', data('pending'))).toEqual({ status: 'Error', message: 'Key not active yet' });
	});

	it('reports the error code when the server cannot be reached', async () => {
		expect(await testCredential('declarativeApi', data('good', 'http://127.0.0.1:1'))).toEqual({ status: 'Error', message: 'ECONNREFUSED' });
	});

	it('without a declarative test, calls the testedBy method of the node', async () => {
		expect(await testCredential('byNodeApi', data('good'), 'test.whoAmI')).toEqual({ status: 'OK', message: 'Key is ACTIVE' });
		expect(await testCredential('byNodeApi', data('nope'), 'test.whoAmI')).toEqual({ status: 'Error', message: 'Rejected' });
		expect(await testCredential('byNodeApi', data('good'), 'test.failing')).toEqual({
			status: 'Error',
			message: 'No testing function found for this credential.',
		});
	});
});
