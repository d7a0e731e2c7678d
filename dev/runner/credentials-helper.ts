/**
 * Credentials helper of the in-process workflow runner.
 *
 * Behaves like n8n's own credentials helper, minus the database: credential data comes
 * from the run options (keyed by credential type), defaults of the credential type are
 * applied, expressions in credential values are resolved, and `authenticate` works for
 * both function and generic (`{ type: 'generic', properties: ... }`) credential types.
 */
import { getAdditionalKeys } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsEncrypted,
	ICredentialsExpressionResolveValues,
	IExecuteData,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeParameters,
	INodeProperties,
	IRequestOptionsSimplified,
	IWorkflowDataProxyAdditionalKeys,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { ICredentials, ICredentialsHelper, NodeHelpers, UnexpectedError, Workflow, isExpression } from 'n8n-workflow';

import {
	START_NODE_TYPE,
	findCredentialType,
	getCredentialType,
	getParentCredentialTypes,
	runnerNodeTypes,
} from './registry';

const credentialExpressionNode: INode = {
	id: 'credential-expression',
	name: '',
	typeVersion: 1,
	type: START_NODE_TYPE,
	position: [0, 0],
	parameters: {},
};

function hasExpression(value: unknown): boolean {
	if (isExpression(value)) return true;
	if (Array.isArray(value)) return value.some(hasExpression);
	if (value !== null && typeof value === 'object') return Object.values(value).some(hasExpression);
	return false;
}

/** Returns the properties of a credential type, merged with the ones of the types it extends. */
export function getCredentialProperties(typeName: string): INodeProperties[] {
	const type = getCredentialType(typeName);
	if (type.extends === undefined) return type.properties;
	const combined: INodeProperties[] = [];
	for (const parent of type.extends) {
		NodeHelpers.mergeNodeProperties(combined, getCredentialProperties(parent));
	}
	NodeHelpers.mergeNodeProperties(combined, type.properties);
	return combined;
}

/** Adds the defaults of the credential type's properties, as n8n does before using the data. */
export function applyCredentialDefaults(
	typeName: string,
	data: ICredentialDataDecryptedObject,
): ICredentialDataDecryptedObject {
	const properties = getCredentialProperties(typeName);
	const withDefaults = (NodeHelpers.getNodeParameters(
		properties,
		data as INodeParameters,
		true,
		false,
		null,
		null,
	) ?? {}) as ICredentialDataDecryptedObject;
	for (const key of ['oauthTokenData', 'allowedHttpRequestDomains', 'allowedDomains']) {
		if (withDefaults[key] === undefined && data[key] !== undefined) withDefaults[key] = data[key];
	}
	return withDefaults;
}

class StoredCredentials extends ICredentials {
	constructor(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		private readonly store: Map<string, ICredentialDataDecryptedObject>,
	) {
		super(nodeCredentials, type);
	}

	async getData(): Promise<ICredentialDataDecryptedObject> {
		return { ...(this.store.get(this.type) ?? {}) };
	}

	getDataToSave(): ICredentialsEncrypted {
		return { id: this.id, name: this.name, type: this.type, data: '' };
	}

	async setData(data: ICredentialDataDecryptedObject): Promise<void> {
		this.store.set(this.type, { ...data });
	}

	async updateData(
		toUpdate: Partial<ICredentialDataDecryptedObject>,
		toDelete: string[] = [],
	): Promise<void> {
		const updated = { ...(this.store.get(this.type) ?? {}), ...toUpdate } as ICredentialDataDecryptedObject;
		for (const key of toDelete) delete updated[key];
		this.store.set(this.type, updated);
	}
}

export class RunnerCredentialsHelper extends ICredentialsHelper {
	/** Credential data keyed by credential type; updated by pre-authentication like a database would be. */
	readonly store: Map<string, ICredentialDataDecryptedObject>;

	constructor(credentials: Record<string, ICredentialDataDecryptedObject> = {}) {
		super();
		this.store = new Map(Object.entries(credentials).map(([type, data]) => [type, { ...data }]));
	}

	getParentTypes(name: string): string[] {
		return getParentCredentialTypes(name);
	}

