/**
 * Node and credential types the runner knows: the start node that emits a run's input items,
 * n8n's No Operation node, this package's node and credential (loaded on first use, so the
 * runner still loads while they do not compile) and whatever a caller registers.
 */
import type {
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	INodeTypes,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeHelpers } from 'n8n-workflow';

export const START_NODE_TYPE = 'runner.start';
/** The type name n8n gives its No Operation node (and the credential tester's request node). */
export const NO_OP_NODE_TYPE = 'n8n-nodes-base.noOp';
export const PACKAGE_NODE_TYPE = 'greenNodeOcr';
export const PACKAGE_CREDENTIAL_TYPE = 'greenNodeOcrApi';

export interface BinaryInput {
	data: Buffer;
	fileName?: string;
	mimeType?: string;
}

export interface InputItem {
	json?: IDataObject;
	binary?: Record<string, BinaryInput>;
}

/* eslint-disable @typescript-eslint/no-require-imports */
const packageTypes: Record<string, () => INodeType | ICredentialType> = {
	[PACKAGE_NODE_TYPE]: () => new (require('../../nodes/GreenNodeOcr/GreenNodeOcr.node').GreenNodeOcr)(),
	[PACKAGE_CREDENTIAL_TYPE]: () => new (require('../../credentials/GreenNodeOcrApi.credentials').GreenNodeOcrApi)(),
	greenNodeOcrN8nApi: () => new (require('../../credentials/GreenNodeOcrN8nApi.credentials').GreenNodeOcrN8nApi)(),
	[`${PACKAGE_NODE_TYPE}Tool`]: () => toolCopy(packageTypes[PACKAGE_NODE_TYPE]() as INodeType),
};

/**
 * The node as n8n's tool copy of it runs: its type name ends in "Tool", which is what the node and
 * n8n's "@tool" display conditions read. Unlike n8n's copy it keeps a main input and output, so the
 * runner can hand it the one item an AI Agent would (the agent itself is tested in real n8n).
 */
function toolCopy(node: INodeType): INodeType {
	const description = { ...node.description, name: `${node.description.name}Tool`, displayName: `${node.description.displayName} Tool`, outputs: [NodeConnectionTypes.Main] };
	delete (description as Partial<INodeTypeDescription>).usableAsTool;
	return { description, execute: node.execute } as INodeType;
}
/* eslint-enable @typescript-eslint/no-require-imports */

function registry<T>(kind: string) {
	const types = new Map<string, T>();
	return {
		register: (name: string, type: T) => void types.set(name, type),
		find(name: string): T | undefined {
			if (!types.has(name) && packageTypes[name]) types.set(name, packageTypes[name]() as T);
			return types.get(name);
		},
		get(name: string): T {
			const type = this.find(name);
			if (type) return type;
			throw new Error(`Unknown ${kind} type "${name}". Registered: ${[...types.keys()].sort().join(', ')}`);
		},
	};
}

export const nodeTypes = registry<INodeType>('node');
export const credentialTypes = registry<ICredentialType>('credential');

export const runnerNodeTypes: INodeTypes = {
	getByName: (name) => nodeTypes.get(name),
	getByNameAndVersion: (name, version) => NodeHelpers.getVersionedNodeType(nodeTypes.get(name), version),
	getKnownTypes: () => ({}),
};

/**
 * The description of a node with one main input and one main output: the runner's own nodes and
 * the nodes tests and benchmarks register. `extra` overrides any field (`displayName` defaults
 * to `name` and also names the node's description and default node name).
 */
export function nodeDescription(name: string, extra: Partial<INodeTypeDescription> = {}): INodeTypeDescription {
	const displayName = extra.displayName ?? name;
	return {
		displayName,
		name,
		group: ['transform'],
		version: 1,
		description: displayName,
		defaults: { name: displayName },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
		...extra,
	};
}

/** Hands the input items of a run (keyed by execution id) to its start node. */
export const runInputs = new Map<string, InputItem[]>();

nodeTypes.register(START_NODE_TYPE, {
	description: nodeDescription(START_NODE_TYPE, { displayName: 'Runner Start', group: ['input'], defaults: { name: 'Start' } }),
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = runInputs.get(this.getExecutionId()) ?? [];
		const output: INodeExecutionData[] = [];
		for (const item of items.length > 0 ? items : [{}]) {
			const binaryEntries = Object.entries(item.binary ?? {});
			const binary = binaryEntries.length > 0 ? {} as NonNullable<INodeExecutionData['binary']> : undefined;
			for (const [property, file] of binaryEntries) {
				binary![property] = await this.helpers.prepareBinaryData(file.data, file.fileName, file.mimeType);
			}
			output.push({ json: { ...item.json }, ...(binary ? { binary } : {}), pairedItem: { item: 0 } });
		}
		return [output];
	},
});

nodeTypes.register(NO_OP_NODE_TYPE, {
	description: nodeDescription(NO_OP_NODE_TYPE, { displayName: 'No Operation, do nothing', group: ['organization'] }),
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	},
});
