import { createServer, type IncomingHttpHeaders, type Server } from 'http';
import type { AddressInfo } from 'net';
import type { Readable } from 'stream';

import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import {
	disposeRunner,
	registerCredentialType,
	registerNodeType,
	runCredentialTest,
	runWorkflow,
	type RunResult,
} from '../dev/runner';

// ---------------------------------------------------------------------------------------
// Local HTTP server
// ---------------------------------------------------------------------------------------

interface SeenRequest {
	method: string;
	url: string;
	headers: IncomingHttpHeaders;
}

const seen: SeenRequest[] = [];
let server: Server;
let baseUrl = '';

function startServer(): Promise<void> {
	server = createServer((req, res) => {
		seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
		req.resume();
		req.on('end', () => {
			const url = req.url ?? '';
			const send = (status: number, body: IDataObject) => {
				res.writeHead(status, { 'content-type': 'application/json', 'x-test': 'yes' });
				res.end(JSON.stringify(body));
			};
			if (url.startsWith('/status/')) {
				const status = Number(url.slice('/status/'.length));
				send(status, { message: `failed with ${status}`, code: 'TEST_ERROR' });
				return;
			}
			if (url === '/me') {
				if (req.headers.authorization === 'Bearer good-token') send(200, { user: 'me' });
				else send(401, { message: 'invalid token' });
				return;
			}
			if (url === '/check') {
				if (req.headers['x-api-key'] === 'good-key') send(200, { ok: true });
				else send(403, { message: 'forbidden' });
				return;
			}
			send(200, { ok: true, path: url });
		});
	});
	return new Promise((resolve) => {
		server.listen(0, '127.0.0.1', () => {
			baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
			resolve();
		});
	});
}

// ---------------------------------------------------------------------------------------
// Test node and credential types
// ---------------------------------------------------------------------------------------

function description(
	name: string,
	properties: INodeTypeDescription['properties'],
	extra: Partial<INodeTypeDescription> = {},
): INodeTypeDescription {
	return {
		displayName: name,
		name,
		group: ['transform'],
		version: 1,
		description: name,
		defaults: { name },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties,
		...extra,
	};
}

async function streamToBuffer(stream: Readable): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
	return Buffer.concat(chunks);
}

/** Reads every binary property of its input items and reports sizes and metadata. */
class BinaryInfo implements INodeType {
	description = description('Binary Info', [], { name: 'test.binaryInfo' });

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const returnData: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			for (const [property, binary] of Object.entries(items[i].binary ?? {})) {
				const buffer = await this.helpers.getBinaryDataBuffer(i, property);
				const json: IDataObject = {
					property,
					size: buffer.length,
					text: buffer.toString('utf8'),
					hasId: binary.id !== undefined,
					mimeType: binary.mimeType,
					fileName: binary.fileName ?? null,
					fileExtension: binary.fileExtension ?? null,
					bytes: binary.bytes ?? null,
				};
				if (binary.id) {
					const stream = await this.helpers.getBinaryStream(binary.id);
					json.streamSize = (await streamToBuffer(stream)).length;
					const metadata = await this.helpers.getBinaryMetadata(binary.id);
					json.metadata = { ...metadata } as IDataObject;
				}
				returnData.push({ json, pairedItem: { item: i } });
			}
		}
		return [returnData];
	}
}

/** Appends its `marker` parameter to `json.trail`, logs a line per item. */
class Append implements INodeType {
	description = description(
		'Append',
		[{ displayName: 'Marker', name: 'marker', type: 'string', default: 'x' }],
		{ name: 'test.append' },
	);

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		return [
			items.map((item, i) => {
				const marker = this.getNodeParameter('marker', i) as string;
				this.logger.info(`appending ${marker}`, { itemIndex: i });
				const trail = Array.isArray(item.json.trail) ? (item.json.trail as string[]) : [];
				return { json: { ...item.json, trail: [...trail, marker] }, pairedItem: { item: i } };
			}),
		];
	}
}

/**
 * Fails the items whose `json.fail` is true. `handling: 'throw'` lets the error escape the
 * node; `handling: 'perItem'` follows the usual `continueOnFail()` pattern of n8n nodes.
 */
