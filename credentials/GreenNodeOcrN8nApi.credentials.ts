import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { CREDENTIAL_ICON, N8N_API_DEFAULT_URL, N8N_API_URL_EXPRESSION, originOf, readN8nApiCredentials } from './common';

/**
 * A key of this n8n instance's own API, used by GreenNode OCR's Submit for one thing: the ledger of paid
 * submissions, kept in a Data Table of this n8n, so that a file is not paid for twice (a Retry, the same
 * file again, a worker that died). n8n lets only its own Data Table node use Data Tables from inside a
 * workflow; through its API they are open to any node that holds a key.
 */
export class GreenNodeOcrN8nApi implements ICredentialType {
	name = 'greenNodeOcrN8nApi';

	displayName = 'GreenNode OCR Ledger API';

	icon: Icon = CREDENTIAL_ICON;

	documentationUrl = 'https://github.com/greennode-ocr/n8n-nodes-greennode-ocr#never-paying-twice-the-ledger';

	properties: INodeProperties[] = [
		{
			displayName: 'n8n API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'A key of this n8n instance (Settings → n8n API → Create an API key). It needs the Data Table scopes when your n8n offers scopes.',
		},
		{
			displayName: 'n8n URL',
			name: 'baseUrl',
			type: 'string',
			default: N8N_API_DEFAULT_URL,
			placeholder: 'e.g. https://n8n.example.com',
			description:
				'The address at which this n8n (every main and worker process) reaches its own API, without /api/v1',
		},
	];

	/** The key goes only to the n8n URL's own origin. */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const { apiKey, baseUrl, problem } = readN8nApiCredentials(credentials);
		if (problem) throw new Error(problem);
		const target = originOf(requestOptions.url, requestOptions.baseURL);
		if (target === undefined || target !== originOf(baseUrl)) {
			throw new Error(`The n8n API key is sent only to the n8n URL (${originOf(baseUrl) ?? baseUrl}), not to ${target ?? 'an unknown address'}.`);
		}
		return { ...requestOptions, headers: { ...requestOptions.headers, 'X-N8N-API-KEY': apiKey } };
	}

	test: ICredentialTestRequest = {
		request: {
			method: 'GET',
			baseURL: N8N_API_URL_EXPRESSION,
			url: '/data-tables',
			qs: { limit: 1 },
			disableFollowRedirect: true,
			timeout: 20_000,
		},
	};
}
