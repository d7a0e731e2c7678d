/**
 * Credentials of a run: data keyed by credential type, with the type's defaults applied as n8n
 * does, and requests authenticated by the credential type's `authenticate` function.
 */
import type {
	ICredentialDataDecryptedObject,
	IHttpRequestOptions,
	INodeCredentialsDetails,
	INodeParameters,
	INodeProperties,
	IRequestOptionsSimplified,
} from 'n8n-workflow';
import { ICredentialsHelper, NodeHelpers, UnexpectedError } from 'n8n-workflow';

import { notAvailable } from './additional-data';
import { credentialTypes } from './registry';

/** The credential data with the defaults of the type's properties, as n8n stores them (`applyDefaultsAndOverwrites`). */
export function applyCredentialDefaults(type: string, data: ICredentialDataDecryptedObject): ICredentialDataDecryptedObject {
	const { properties } = credentialTypes.get(type);
	return NodeHelpers.getNodeParameters(properties, data as INodeParameters, true, false, null, null) as ICredentialDataDecryptedObject;
}

export class RunnerCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly data: Record<string, ICredentialDataDecryptedObject> = {}) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
	): Promise<IHttpRequestOptions> {
		const type = credentialTypes.get(typeName);
		if (type.authenticate === undefined) return requestOptions as IHttpRequestOptions;
		if (typeof type.authenticate !== 'function') {
			throw new UnexpectedError(`Credential type "${typeName}": only an authenticate function is supported`);
		}
		// Called as a method, as n8n does: credential classes may use `this`.
		return await type.authenticate.call(type, credentials, requestOptions as IHttpRequestOptions);
	}

	async preAuthentication(): Promise<undefined> {
		return undefined;
	}

	async getDecrypted(_additionalData: unknown, nodeCredentials: INodeCredentialsDetails, type: string) {
		const data = this.data[type];
		if (data === undefined) {
			throw new UnexpectedError(`Credential with ID "${nodeCredentials.id ?? ''}" does not exist for type "${type}".`);
		}
		return applyCredentialDefaults(type, data);
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return credentialTypes.get(type).properties;
	}

	runPreAuthentication = notAvailable('Pre-authentication');
	getCredentials = notAvailable('Reading stored credentials');
	updateCredentials = notAvailable('Saving credentials');
	updateCredentialsOauthTokenData = notAvailable('Saving OAuth tokens');
}