class Fail implements INodeType {
	description = description(
		'Fail',
		[
			{ displayName: 'Message', name: 'message', type: 'string', default: 'Something broke' },
			{
				displayName: 'Handling',
				name: 'handling',
				type: 'options',
				options: [
					{ name: 'Throw', value: 'throw' },
					{ name: 'Per Item', value: 'perItem' },
				],
				default: 'throw',
			},
		],
		{ name: 'test.fail' },
	);

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const handling = this.getNodeParameter('handling', 0) as string;
		const returnData: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				if (items[i].json.fail === true) {
					throw new NodeOperationError(this.getNode(), this.getNodeParameter('message', i) as string, {
						itemIndex: i,
						description: 'The item asked to fail',
					});
				}
				returnData.push({ json: { ok: true, index: i }, pairedItem: { item: i } });
			} catch (error) {
				if (handling === 'perItem' && this.continueOnFail()) {
					returnData.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
					continue;
				}
				throw error;
			}
		}
		return [returnData];
	}
}

/** Has a required parameter without a usable default. */
class Required implements INodeType {
	description = description(
		'Required',
		[{ displayName: 'Document ID', name: 'documentId', type: 'string', default: '', required: true }],
		{ name: 'test.required' },
	);

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

const FUNCTION_CREDENTIAL = 'testFunctionApi';
const GENERIC_CREDENTIAL = 'testGenericApi';

/** `authenticate` is a method that relies on `this`, like credential classes often do. */
class FunctionCredential implements ICredentialType {
	name = FUNCTION_CREDENTIAL;

	displayName = 'Test Function API';

	keyHeader = 'x-api-key';

	properties: INodeProperties[] = [
		{ displayName: 'API Key', name: 'apiKey', type: 'string', typeOptions: { password: true }, default: '' },
		{ displayName: 'Region', name: 'region', type: 'string', default: 'hcm-3' },
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
	];

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		return {
			...requestOptions,
			headers: {
				...requestOptions.headers,
				[this.keyHeader]: credentials.apiKey as string,
				'x-region': credentials.region as string,
			},
		};
	}
}

const genericCredential: ICredentialType = {
	name: GENERIC_CREDENTIAL,
	displayName: 'Test Generic API',
	properties: [
		{ displayName: 'Token', name: 'apiKey', type: 'string', typeOptions: { password: true }, default: '' },
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
	],
	authenticate: {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } },
	},
	test: { request: { baseURL: '={{$credentials.baseUrl}}', url: '/me' } },
};

/** Makes one authenticated request per item and outputs the response. */
class HttpAuth implements INodeType {
	description = description(
		'Http Auth',
		[
			{ displayName: 'Path', name: 'path', type: 'string', default: '/echo' },
			{ displayName: 'Credential Type', name: 'credentialType', type: 'string', default: FUNCTION_CREDENTIAL },
			{ displayName: 'Full Response', name: 'fullResponse', type: 'boolean', default: false },
			{ displayName: 'Ignore Status Errors', name: 'ignoreErrors', type: 'boolean', default: false },
		],
		{
			name: 'test.httpAuth',
			credentials: [
				{ name: FUNCTION_CREDENTIAL, required: false, testedBy: 'functionApiTest' },
				{ name: GENERIC_CREDENTIAL, required: false },
			],
		},
	);

	methods = {
		credentialTest: {
			async functionApiTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				const data = credential.data ?? {};
				try {
					await this.helpers.request({
						method: 'GET',
						uri: `${data.baseUrl as string}/check`,
						headers: { 'x-api-key': data.apiKey as string, 'x-region': data.region as string },
						json: true,
					});
				} catch (error) {
					return { status: 'Error', message: `Rejected: ${(error as Error).message}` };
				}
				return { status: 'OK', message: `Connection successful (${data.region as string})` };
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const returnData: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			const base = (items[i].json.baseUrl as string) ?? '';
			const options: IHttpRequestOptions = {
				method: 'GET' as IHttpRequestMethods,
				url: `${base}${this.getNodeParameter('path', i) as string}`,
				json: true,
			};
			if (this.getNodeParameter('fullResponse', i) as boolean) options.returnFullResponse = true;
			if (this.getNodeParameter('ignoreErrors', i) as boolean) options.ignoreHttpStatusErrors = true;
			const response = (await this.helpers.httpRequestWithAuthentication.call(
				this,
				this.getNodeParameter('credentialType', i) as string,
				options,
			)) as IDataObject;
			returnData.push({ json: { response }, pairedItem: { item: i } });
		}
		return [returnData];
	}
}

