/**
 * In-process n8n workflow runner.
 *
 * Runs real workflows with n8n-core's `WorkflowExecute` (the same engine n8n uses), built
 * from a list of node specs that are chained linearly after an internal start node:
 *
 *     start -> nodes[0] -> nodes[1] -> ...
 *
 * Used by the tests, the example script and the benchmarks. See `runWorkflow()`.
 */
// Must stay the first import: it points n8n at a temporary user folder before n8n-core loads.
import './runner/env';

import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import {
	BinaryDataConfig,
	BinaryDataService,
	CredentialTestContext,
	ExecuteContext,
	ExecutionLifecycleHooks,
	ExternalSecretsProxy,
	RoutingNode,
	WorkflowExecute,
} from 'n8n-core';
import type {
	ExecutionBaseError,
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunction,
	ICredentialTestRequest,
	ICredentialType,
	IConnections,
	IDataObject,
	IExecuteData,
	INode,
	INodeCredentialTestResult,
	INodeCredentials,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypes,
	IRun,
	IRunData,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import {
	ApplicationError,
	ExecutionCancelledError,
	ExpressionError,
	LoggerProxy,
	NodeApiError,
	NodeConnectionTypes,
	NodeHelpers,
	NodeOperationError,
	NodeSslError,
	OperationalError,
	UnexpectedError,
	UserError,
	Workflow,
	WorkflowOperationError,
	createRunExecutionData,
	deepCopy,
} from 'n8n-workflow';

import { RunnerCredentialsHelper, applyCredentialDefaults } from './runner/credentials-helper';
import { makeTempDir, removeTempRoot } from './runner/env';
import { CapturingLogger, logScope } from './runner/logging';
import {
	NO_OP_NODE_TYPE,
	PACKAGE_CREDENTIAL_TYPE,
	START_NODE_TYPE,
	findCredentialType,
	getDefaultNodeVersion,
	getNodeType,
	isVersionedNodeType,
	registerCredentialType as addCredentialType,
	registerNodeType as addNodeType,
	runnerNodeTypes,
} from './runner/registry';
import type { BinaryInput, InputItem } from './runner/run-input';
import { clearRunInput, setRunInput } from './runner/run-input';

export type { BinaryInput, InputItem };
export { NO_OP_NODE_TYPE, START_NODE_TYPE };

export type BinaryMode = 'default' | 'filesystem';

export interface RunNodeSpec {
	/** Node name; defaults to the node type's default name (made unique with a number suffix). */
	name?: string;
	/** Registered node type, e.g. `greenNodeOcr`, `runner.noOp` or a type registered by a test. */
	type: string;
	/** Defaults to the node type's latest version. */
	typeVersion?: number;
	parameters: INodeParameters;
	/**
	 * Credential references of the node. Defaults to a reference for every credential the node
	 * type declares and the run provides data for, e.g.
	 * `{ greenNodeOcrApi: { id: '1', name: 'GreenNode OCR account' } }`.
	 */
	credentials?: INodeCredentials;
	continueOnFail?: boolean;
	onError?: 'continueRegularOutput' | 'continueErrorOutput' | 'stopWorkflow';
}

export interface RunOptions {
	/** Chained linearly after the start node: start -> nodes[0] -> nodes[1] ... */
	nodes: RunNodeSpec[];
	/** Items emitted by the start node. Binary data goes through `prepareBinaryData`. Defaults to one empty item. */
	items?: InputItem[];
	/** Credential data keyed by credential type name. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Where binary data lives: in the items as base64 (`default`) or in files (`filesystem`). Defaults to `default`. */
	binaryMode?: BinaryMode;
}

export interface RunResult {
	/** Per node name, per main output index: the items of the node's last run. */
	outputs: Record<string, INodeExecutionData[][]>;
	/** Main output 0 of the last node, or `[]` if it did not produce output. */
	items: INodeExecutionData[];
	/** The workflow's error if it failed (`resultData.error`), with `message` and `description`. */
	error?: ExecutionBaseError | Error;
	runData: IRunData;
	/** Every line n8n logged during the run (`LoggerProxy` and `this.logger`), as `level: message {metadata}`. */
	logs: string[];
	/** The full run as returned by the engine. */
	run: IRun;
	/** Reads binary data back, in either binary mode. `property` defaults to `data`. */
	readBinary(item: INodeExecutionData, property?: string): Promise<Buffer>;
}

const WORKFLOW_ID = 'runner-workflow';
const BASE_URL = 'http://localhost:5678/';

const capturingLogger = new CapturingLogger();

function installLogger(): void {
	Container.set(Logger, capturingLogger as unknown as Logger);
	LoggerProxy.init(capturingLogger);
}

installLogger();

export function registerNodeType(name: string, type: INodeType | IVersionedNodeType): void {
	addNodeType(name, type);
}

export function registerCredentialType(name: string, type: ICredentialType): void {
	addCredentialType(name, type);
}

// ---------------------------------------------------------------------------------------
// Binary data mode
// ---------------------------------------------------------------------------------------

let binaryStoragePath: string | undefined;
let activeBinaryMode: BinaryMode | undefined;
let runsInActiveMode = 0;
let modeSwitch: Promise<void> | undefined;
const modeWaiters: Array<() => void> = [];

async function switchBinaryMode(mode: BinaryMode): Promise<void> {
	const config = Container.get(BinaryDataConfig);
	binaryStoragePath ??= makeTempDir('binary-data');
	config.localStoragePath = binaryStoragePath;
	config.mode = mode;
	await Container.get(BinaryDataService).init();
	activeBinaryMode = mode;
}

/**
 * The binary data mode is process-wide in n8n, so runs in different modes cannot overlap:
 * a run waits until all runs of the other mode have finished. Switching only happens when
 * the mode changes.
 */
async function acquireBinaryMode(mode: BinaryMode): Promise<void> {
	for (;;) {
		if (modeSwitch) {
			await modeSwitch;
			continue;
		}
		if (activeBinaryMode === mode) {
			runsInActiveMode++;
			return;
		}
		if (runsInActiveMode === 0) {
			modeSwitch = switchBinaryMode(mode);
			try {
				await modeSwitch;
			} finally {
				modeSwitch = undefined;
			}
			continue;
		}
		await new Promise<void>((resolve) => modeWaiters.push(resolve));
	}
}

function releaseBinaryMode(): void {
	runsInActiveMode--;
	if (runsInActiveMode === 0) {
		for (const wake of modeWaiters.splice(0)) wake();
	}
}

async function readBinaryData(item: INodeExecutionData, property = 'data'): Promise<Buffer> {
	const binary = item.binary?.[property];
	if (!binary) {
		const available = Object.keys(item.binary ?? {}).join(', ') || 'none';
		throw new Error(`Item has no binary property "${property}" (available: ${available})`);
	}
	return await Container.get(BinaryDataService).getAsBuffer(binary);
}

// ---------------------------------------------------------------------------------------
// Workflow building
// ---------------------------------------------------------------------------------------

const externalSecretsProxy = new ExternalSecretsProxy();
let executionCounter = 0;

function notAvailable(feature: string): () => never {
	return () => {
		throw new UnexpectedError(`${feature} is not available in the in-process runner`);
	};
}

function createAdditionalData(
	executionId: string,
	credentialsHelper: RunnerCredentialsHelper,
	hooks?: ExecutionLifecycleHooks,
): IWorkflowExecuteAdditionalData {
	return {
		credentialsHelper,
		hooks,
		executionId,
		workflowId: WORKFLOW_ID,
		currentNodeExecutionIndex: 0,
		restApiUrl: `${BASE_URL}rest`,
		instanceBaseUrl: BASE_URL,
		formBaseUrl: `${BASE_URL}form`,
		formWaitingBaseUrl: `${BASE_URL}form-waiting`,
		formTestBaseUrl: `${BASE_URL}form-test`,
		webhookBaseUrl: `${BASE_URL}webhook`,
		webhookWaitingBaseUrl: `${BASE_URL}webhook-waiting`,
		webhookTestBaseUrl: `${BASE_URL}webhook-test`,
		mcpBaseUrl: `${BASE_URL}mcp`,
		mcpTestBaseUrl: `${BASE_URL}mcp-test`,
		variables: {},
		externalSecretsProxy,
		executeWorkflow: notAvailable('Executing sub-workflows'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: () => {},
		startRunnerTask: notAvailable('Running code in task runners'),
	};
}

function defaultCredentialReference(typeName: string, index: number): { id: string; name: string } {
	if (typeName === PACKAGE_CREDENTIAL_TYPE) return { id: '1', name: 'GreenNode OCR account' };
	const displayName = findCredentialType(typeName)?.displayName ?? typeName;
	return { id: String(index + 1), name: `${displayName} account` };
}

function uniqueName(base: string, used: Set<string>): string {
	let name = base;
	for (let suffix = 1; used.has(name); suffix++) name = `${base}${suffix}`;
	used.add(name);
	return name;
}

interface BuiltWorkflow {
	nodes: INode[];
	connections: IConnections;
}

function buildWorkflow(options: RunOptions): BuiltWorkflow {
	if (!Array.isArray(options.nodes) || options.nodes.length === 0) {
		throw new Error('runWorkflow() needs at least one node');
	}
	const credentialTypeNames = Object.keys(options.credentials ?? {});
	const usedNames = new Set<string>();
	for (const spec of options.nodes) {
		if (spec.name === undefined) continue;
		if (usedNames.has(spec.name)) throw new Error(`Node name "${spec.name}" is used twice`);
		usedNames.add(spec.name);
	}
	const start: INode = {
		id: 'runner-start',
		name: uniqueName('Start', usedNames),
		type: START_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const nodes: INode[] = [start];
	options.nodes.forEach((spec, index) => {
		const nodeType = getNodeType(spec.type);
		const typeVersion = spec.typeVersion ?? getDefaultNodeVersion(nodeType);
		const description = NodeHelpers.getVersionedNodeType(nodeType, typeVersion).description;
		const node: INode = {
			id: `runner-node-${index + 1}`,
			name: spec.name ?? uniqueName(description.defaults?.name ?? description.displayName ?? spec.type, usedNames),
			type: spec.type,
			typeVersion,
			position: [(index + 1) * 220, 0],
			parameters: deepCopy(spec.parameters ?? {}),
		};
		let credentials = spec.credentials;
		if (credentials === undefined) {
			const declared = (description.credentials ?? [])
				.map((credential) => credential.name)
				.filter((name) => credentialTypeNames.includes(name));
			if (declared.length > 0) {
				credentials = {};
				declared.forEach((name, credentialIndex) => {
					credentials![name] = defaultCredentialReference(name, credentialIndex);
				});
			}
		}
		if (credentials !== undefined) node.credentials = credentials;
		if (spec.continueOnFail !== undefined) node.continueOnFail = spec.continueOnFail;
		if (spec.onError !== undefined) node.onError = spec.onError;
		nodes.push(node);
	});

	const connections: IConnections = {};
	for (let index = 0; index < nodes.length - 1; index++) {
		connections[nodes[index].name] = {
			[NodeConnectionTypes.Main]: [
				[{ node: nodes[index + 1].name, type: NodeConnectionTypes.Main, index: 0 }],
			],
		};
	}
	return { nodes, connections };
}

const ERROR_CLASSES: Record<string, { prototype: Error }> = {
	NodeOperationError,
	NodeApiError,
	NodeSslError,
	ExpressionError,
	WorkflowOperationError,
	ExecutionCancelledError,
	UnexpectedError,
	UserError,
	OperationalError,
	ApplicationError,
};

/**
 * The engine stores errors as plain copies (`{ ...error, message, stack }`). Give them back
 * the prototype of the class named by `name` (or `Error`), so `instanceof` and jest's error
 * matchers work. Own properties (`message`, `description`, `httpCode`, `context`, `node`,
 * ...) are untouched.
 */
function reviveError<T>(error: T): T {
	if (error === null || typeof error !== 'object' || error instanceof Error) return error;
	const name = (error as { name?: unknown }).name;
	const errorClass = typeof name === 'string' ? ERROR_CLASSES[name] : undefined;
	Object.setPrototypeOf(error, (errorClass ?? Error).prototype);
	return error;
}

function lastOutputs(runData: IRunData): Record<string, INodeExecutionData[][]> {
	const outputs: Record<string, INodeExecutionData[][]> = {};
	for (const [nodeName, tasks] of Object.entries(runData)) {
		const last = tasks[tasks.length - 1];
		outputs[nodeName] = (last?.data?.[NodeConnectionTypes.Main] ?? []).map((items) => items ?? []);
	}
	return outputs;
}

// ---------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------

/**
 * Runs `start -> nodes[0] -> nodes[1] ...` with n8n's `WorkflowExecute` in `manual` mode.
 *
 * Node errors do not reject: they surface in `error` (and in `runData`), as in n8n.
 * The promise only rejects for invalid options (unknown node type, duplicate name, ...).
 */
export async function runWorkflow(options: RunOptions): Promise<RunResult> {
	const { nodes, connections } = buildWorkflow(options);
	const binaryMode: BinaryMode = options.binaryMode ?? 'default';
	const executionId = String(++executionCounter);
	const logs: string[] = [];

	await acquireBinaryMode(binaryMode);
	try {
		return await logScope.run({ logs }, async () => {
			const workflow = new Workflow({
				id: WORKFLOW_ID,
				name: 'Runner workflow',
				nodes,
				connections,
				active: false,
				nodeTypes: runnerNodeTypes,
				settings: { executionOrder: 'v1' },
			});

			const workflowData = {
				id: WORKFLOW_ID,
				name: 'Runner workflow',
				active: false,
				isArchived: false,
				nodes,
				connections,
				settings: { executionOrder: 'v1' },
				createdAt: new Date(0),
				updatedAt: new Date(0),
			} as IWorkflowBase;
			const hooks = new ExecutionLifecycleHooks('manual', executionId, workflowData);
			let finished: IRun | undefined;
			hooks.addHandler('workflowExecuteAfter', (fullRunData) => {
				finished = fullRunData;
			});

			const credentialsHelper = new RunnerCredentialsHelper(options.credentials);
			const additionalData = createAdditionalData(executionId, credentialsHelper, hooks);

			const startNode = nodes[0];
			const runExecutionData = createRunExecutionData({
				executionData: {
					nodeExecutionStack: [
						{ node: startNode, data: { [NodeConnectionTypes.Main]: [[{ json: {} }]] }, source: null },
					],
				},
			});

			setRunInput(executionId, options.items ?? []);
			const startedAt = new Date();
			let run: IRun;
			try {
				run = await new WorkflowExecute(additionalData, 'manual', runExecutionData).processRunExecutionData(
					workflow,
				);
				run = finished ?? run;
			} catch (error) {
				// Checks before the first node runs (e.g. `WorkflowHasIssuesError` for a missing
				// required parameter) throw instead of finishing the execution. n8n reports them
				// as a failed execution; so does the runner.
				runExecutionData.resultData.error = error as ExecutionBaseError;
				run = {
					data: runExecutionData,
					mode: 'manual',
					startedAt,
					stoppedAt: new Date(),
					storedAt: 'db',
					status: 'error',
				};
			} finally {
				clearRunInput(executionId);
			}

			const runData = run.data.resultData.runData ?? {};
			for (const tasks of Object.values(runData)) {
				for (const task of tasks) reviveError(task.error);
			}
			const outputs = lastOutputs(runData);
			const lastNode = nodes[nodes.length - 1];
			const result: RunResult = {
				outputs,
				items: outputs[lastNode.name]?.[0] ?? [],
				runData,
				logs,
				run,
				readBinary: readBinaryData,
			};
			const error = run.data.resultData.error;
			if (error) result.error = reviveError(error);
			return result;
		});
	} finally {
		releaseBinaryMode();
	}
}

// ---------------------------------------------------------------------------------------
// Credential tests
// ---------------------------------------------------------------------------------------

interface CredentialTestRequestWithNode {
	nodeType: INodeType;
	testRequest: ICredentialTestRequest;
}

type CredentialTestTarget = ICredentialTestFunction | CredentialTestRequestWithNode;

function findCredentialTest(credentialTypeName: string, nodeTypeName: string): CredentialTestTarget | undefined {
	const credentialType = findCredentialType(credentialTypeName);
	if (credentialType?.test) {
		return { nodeType: NodeHelpers.getVersionedNodeType(getNodeType(NO_OP_NODE_TYPE)), testRequest: credentialType.test };
	}

	const node = getNodeType(nodeTypeName);
	const versions: INodeType[] = isVersionedNodeType(node)
		? Object.keys(node.nodeVersions)
				.map(Number)
				.sort((a, b) => b - a)
				.map((version) => node.nodeVersions[version])
		: [node];
	for (const nodeType of versions) {
		for (const { name, testedBy } of nodeType.description.credentials ?? []) {
			if (name !== credentialTypeName || !testedBy) continue;
			if (typeof testedBy === 'string') {
				const test = nodeType.methods?.credentialTest?.[testedBy];
				if (test) return test;
				continue;
			}
			return { nodeType, testRequest: testedBy };
		}
	}
	return undefined;
}

async function runCredentialTestRequest(
	credentialTypeName: string,
	credentials: ICredentialsDecrypted,
	{ nodeType, testRequest }: CredentialTestRequestWithNode,
): Promise<INodeCredentialTestResult> {
	const node: INode = {
		id: 'temp',
		parameters: {},
		name: 'Temp-Node',
		type: nodeType.description.name,
		typeVersion: Array.isArray(nodeType.description.version)
			? nodeType.description.version.slice(-1)[0]
			: nodeType.description.version,
		position: [0, 0],
		credentials: { [credentialTypeName]: { id: credentials.id, name: credentials.name } },
	};
	const nodeTypeCopy: INodeType = {
		description: {
			...nodeType.description,
			credentials: [{ name: credentialTypeName, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					routing: { request: testRequest.request },
					default: '',
				},
			],
		},
	};
	const testNodeTypes: INodeTypes = {
		getByName: () => nodeTypeCopy,
		getByNameAndVersion: () => nodeTypeCopy,
		getKnownTypes: () => ({}),
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: testNodeTypes });
	const credentialsHelper = new RunnerCredentialsHelper(
		credentials.data ? { [credentialTypeName]: credentials.data } : {},
	);
	const additionalData = createAdditionalData('credential-test', credentialsHelper);
	const executeData: IExecuteData = { node, data: {}, source: null };
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'internal',
		createRunExecutionData({ executionData: null }),
		0,
		[],
		{ [NodeConnectionTypes.Main]: [[{ json: {} }]] },
		executeData,
		[],
	);
	const routingNode = new RoutingNode(context, nodeTypeCopy, credentials);

	let response: INodeExecutionData[][] | null | undefined;
	try {
		response = await routingNode.runNode();
	} catch (error) {
		const cause = (error as { cause?: { response?: { status?: number; statusText?: string }; code?: string } })
			.cause;
		if (cause?.response) {
			const statusCode = cause.response.status ?? 0;
			for (const rule of testRequest.rules ?? []) {
				if (rule.type === 'responseCode' && statusCode === rule.properties.value) {
					return { status: 'Error', message: rule.properties.message };
				}
			}
			if (statusCode < 199 || statusCode > 299) {
				return {
					status: 'Error',
					message: cause.response.statusText || `Received HTTP status code: ${statusCode}`,
				};
			}
		} else if (cause?.code) {
			return { status: 'Error', message: cause.code };
		}
		return { status: 'Error', message: (error as Error).message.toString() };
	}

	for (const rule of testRequest.rules ?? []) {
		if (rule.type === 'responseSuccessBody') {
			const json = (response?.[0]?.[0]?.json ?? {}) as IDataObject;
			const value = rule.properties.key.split('.').reduce<unknown>(
				(current, key) => (current as IDataObject | undefined)?.[key],
				json,
			);
			if (value === rule.properties.value) {
				return { status: 'Error', message: rule.properties.message };
			}
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}

/**
 * Tests credential data the way n8n's credential tester does when "Test" is clicked in the
 * credential dialog:
 *
 * - a credential type with `test` (a request definition) is tested with that request,
 * - otherwise the node's `credentials[].testedBy` is used: a string names a method in
 *   `methods.credentialTest`, called with n8n-core's `CredentialTestContext` and the
 *   decrypted credentials (`{ id, name, type, data }`); an object is a request definition.
 *
 * Credential type defaults are applied to `data` first, as n8n does.
 */
export async function runCredentialTest(
	credentialTypeName: string,
	nodeTypeName: string,
	data: ICredentialDataDecryptedObject,
): Promise<INodeCredentialTestResult> {
	const test = findCredentialTest(credentialTypeName, nodeTypeName);
	if (test === undefined) {
		return { status: 'Error', message: 'No testing function found for this credential.' };
	}
	const credentials: ICredentialsDecrypted = {
		id: '1',
		name: defaultCredentialReference(credentialTypeName, 0).name,
		type: credentialTypeName,
		data: applyCredentialDefaults(credentialTypeName, data),
	};
	if (typeof test === 'function') {
		// n8n creates the context without additional data, so `helpers.request` is all a test gets.
		const context = new CredentialTestContext();
		return await test.call(context, credentials);
	}
	return await runCredentialTestRequest(credentialTypeName, credentials, test);
}

/** Removes the runner's temporary files (user folder, binary data). Also done at process exit. */
export function disposeRunner(): void {
	removeTempRoot();
	binaryStoragePath = undefined;
	activeBinaryMode = undefined;
}
