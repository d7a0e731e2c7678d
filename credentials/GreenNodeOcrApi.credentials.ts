import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import {
	DEFAULT_BASE_URL,
	normaliseApiKey,
	normalisePortalUserId,
} from '../nodes/GreenNodeOcr/helpers/credentials';

export class GreenNodeOcrApi implements ICredentialType {
	name = 'greenNodeOcrApi';

	displayName = 'GreenNode OCR API';

	icon: Icon = {
		light: 'file:../nodes/GreenNodeOcr/greennode.svg',
		dark: 'file:../nodes/GreenNodeOcr/greennode.dark.svg',
	};

	documentationUrl = 'https://github.com/greennode-ocr/n8n-nodes-greennode-ocr#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Key created in the GreenNode AI Platform console. A new key starts as pending and works once it is ACTIVE.',
		},
		{
			displayName: 'Portal User ID',
			name: 'portalUserId',
			type: 'string',
			default: '',
			required: true,
			placeholder: '123456',
			description:
				'Your numeric portal user ID, shown in the AI Platform console. A pasted "user-123456" is accepted too.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: DEFAULT_BASE_URL,
			description:
				'Host of the GreenNode IDP API. Change it only for another region or a test server.',
		},
	];

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		return {
			...requestOptions,
			headers: {
				...requestOptions.headers,
				Authorization: `Bearer ${normaliseApiKey(credentials.apiKey)}`,
				'portal-user-id': normalisePortalUserId(credentials.portalUserId) ?? '',
			},
		};
	}
}