registerNodeType('test.binaryInfo', new BinaryInfo());
registerNodeType('test.append', new Append());
registerNodeType('test.fail', new Fail());
registerNodeType('test.httpAuth', new HttpAuth());
registerNodeType('test.required', new Required());
registerCredentialType(FUNCTION_CREDENTIAL, new FunctionCredential());
registerCredentialType(GENERIC_CREDENTIAL, genericCredential);

const PNG_BYTES = Buffer.from(
	'89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
		'1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
	'hex',
);

function errorOf(result: RunResult): Error & { description?: string; httpCode?: string; context?: IDataObject } {
	expect(result.error).toBeDefined();
	return result.error as Error & { description?: string; httpCode?: string; context?: IDataObject };
}

beforeAll(async () => {
	await startServer();
});

afterAll(async () => {
	await new Promise<void>((resolve) => server.close(() => resolve()));
	disposeRunner();
});

beforeEach(() => {
	seen.length = 0;
});

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

describe('runWorkflow', () => {
	it('passes items from the start node through a node', async () => {
		const result = await runWorkflow({
			nodes: [{ type: 'runner.noOp', parameters: {} }],
			items: [{ json: { a: 1 } }, { json: { a: 2, nested: { b: true } } }],
		});

		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json)).toEqual([{ a: 1 }, { a: 2, nested: { b: true } }]);
		expect(Object.keys(result.outputs)).toEqual(['Start', 'No Operation']);
		expect(result.outputs.Start[0]).toHaveLength(2);
		expect(result.runData['No Operation'][0].executionStatus).toBe('success');
	});

	it('emits one empty item when no items are given', async () => {
		const result = await runWorkflow({ nodes: [{ type: 'runner.noOp', parameters: {} }] });
		expect(result.items.map((item) => item.json)).toEqual([{}]);
	});

	it('keeps binary data inline in default mode', async () => {
		const result = await runWorkflow({
			nodes: [{ type: 'test.binaryInfo', parameters: {} }],
			items: [{ json: {}, binary: { data: { data: Buffer.from('hello world'), fileName: 'a.txt', mimeType: 'text/plain' } } }],
		});

		expect(result.error).toBeUndefined();
		const startBinary = result.outputs.Start[0][0].binary!.data;
		expect(startBinary.id).toBeUndefined();
		expect(startBinary.data).toBe(Buffer.from('hello world').toString('base64'));
		expect(result.items[0].json).toMatchObject({
			property: 'data',
			size: 11,
			text: 'hello world',
			hasId: false,
			mimeType: 'text/plain',
			fileName: 'a.txt',
		});
		expect((await result.readBinary(result.outputs.Start[0][0])).toString()).toBe('hello world');
	});

	it('stores binary data in files in filesystem mode', async () => {
		const payload = Buffer.alloc(200_000, 7);
		const result = await runWorkflow({
			binaryMode: 'filesystem',
			nodes: [{ type: 'test.binaryInfo', parameters: {} }],
			items: [{ binary: { file: { data: payload, fileName: 'scan.pdf', mimeType: 'application/pdf' } } }],
		});

		expect(result.error).toBeUndefined();
		const startBinary = result.outputs.Start[0][0].binary!.file;
		expect(startBinary.id).toMatch(/^filesystem-v2:/);
		expect(startBinary.data).toBe('filesystem-v2');
		expect(result.items[0].json).toMatchObject({
			property: 'file',
			size: payload.length,
			streamSize: payload.length,
			hasId: true,
			mimeType: 'application/pdf',
			fileName: 'scan.pdf',
			bytes: payload.length,
		});
		expect(result.items[0].json.metadata).toMatchObject({
			fileName: 'scan.pdf',
			mimeType: 'application/pdf',
			fileSize: payload.length,
		});
		expect((await result.readBinary(result.outputs.Start[0][0], 'file')).equals(payload)).toBe(true);
	});

	it('switches between binary modes across runs', async () => {
		const file = { data: Buffer.from('abc'), fileName: 'x.txt', mimeType: 'text/plain' };
		const inFiles = await runWorkflow({ binaryMode: 'filesystem', nodes: [{ type: 'runner.noOp', parameters: {} }], items: [{ binary: { data: file } }] });
		const inline = await runWorkflow({ binaryMode: 'default', nodes: [{ type: 'runner.noOp', parameters: {} }], items: [{ binary: { data: file } }] });
		const concurrent = await Promise.all([
			runWorkflow({ binaryMode: 'filesystem', nodes: [{ type: 'runner.noOp', parameters: {} }], items: [{ binary: { data: file } }] }),
			runWorkflow({ binaryMode: 'default', nodes: [{ type: 'runner.noOp', parameters: {} }], items: [{ binary: { data: file } }] }),
		]);

		expect(inFiles.items[0].binary!.data.id).toBeDefined();
		expect(inline.items[0].binary!.data.id).toBeUndefined();
		expect(concurrent[0].items[0].binary!.data.id).toBeDefined();
		expect(concurrent[1].items[0].binary!.data.id).toBeUndefined();
		for (const result of [inFiles, inline, ...concurrent]) {
			expect((await result.readBinary(result.items[0])).toString()).toBe('abc');
		}
	});

	it('detects the MIME type of binary input without one', async () => {
		const result = await runWorkflow({
			nodes: [{ type: 'test.binaryInfo', parameters: {} }],
			items: [{ binary: { data: { data: PNG_BYTES } } }],
		});

		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ mimeType: 'image/png', fileExtension: 'png', fileName: null });
	});

	it('surfaces a node error as the workflow error', async () => {
		const result = await runWorkflow({
			nodes: [{ type: 'test.fail', name: 'Breaker', parameters: { message: 'Document is unreadable' } }],
			items: [{ json: { fail: false } }, { json: { fail: true } }],
		});

		const error = errorOf(result);
		expect(error.message).toBe('Document is unreadable');
		expect(error.description).toBe('The item asked to fail');
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.name).toBe('NodeOperationError');
		expect(error.context).toMatchObject({ itemIndex: 1 });
		expect(result.items).toEqual([]);
		expect(result.outputs.Breaker).toEqual([]);
		expect(result.runData.Breaker[0].error?.message).toBe('Document is unreadable');
		expect(result.runData.Breaker[0].executionStatus).toBe('error');
		expect(result.run.status).toBe('error');
	});

	it('continues with error items when the node handles continueOnFail', async () => {
		const result = await runWorkflow({
			nodes: [{ type: 'test.fail', parameters: { message: 'Bad page', handling: 'perItem' }, continueOnFail: true }],
			items: [{ json: { fail: true } }, { json: { fail: false } }],
		});

		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json)).toEqual([{ error: 'Bad page' }, { ok: true, index: 1 }]);
	});

	it('passes the input through when an error escapes a node with continueOnFail', async () => {
		const items = [{ json: { fail: false } }, { json: { fail: true } }];
		const followed = await runWorkflow({
			nodes: [
				{ type: 'test.fail', name: 'Escaping', parameters: { message: 'Escaped' }, continueOnFail: true },
				{ type: 'runner.noOp', name: 'After', parameters: {} },
			],
			items,
		});

		// n8n 2.41: the node's input items continue unchanged, the error is only in runData.
		expect(followed.error).toBeUndefined();
		expect(followed.run.status).toBe('success');
		expect(followed.items.map((item) => item.json)).toEqual([{ fail: false }, { fail: true }]);
		expect(followed.runData.Escaping[0].error?.message).toBe('Escaped');

		// As the last node, the same error still marks the whole execution as failed.
		const last = await runWorkflow({
			nodes: [{ type: 'test.fail', parameters: { message: 'Escaped' }, continueOnFail: true }],
			items,
		});
		expect(errorOf(last).message).toBe('Escaped');
		expect(last.items.map((item) => item.json)).toEqual([{ fail: false }, { fail: true }]);
	});

	it('routes failed items to the error output with continueErrorOutput', async () => {
		const result = await runWorkflow({
			nodes: [
				{
					type: 'test.fail',
					name: 'Split',
					parameters: { message: 'Bad page', handling: 'perItem' },
					onError: 'continueErrorOutput',
				},
				{ type: 'runner.noOp', name: 'After', parameters: {} },
			],
			items: [{ json: { fail: true } }, { json: { fail: false } }],
		});

		expect(result.error).toBeUndefined();
		expect(result.outputs.Split).toHaveLength(2);
		expect(result.outputs.Split[0].map((item) => item.json)).toEqual([{ ok: true, index: 1 }]);
		// The error item is merged with the json of the input item it is paired with.
		expect(result.outputs.Split[1].map((item) => item.json)).toEqual([{ fail: true, error: 'Bad page' }]);
		expect(result.items.map((item) => item.json)).toEqual([{ ok: true, index: 1 }]);
	});

	it('runs a chain where the same node type appears twice', async () => {
		const result = await runWorkflow({
			nodes: [
				{ type: 'test.append', parameters: { marker: 'first' } },
				{ type: 'test.append', parameters: { marker: 'second' } },
			],
			items: [{ json: { id: 1 } }],
		});

		expect(result.error).toBeUndefined();
		expect(Object.keys(result.outputs)).toEqual(['Start', 'Append', 'Append1']);
		expect(result.outputs.Append[0][0].json.trail).toEqual(['first']);
		expect(result.items[0].json).toEqual({ id: 1, trail: ['first', 'second'] });
	});

	it('resolves expressions in node parameters', async () => {
		const result = await runWorkflow({
			nodes: [{ type: 'test.append', parameters: { marker: '={{ $json.id }}-{{ $runIndex }}' } }],
			items: [{ json: { id: 'a' } }, { json: { id: 'b' } }],
		});

		expect(result.items.map((item) => item.json.trail)).toEqual([['a-0'], ['b-0']]);
	});

	it('names the start node around a node called Start', async () => {
		const result = await runWorkflow({ nodes: [{ type: 'runner.noOp', name: 'Start', parameters: {} }] });
		expect(Object.keys(result.outputs)).toEqual(['Start1', 'Start']);
	});

	it('captures log lines of the engine and of this.logger per run', async () => {
		const [one, two] = await Promise.all([
			runWorkflow({ nodes: [{ type: 'test.append', parameters: { marker: 'one' } }] }),
			runWorkflow({ nodes: [{ type: 'test.append', parameters: { marker: 'two' } }] }),
		]);

		expect(one.logs).toContain('info: appending one {"itemIndex":0}');
		expect(one.logs.some((line) => line.startsWith('debug: Start executing node "Append"'))).toBe(true);
		expect(one.logs.some((line) => line.startsWith('debug: Workflow execution finished successfully'))).toBe(true);
		expect(one.logs.join('\n')).not.toContain('appending two');
		expect(two.logs).toContain('info: appending two {"itemIndex":0}');
	});

	it('reports workflow issues such as a missing required parameter as the error', async () => {
		const result = await runWorkflow({ nodes: [{ type: 'test.required', parameters: {} }] });

		const error = errorOf(result);
		expect(error.name).toBe('WorkflowHasIssuesError');
		expect(error.message).toContain('Parameter "Document ID" is required');
		expect(result.items).toEqual([]);
		expect(result.runData).toEqual({});

		const fixed = await runWorkflow({ nodes: [{ type: 'test.required', parameters: { documentId: 'd-1' } }] });
		expect(fixed.error).toBeUndefined();
	});

	it('rejects for unknown node types and duplicate names', async () => {
		await expect(runWorkflow({ nodes: [{ type: 'test.missing', parameters: {} }] })).rejects.toThrow(
			/Unknown node type "test.missing"/,
		);
		await expect(
			runWorkflow({
				nodes: [
					{ type: 'runner.noOp', name: 'Same', parameters: {} },
					{ type: 'runner.noOp', name: 'Same', parameters: {} },
				],
			}),
		).rejects.toThrow(/used twice/);
	});
});