	isCredentialUsableByNode(credentialType: string, nodeType: string): boolean {
		const type = findCredentialType(credentialType);
		if (!type?.restrictToSupportedNodes) return true;
		return (type.supportedNodes ?? []).some(
			(supported) => supported === nodeType || nodeType.endsWith(`.${supported}`),
		);
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		incomingRequestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const requestOptions = incomingRequestOptions as IHttpRequestOptions;
		const credentialType = getCredentialType(typeName);
		const { authenticate } = credentialType;
		if (!authenticate) return requestOptions;

		if (typeof authenticate === 'function') {
			// Called as a method: credential classes may implement it with `this`.
			return await authenticate.call(credentialType, credentials, requestOptions);
		}

		if (!workflow || !node) {
			throw new UnexpectedError('Workflow and node are required for declarative credential authentication');
		}
		if (requestOptions.headers === undefined) requestOptions.headers = {};
		if (authenticate.type === 'generic') {
			const target = requestOptions as unknown as Record<string, Record<string, unknown> | undefined>;
			for (const [outerKey, outerValue] of Object.entries(authenticate.properties)) {
				for (const [key, value] of Object.entries(outerValue as Record<string, unknown>)) {
					const resolvedKey = this.resolveValue(key, { $credentials: credentials }, workflow, node);
					const resolvedValue = this.resolveValue(
						value as string,
						{ $credentials: credentials },
						workflow,
						node,
					);
					const bucket = (target[outerKey] ??= {});
					bucket[resolvedKey] = resolvedValue;
				}
			}
		}
		return requestOptions;
	}

	private resolveValue(
		value: string,
		additionalKeys: IWorkflowDataProxyAdditionalKeys,
		workflow: Workflow,
		node: INode,
	): string {
		if (!isExpression(value)) return value;
		const resolved = workflow.expression.getSimpleParameterValue(
			node,
			value,
			'internal',
			additionalKeys,
			undefined,
			'',
		);
		if (!resolved) return '';
		return resolved.toString();
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = getCredentialType(typeName);
		const expirable = type.properties.find(
			(property) => property.type === 'hidden' && property.typeOptions?.expirable === true,
		);
		if (expirable?.name === undefined || typeof type.preAuthentication !== 'function') {
			return undefined;
		}
		if (credentials[expirable.name] !== '' && !credentialsExpired) return undefined;

		const output = (await type.preAuthentication.call(helpers, credentials)) as ICredentialDataDecryptedObject;
		if (output[expirable.name] === undefined) return undefined;

		const stored = this.store.get(typeName) ?? {};
		this.store.set(typeName, { ...stored, ...output });
		return Object.assign(credentials, output);
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = getCredentialType(typeName);
		if (typeof type.preAuthentication !== 'function') return undefined;
		const output = await type.preAuthentication.call(helpers, credentials);
		return (output as ICredentialDataDecryptedObject) ?? undefined;
	}

	async getCredentials(nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		return new StoredCredentials(nodeCredentials, type, this.store);
	}

	async getDecrypted(
		additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		raw?: boolean,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		const stored = this.store.get(type);
		if (stored === undefined) {
			throw new UnexpectedError(
				`Credential with ID "${nodeCredentials.id ?? ''}" does not exist for type "${type}".`,
			);
		}
		if (raw === true) return { ...stored };

		let data = applyCredentialDefaults(type, stored);
		if (!hasExpression(data)) return data;

		const additionalKeys = getAdditionalKeys(additionalData, mode, null, { isCredential: true });
		if (expressionResolveValues) {
			try {
				data = expressionResolveValues.workflow.expression.getParameterValue(
					data as INodeParameters,
					expressionResolveValues.runExecutionData,
					expressionResolveValues.runIndex,
					expressionResolveValues.itemIndex,
					expressionResolveValues.node.name,
					expressionResolveValues.connectionInputData,
					mode,
					additionalKeys,
					executeData,
					false,
					data,
				) as ICredentialDataDecryptedObject;
			} catch (error) {
				(error as Error).message += ' [Error resolving credentials]';
				throw error;
			}
			return data;
		}

		const workflow = new Workflow({
			nodes: [{ ...credentialExpressionNode }],
			connections: {},
			active: false,
			nodeTypes: runnerNodeTypes,
		});
		return workflow.expression.getComplexParameterValue(
			credentialExpressionNode,
			data as INodeParameters,
			mode,
			additionalKeys,
			undefined,
			undefined,
			data,
		) as ICredentialDataDecryptedObject;
	}

	async updateCredentials(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.store.set(type, { ...data });
	}

	async updateCredentialsOauthTokenData(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		const stored = this.store.get(type) ?? {};
		this.store.set(type, { ...stored, oauthTokenData: data.oauthTokenData });
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return getCredentialProperties(type);
	}
}
