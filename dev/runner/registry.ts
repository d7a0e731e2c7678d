/**
 * Node and credential type registry of the in-process workflow runner.
 *
 * The package's own node and credential are loaded lazily, on first use, so the runner
 * (and its own tests) keep working while those files are missing or do not compile.
 */
import type {
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	INodeTypes,
	IVersionedNodeType,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeHelpers } from 'n8n-workflow';

import { takeRunInput } from './run-input';

export const START_NODE_TYPE = 'runner.start';
export const NO_OP_NODE_TYPE = 'runner.noOp';
export const PACKAGE_NAME = 'n8n-nodes-greennode-ocr';
export const PACKAGE_NODE_TYPE = 'greenNodeOcr';
export const PACKAGE_CREDENTIAL_TYPE = 'greenNodeOcrApi';

const nodeTypes = new Map<string, INodeType | IVersionedNodeType>();
const credentialTypes = new Map<string, ICredentialType>();

let packageNodeError: Error | undefined;
let packageCredentialError: Error | undefined;

function toError(error: unknown): Error {
	return error instanceof Error ? error : new Error(String(error));
}

function loadPackageNode(): void {
	if (nodeTypes.has(PACKAGE_NODE_TYPE)) return;
	try {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const loaded = require('../../nodes/GreenNodeOcr/GreenNodeOcr.node') as {
			GreenNodeOcr: new () => INodeType | IVersionedNodeType;
		};
		const instance = new loaded.GreenNodeOcr();
		nodeTypes.set(PACKAGE_NODE_TYPE, instance);
		nodeTypes.set(`${PACKAGE_NAME}.${PACKAGE_NODE_TYPE}`, instance);
		packageNodeError = undefined;
	} catch (error) {
		packageNodeError = toError(error);
	}
}

function loadPackageCredential(): void {
	if (credentialTypes.has(PACKAGE_CREDENTIAL_TYPE)) return;
	try {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const loaded = require('../../credentials/GreenNodeOcrApi.credentials') as {
			GreenNodeOcrApi: new () => ICredentialType;
		};
		credentialTypes.set(PACKAGE_CREDENTIAL_TYPE, new loaded.GreenNodeOcrApi());
		packageCredentialError = undefined;
	} catch (error) {
		packageCredentialError = toError(error);
	}
}

function isPackageNodeName(name: string): boolean {
	return name === PACKAGE_NODE_TYPE || name === `${PACKAGE_NAME}.${PACKAGE_NODE_TYPE}`;
}

export function registerNodeType(name: string, type: INodeType | IVersionedNodeType): void {
	nodeTypes.set(name, type);
}

export function registerCredentialType(name: string, type: ICredentialType): void {
	credentialTypes.set(name, type);
}

export function findNodeType(name: string): INodeType | IVersionedNodeType | undefined {
	if (!nodeTypes.has(name) && isPackageNodeName(name)) loadPackageNode();
	return nodeTypes.get(name);
}

export function getNodeType(name: string): INodeType | IVersionedNodeType {
	const type = findNodeType(name);
	if (type) return type;
	if (isPackageNodeName(name) && packageNodeError) {
		throw new Error(`Node type "${name}" could not be loaded: ${packageNodeError.message}`);
	}
	const known = [...nodeTypes.keys()].sort().join(', ');
	throw new Error(`Unknown node type "${name}". Registered node types: ${known}`);
}

export function findCredentialType(name: string): ICredentialType | undefined {
	if (!credentialTypes.has(name) && name === PACKAGE_CREDENTIAL_TYPE) loadPackageCredential();
	return credentialTypes.get(name);
}

export function getCredentialType(name: string): ICredentialType {
	const type = findCredentialType(name);
	if (type) return type;
	if (name === PACKAGE_CREDENTIAL_TYPE && packageCredentialError) {
		throw new Error(`Credential type "${name}" could not be loaded: ${packageCredentialError.message}`);
	}
	const known = [...credentialTypes.keys()].sort().join(', ');
	throw new Error(`Unknown credential type "${name}". Registered credential types: ${known}`);
}

/** Names of all credential types `name` extends, nearest first. */
export function getParentCredentialTypes(name: string): string[] {
	const type = findCredentialType(name);
	if (!type?.extends) return [];
	const parents: string[] = [];
	for (const parent of type.extends) {
		parents.push(parent, ...getParentCredentialTypes(parent));
	}
	return parents;
}

export function isVersionedNodeType(type: INodeType | IVersionedNodeType): type is IVersionedNodeType {
	return 'nodeVersions' in type;
}

/** The version a node gets when its spec does not name one. */
export function getDefaultNodeVersion(type: INodeType | IVersionedNodeType): number {
	if (isVersionedNodeType(type)) return type.currentVersion;
	const { version } = type.description;
	return Array.isArray(version) ? Math.max(...version) : version;
}

export const runnerNodeTypes: INodeTypes = {
	getByName(name: string): INodeType | IVersionedNodeType {
		return getNodeType(name);
	},
	getByNameAndVersion(name: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(getNodeType(name), version);
	},
	getKnownTypes(): IDataObject {
		return {};
	},
};

/** Emits the run's input items; binary data goes through `prepareBinaryData`. */
class RunnerStart implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Runner Start',
		name: START_NODE_TYPE,
		group: ['input'],
		version: 1,
		description: 'Emits the input items of a runner workflow',
		defaults: { name: 'Start' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const input = takeRunInput(this.getExecutionId());
		const items = input && input.length > 0 ? input : [{ json: {} }];
		const returnData: INodeExecutionData[] = [];
		for (const item of items) {
			const output: INodeExecutionData = { json: { ...(item.json ?? {}) }, pairedItem: { item: 0 } };
			const binaryEntries = Object.entries(item.binary ?? {});
			if (binaryEntries.length > 0) {
				output.binary = {};
				for (const [property, file] of binaryEntries) {
					output.binary[property] = await this.helpers.prepareBinaryData(
						file.data,
						file.fileName,
						file.mimeType,
					);
				}
			}
			returnData.push(output);
		}
		return [returnData];
	}
}

/** Passes its input through unchanged. */
class RunnerNoOp implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'No Operation',
		name: NO_OP_NODE_TYPE,
		group: ['organization'],
		version: 1,
		description: 'Passes its input items through unchanged',
		defaults: { name: 'No Operation' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

registerNodeType(START_NODE_TYPE, new RunnerStart());
registerNodeType(NO_OP_NODE_TYPE, new RunnerNoOp());