describe('authenticated HTTP requests', () => {
	it('authenticates with a credential type whose authenticate is a function', async () => {
		const result = await runWorkflow({
			nodes: [{ type: 'test.httpAuth', parameters: { path: '/echo?x=1' } }],
			items: [{ json: { baseUrl } }],
			credentials: { [FUNCTION_CREDENTIAL]: { apiKey: 'secret-key' } },
		});

		expect(result.error).toBeUndefined();
		expect(result.items[0].json.response).toEqual({ ok: true, path: '/echo?x=1' });
		expect(seen).toHaveLength(1);
		expect(seen[0].headers['x-api-key']).toBe('secret-key');
		// Default of the credential type's `region` property applied.
		expect(seen[0].headers['x-region']).toBe('hcm-3');
	});

	it('resolves the expressions of a generic authenticate', async () => {
		const result = await runWorkflow({
			nodes: [{ type: 'test.httpAuth', parameters: { path: '/echo', credentialType: GENERIC_CREDENTIAL } }],
			items: [{ json: { baseUrl } }],
			credentials: { [GENERIC_CREDENTIAL]: { apiKey: 'tok-123' } },
		});

		expect(result.error).toBeUndefined();
		expect(seen[0].headers.authorization).toBe('Bearer tok-123');
	});

	it('reports HTTP errors as NodeApiError with the status code', async () => {
		const result = await runWorkflow({
			nodes: [{ type: 'test.httpAuth', name: 'Call', parameters: { path: '/status/404' } }],
			items: [{ json: { baseUrl } }],
			credentials: { [FUNCTION_CREDENTIAL]: { apiKey: 'k' } },
		});

		const error = errorOf(result);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.name).toBe('NodeApiError');
		expect(error.httpCode).toBe('404');
		expect(error.message).toContain('The resource you are requesting could not be found');
		expect(error.description).toBe('failed with 404');
	});

	it('returns error bodies with ignoreHttpStatusErrors and full responses with returnFullResponse', async () => {
		const ignored = await runWorkflow({
			nodes: [{ type: 'test.httpAuth', parameters: { path: '/status/500', ignoreErrors: true } }],
			items: [{ json: { baseUrl } }],
			credentials: { [FUNCTION_CREDENTIAL]: { apiKey: 'k' } },
		});
		expect(ignored.error).toBeUndefined();
		expect(ignored.items[0].json.response).toEqual({ message: 'failed with 500', code: 'TEST_ERROR' });

		const full = await runWorkflow({
			nodes: [{ type: 'test.httpAuth', parameters: { path: '/status/409', ignoreErrors: true, fullResponse: true } }],
			items: [{ json: { baseUrl } }],
			credentials: { [FUNCTION_CREDENTIAL]: { apiKey: 'k' } },
		});
		expect(full.error).toBeUndefined();
		expect(full.items[0].json.response).toMatchObject({
			statusCode: 409,
			statusMessage: 'Conflict',
			body: { message: 'failed with 409', code: 'TEST_ERROR' },
			headers: expect.objectContaining({ 'x-test': 'yes' }),
		});
	});

	it('fails with n8n\'s message when the node has no credentials', async () => {
		const result = await runWorkflow({
			nodes: [{ type: 'test.httpAuth', parameters: { path: '/echo' } }],
			items: [{ json: { baseUrl } }],
		});

		expect(errorOf(result).message).toMatch(/credentials/i);
		expect(seen).toHaveLength(0);
	});
});

