/**
 * Tests credential data the way n8n 2.41's `CredentialsTester.testCredentials` does when "Test"
 * is clicked in the credential dialog (packages/cli/src/services/credentials-tester.service.ts):
 *
 * - a credential type with a declarative `test` is tested with that request, run by n8n-core's
 *   `RoutingNode` on a copy of n8n's No Operation node (`runRequestTest`);
 * - otherwise the `testedBy` method of a node that uses the credential is called with a
 *   `CredentialTestContext`.
 *
 * The defaults of the credential type are applied to the data first (`prepareCredentialsForTest`).
 * Left out, as this package has no use for them: OAuth2, external secrets, versioned nodes and
 * `testedBy` request objects on nodes.
 */
import { CredentialTestContext, ExecuteContext, RoutingNode } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunction,
	ICredentialTestRequest,
	IExecuteData,
	INode,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeType,
	INodeTypes,
} from 'n8n-workflow';
import { NodeHelpers, Workflow, createEmptyRunExecutionData } from 'n8n-workflow';

import { createAdditionalData } from './additional-data';
import { RunnerCredentialsHelper, applyCredentialDefaults } from './credentials';
import { NO_OP_NODE_TYPE, PACKAGE_NODE_TYPE, credentialTypes, nodeTypes } from './registry';

type RequestTest = { nodeType?: INodeType; testRequest: ICredentialTestRequest };

/** n8n's `getCredentialTestFunction`, for the node that uses the credential. */
function getCredentialTestFunction(credentialType: string, nodeTypeName: string): ICredentialTestFunction | RequestTest | undefined {
	const type = credentialTypes.get(credentialType);
	if (type.test) return { testRequest: type.test };
	const node = nodeTypes.get(nodeTypeName);
	const testedBy = node.description.credentials?.find(({ name }) => name === credentialType)?.testedBy;
	return typeof testedBy === 'string' ? node.methods?.credentialTest?.[testedBy] : undefined;
}

/** lodash `get`, as n8n reads `responseSuccessBody` keys: `a.b`, `a[0].b`. */
function valueAt(data: unknown, path: string): unknown {
	const keys = path.replace(/\[(\w+)\]/g, '.$1').split('.').filter(Boolean);
	return keys.reduce<unknown>((value, key) => (value == null ? undefined : (value as Record<string, unknown>)[key]), data);
}

/** n8n's `runRequestTest` with `verdict: 'default'`. */
async function runRequestTest(
	credentialType: string,
	credentialsDecrypted: ICredentialsDecrypted,
	credentialTestFunction: RequestTest,
): Promise<INodeCredentialTestResult> {
	const nodeType = credentialTestFunction.nodeType ?? NodeHelpers.getVersionedNodeType(nodeTypes.get(NO_OP_NODE_TYPE));
	const { version } = nodeType.description;
	const node: INode = {
		id: 'temp',
		parameters: {},
		name: 'Temp-Node',
		type: nodeType.description.name,
		typeVersion: Array.isArray(version) ? version.slice(-1)[0] : version,
		position: [0, 0],
		credentials: { [credentialType]: { id: credentialsDecrypted.id, name: credentialsDecrypted.name } },
	};
	const nodeTypeCopy: INodeType = {
		description: {
			...nodeType.description,
			credentials: [{ name: credentialType, required: true }],
			properties: [
				{ displayName: 'Temp', name: 'temp', type: 'string', routing: { request: credentialTestFunction.testRequest.request }, default: '' },
			],
		},
	};
	const mockNodeTypes: INodeTypes = {
		getKnownTypes: () => ({}),
		getByName: () => nodeTypeCopy,
		getByNameAndVersion: (_name, version) => NodeHelpers.getVersionedNodeType(nodeTypeCopy, version),
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: mockNodeTypes });
	// n8n swaps `getDecrypted` for one that returns the data under test; this helper holds only that data.
	const credentialsHelper = new RunnerCredentialsHelper({ [credentialType]: credentialsDecrypted.data ?? {} });
	const additionalData = createAdditionalData('credential-test', credentialsHelper, { currentNodeParameters: node.parameters });
	const executeData: IExecuteData = { node, data: {}, source: null };
	const inputData = { main: [[{ json: {} }]] };
	const executeFunctions = new ExecuteContext(workflow, node, additionalData, 'internal', createEmptyRunExecutionData(), 0, [], inputData, executeData, []);
	const routingNode = new RoutingNode(executeFunctions, nodeTypeCopy, credentialsDecrypted);

	let response: INodeExecutionData[][] | null | undefined;
	try {
		await workflow.expression.acquireIsolate();
		response = await routingNode.runNode();
	} catch (error) {
		const cause = (error as { cause?: { response?: { status: number; statusText?: string }; code?: string } }).cause;
		if (cause?.response) {
			const errorResponseData = { statusCode: cause.response.status, statusMessage: cause.response.statusText };
			for (const rule of credentialTestFunction.testRequest.rules ?? []) {
				if (rule.type === 'responseCode' && errorResponseData.statusCode === rule.properties.value) {
					return { status: 'Error', message: rule.properties.message };
				}
			}
			if (errorResponseData.statusCode < 199 || errorResponseData.statusCode > 299) {
				return {
					status: 'Error',
					message: errorResponseData.statusMessage || `Received HTTP status code: ${errorResponseData.statusCode}`,
				};
			}
		} else if (cause?.code) {
			return { status: 'Error', message: cause.code };
		}
		return { status: 'Error', message: (error as Error).message.toString() };
	} finally {
		await workflow.expression.releaseIsolate();
	}

	for (const rule of credentialTestFunction.testRequest.rules ?? []) {
		if (rule.type === 'responseSuccessBody' && valueAt(response![0][0].json, rule.properties.key) === rule.properties.value) {
			return { status: 'Error', message: rule.properties.message };
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}

/** Tests `data` for `credentialType`; a method test is looked up on `nodeType` (this package's node by default). */
export async function testCredential(
	credentialType: string,
	data: ICredentialDataDecryptedObject,
	nodeType = PACKAGE_NODE_TYPE,
): Promise<INodeCredentialTestResult> {
	const credentialTestFunction = getCredentialTestFunction(credentialType, nodeType);
	if (credentialTestFunction === undefined) {
		return { status: 'Error', message: 'No testing function found for this credential.' };
	}
	const credentialsDecrypted: ICredentialsDecrypted = { id: '1', name: `${credentialType} account`, type: credentialType, data };
	let baseAdditionalData;
	try {
		credentialsDecrypted.data = applyCredentialDefaults(credentialType, data);
		baseAdditionalData = createAdditionalData('credential-test', new RunnerCredentialsHelper());
	} catch (error) {
		return { status: 'Error', message: (error as Error).message.toString() };
	}
	if (typeof credentialTestFunction === 'function') {
		const context = new CredentialTestContext(baseAdditionalData);
		return await credentialTestFunction.call(context, credentialsDecrypted);
	}
	return await runRequestTest(credentialType, credentialsDecrypted, credentialTestFunction);
}

/** `testCredential` with the node type first, as the tests have called it so far. */
export async function runCredentialTest(
	credentialType: string,
	nodeType: string,
	data: ICredentialDataDecryptedObject,
): Promise<INodeCredentialTestResult> {
	return await testCredential(credentialType, data, nodeType);
}
