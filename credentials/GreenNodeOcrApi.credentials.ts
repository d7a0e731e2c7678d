import type {
	IAuthenticateRuleResponseCode,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { CREDENTIAL_ICON, API_ROOT_EXPRESSION, DEFAULT_BASE_URL, originOf, readCredentials } from './common';

/** HTTP answers the credential test accepts: GreenNode's API refusing an upload with no file in it. */
const ACCEPTED = [400, 422];

function rule(status: number, message: string): IAuthenticateRuleResponseCode {
	return { type: 'responseCode', properties: { value: status, message } };
}

const redirect = (status: number) =>
	rule(
		status,
		`The Base URL answered with a redirect (${status}) to another address. The test does not follow it, so the API key is not sent there. Check the Base URL: use the https:// host GreenNode gave you.`,
	);
const refused = (status: number) =>
	rule(
		status,
		`GreenNode refused the API key (${status}). Check that the key is correct and ACTIVE in the GreenNode AI Platform console, and that the Portal User ID belongs to the same account as the key.`,
	);
const notGreenNode = (status: number) =>
	rule(
		status,
		`The Base URL answered ${status} where GreenNode's OCR API answers 400 to a test upload with no file, so it does not look like GreenNode's API. Check the Base URL and the Portal User ID.`,
	);
const unavailable = (status: number) =>
	rule(
		status,
		`GreenNode answered ${status} (${status === 429 ? 'too many requests' : 'a server problem'}). The key was not refused, but the test could not confirm it. Try again in a minute.`,
	);

export class GreenNodeOcrApi implements ICredentialType {
	name = 'greenNodeOcrApi';

	displayName = 'GreenNode OCR API';

	icon: Icon = CREDENTIAL_ICON;

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
			placeholder: 'e.g. 123456',
			description:
				'Your numeric portal user ID, shown in the AI Platform console. A pasted "user-123456" is accepted too.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: DEFAULT_BASE_URL,
			description:
				'Host of the GreenNode IDP API, with https://. Change it only for another region or a local test server (http:// is accepted only for localhost).',
		},
	];

	/**
	 * Adds the key to a request only when it goes to the Base URL's own origin over https (or to a
	 * local test server): every request of the node and of the credential test passes through here.
	 */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const { credentials: values, problems } = readCredentials(credentials);
		if (problems.length > 0) throw new Error(problems.map((problem) => problem.message).join(' '));
		const target = originOf(requestOptions.url, requestOptions.baseURL);
		const home = originOf(values.baseUrl);
		if (target === undefined || target !== home) {
			throw new Error(
				`The API key is sent only to the Base URL (${home ?? values.baseUrl}), not to ${target ?? 'an unknown address'}.`,
			);
		}
		return {
			...requestOptions,
			headers: {
				...requestOptions.headers,
				Authorization: `Bearer ${values.apiKey}`,
				'portal-user-id': values.portalUserId,
			},
		};
	}

	/**
	 * Sends an upload with no file: GreenNode's API answers 400 (a field is missing) once the key is
	 * accepted, 401/403 when it is refused; anything else is not GreenNode's API. Redirects are not
	 * followed.
	 */
	test: ICredentialTestRequest = {
		request: {
			method: 'POST',
			// The node's API root, worked out by the node's own functions.
			baseURL: API_ROOT_EXPRESSION,
			url: '/ocr/ingest',
			disableFollowRedirect: true,
			timeout: 20_000,
			ignoreHttpStatusErrors: {
				ignore: true,
				except: Array.from({ length: 500 }, (_, index) => index + 100).filter((status) => !ACCEPTED.includes(status)),
			},
		},
		rules: [
			...[401, 403].map(refused),
			...[301, 302, 303, 307, 308].map(redirect),
			...[200, 201, 202, 204, 404, 405].map(notGreenNode),
			...[429, 500, 502, 503, 504].map(unavailable),
		],
	};
}