describe('runCredentialTest', () => {
	it('calls the node\'s credentialTest method with a credential test context', async () => {
		const ok = await runCredentialTest(FUNCTION_CREDENTIAL, 'test.httpAuth', { apiKey: 'good-key', baseUrl });
		expect(ok).toEqual({ status: 'OK', message: 'Connection successful (hcm-3)' });
		expect(seen[0].headers['x-api-key']).toBe('good-key');

		const rejected = await runCredentialTest(FUNCTION_CREDENTIAL, 'test.httpAuth', { apiKey: 'bad', baseUrl });
		expect(rejected.status).toBe('Error');
		expect(rejected.message).toMatch(/^Rejected: /);
	});

	it('runs the request test of a credential type', async () => {
		const ok = await runCredentialTest(GENERIC_CREDENTIAL, 'test.httpAuth', { apiKey: 'good-token', baseUrl });
		expect(ok).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(seen[0].headers.authorization).toBe('Bearer good-token');

		const rejected = await runCredentialTest(GENERIC_CREDENTIAL, 'test.httpAuth', { apiKey: 'nope', baseUrl });
		expect(rejected.status).toBe('Error');
	});

	it('reports a missing test', async () => {
		const result = await runCredentialTest(FUNCTION_CREDENTIAL, 'test.append', {});
		expect(result).toEqual({ status: 'Error', message: 'No testing function found for this credential.' });
	});
});
