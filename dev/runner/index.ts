/**
 * In-process n8n workflow runner for this package's tests, example and benchmarks.
 *
 * Runs `start -> nodes[0] -> nodes[1] -> ...` with n8n-core's `WorkflowExecute` (the engine n8n
 * uses), in either binary data mode, with credential data per credential type; a run can be
 * stopped like n8n's Stop button does. `testCredential` tests credentials like n8n's "Test" button.
 */
// Must stay the first import: it points n8n at a temporary user folder before n8n-core loads.
import { removeTempRoot } from './env';
import { captureLogs } from './logging';

import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type {
	DataTableProxyProvider,
	ExecutionBaseError,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IConnections,
	INode,
	INodeCredentials,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	IRun,
	IRunData,
	IWorkflowBase,
} from 'n8n-workflow';
import {
	ManualExecutionCancelledError,
	NodeApiError,
	NodeConnectionTypes,
	NodeOperationError,
	Workflow,
	createRunExecutionData,
	deepCopy,
} from 'n8n-workflow';

import { WORKFLOW_ID, createAdditionalData } from './additional-data';
import { acquireBinaryMode, readBinary, releaseBinaryMode, resetBinaryMode, type BinaryMode } from './binary';
import { RunnerCredentialsHelper } from './credentials';
import { START_NODE_TYPE, credentialTypes, nodeTypes, runInputs, runnerNodeTypes, type InputItem } from './registry';

export type { BinaryMode };
export type { BinaryInput, InputItem } from './registry';
export { NO_OP_NODE_TYPE, nodeDescription } from './registry';
export { runCredentialTest, testCredential } from './credential-test';
export { memoryDataTables, type MemoryDataTables } from './data-tables';

export interface RunNodeSpec {
	/** Node name; defaults to the node type's default name, made unique with a number suffix. */
	name?: string;
	/** `greenNodeOcr`, `NO_OP_NODE_TYPE` or a type registered with `registerNodeType`. */
	type: string;
	parameters: INodeParameters;
	/** Defaults to a reference to every credential the node type declares and the run has data for. */
	credentials?: INodeCredentials;
	continueOnFail?: boolean;
	onError?: 'continueRegularOutput' | 'continueErrorOutput' | 'stopWorkflow';
}

export interface RunOptions {
	nodes: RunNodeSpec[];
	/** Items the start node emits; binary data goes through `prepareBinaryData`. Defaults to one empty item. */
	items?: InputItem[];
	/** Credential data keyed by credential type name. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Defaults to `default` (binary data inline as base64). */
	binaryMode?: BinaryMode;
	/** Aborting it stops the execution as n8n's Stop button does. */
	signal?: AbortSignal;
	/** n8n's Data Tables as node helpers (see data-tables.ts); without it, a node has none, as when the feature is off. */
	dataTables?: DataTableProxyProvider;
}

export interface RunResult {
	/** Per node name, per main output: the items of the node's last run. */
	outputs: Record<string, INodeExecutionData[][]>;
	/** Main output 0 of the last node, or `[]`. */
	items: INodeExecutionData[];
	/** The execution's error (`resultData.error`), with its class restored for `instanceof`. */
	error?: ExecutionBaseError | Error;
	runData: IRunData;
	/** Every line n8n and the nodes logged during the run, as `level: message {metadata}`. */
	logs: string[];
	run: IRun;
	/** The bytes of an item's binary property (`data` by default), in either binary mode. */
	readBinary(item: INodeExecutionData, property?: string): Promise<Buffer>;
}

export function registerNodeType(name: string, type: INodeType): void {
	nodeTypes.register(name, type);
}

export function registerCredentialType(name: string, type: ICredentialType): void {
	credentialTypes.register(name, type);
}

function buildWorkflow({ nodes: specs, credentials = {} }: RunOptions): { nodes: INode[]; connections: IConnections } {
	if (specs.length === 0) throw new Error('runWorkflow() needs at least one node');
	const used = new Set<string>();
	for (const { name } of specs) {
		if (name !== undefined && used.has(name)) throw new Error(`Node name "${name}" is used twice`);
		if (name !== undefined) used.add(name);
	}
	const uniqueName = (base: string) => {
		let name = base;
		for (let suffix = 1; used.has(name); suffix++) name = `${base}${suffix}`;
		used.add(name);
		return name;
	};
	const start = { id: 'start', name: uniqueName('Start'), type: START_NODE_TYPE, typeVersion: 1, position: [0, 0] as [number, number], parameters: {} };
	const nodes: INode[] = [start];
	specs.forEach((spec, index) => {
		const { description } = nodeTypes.get(spec.type);
		const declared = (description.credentials ?? []).filter(({ name }) => credentials[name] !== undefined);
		const node: INode = {
			id: `node-${index + 1}`,
			name: spec.name ?? uniqueName(description.defaults.name ?? description.displayName),
			type: spec.type,
			typeVersion: Math.max(...[description.version].flat()),
			position: [(index + 1) * 220, 0],
			parameters: deepCopy(spec.parameters),
		};
		const references = spec.credentials ?? Object.fromEntries(declared.map(({ name }) => [name, { id: name, name: `${name} account` }]));
		if (Object.keys(references).length > 0) node.credentials = references;
		if (spec.continueOnFail !== undefined) node.continueOnFail = spec.continueOnFail;
		if (spec.onError !== undefined) node.onError = spec.onError;
		nodes.push(node);
	});
	const connections: IConnections = {};
	nodes.slice(1).forEach((node, index) => {
		connections[nodes[index].name] = { main: [[{ node: node.name, type: NodeConnectionTypes.Main, index: 0 }]] };
	});
	return { nodes, connections };
}

const ERROR_CLASSES: Record<string, { prototype: Error }> = { NodeApiError, NodeOperationError, ManualExecutionCancelledError };

/** The engine stores errors as plain copies; give them back the prototype of their class, for `instanceof`. */
function reviveError<T>(error: T): T {
	if (error === null || typeof error !== 'object' || error instanceof Error) return error;
	const { name } = error as { name?: string };
	Object.setPrototypeOf(error, ((name && ERROR_CLASSES[name]) || Error).prototype);
	return error;
}

let executionCounter = 0;

/**
 * Runs the workflow in `manual` mode. Node errors do not reject: they are in `error` and in
 * `runData`, as in n8n. It rejects only for invalid options (unknown node type, duplicate name).
 */
export async function runWorkflow(options: RunOptions): Promise<RunResult> {
	const { nodes, connections } = buildWorkflow(options);
	const executionId = String(++executionCounter);
	const logs: string[] = [];
	await acquireBinaryMode(options.binaryMode ?? 'default');
	runInputs.set(executionId, options.items ?? []);
	try {
		const run = await captureLogs(logs, async () => {
			const settings = { executionOrder: 'v1' as const };
			const workflow = new Workflow({ id: WORKFLOW_ID, nodes, connections, active: false, nodeTypes: runnerNodeTypes, settings });
			const workflowData = { id: WORKFLOW_ID, name: 'Runner', nodes, connections, settings } as IWorkflowBase;
			const hooks = new ExecutionLifecycleHooks('manual', executionId, workflowData);
			const additionalData = createAdditionalData(executionId, new RunnerCredentialsHelper(options.credentials), { hooks });
			if (options.dataTables) additionalData['data-table'] = { dataTableProxyProvider: options.dataTables };
			const runExecutionData = createRunExecutionData({
				executionData: { nodeExecutionStack: [{ node: nodes[0], data: { main: [[{ json: {} }]] }, source: null }] },
			});
			const startedAt = new Date();
			const stop = () => execution?.cancel();
			let execution: ReturnType<WorkflowExecute['processRunExecutionData']> | undefined;
			try {
				execution = new WorkflowExecute(additionalData, 'manual', runExecutionData).processRunExecutionData(workflow);
				options.signal?.addEventListener('abort', stop);
				if (options.signal?.aborted) stop();
				return await execution;
			} catch (error) {
				// Checks before the first node runs (a missing required parameter: `WorkflowHasIssuesError`)
				// throw; n8n reports them as a failed execution, and so does the runner.
				runExecutionData.resultData.error = error as ExecutionBaseError;
				return { data: runExecutionData, mode: 'manual', startedAt, stoppedAt: new Date(), storedAt: 'db', status: 'error' } as IRun;
			} finally {
				options.signal?.removeEventListener('abort', stop);
			}
		});
		const runData = run.data.resultData.runData;
		const outputs: RunResult['outputs'] = {};
		for (const [name, tasks] of Object.entries(runData)) {
			for (const task of tasks) reviveError(task.error);
			outputs[name] = (tasks.at(-1)?.data?.main ?? []).map((items) => items ?? []);
		}
		const error = reviveError(run.data.resultData.error);
		const items = outputs[nodes[nodes.length - 1].name]?.[0] ?? [];
		return { outputs, items, runData, logs, run, readBinary, ...(error ? { error } : {}) };
	} finally {
		runInputs.delete(executionId);
		releaseBinaryMode();
	}
}

/** Removes the runner's temporary files (user folder, binary data); also done at process exit. */
export function disposeRunner(): void {
	removeTempRoot();
	resetBinaryMode();
}
