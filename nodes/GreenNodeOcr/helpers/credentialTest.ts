import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { apiRoot, readCredentials } from './credentials';
import { redact } from './errors';

/** A request id nobody has: a working key gets 404 or 400 for it, a wrong key gets 403. */
export const PROBE_REQUEST_ID = 'n8n-credential-test-00000000';

export async function greenNodeOcrApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const { credentials, problems } = readCredentials(credential.data ?? {});
	if (problems.length > 0) return { status: 'Error', message: problems.map((problem) => problem.message).join(' ') };
	const secrets = [credentials.apiKey];
	let response: { statusCode: number; body: unknown };
	try {
		// A credential test only gets `helpers.request` from n8n (ICredentialTestFunctions has no httpRequest).
		// eslint-disable-next-line @n8n/community-nodes/no-deprecated-workflow-functions
		response = await this.helpers.request({
			method: 'GET',
			uri: `${apiRoot(credentials)}/ocr/ingest/${PROBE_REQUEST_ID}`,
			headers: {
				Authorization: `Bearer ${credentials.apiKey}`,
				'portal-user-id': credentials.portalUserId,
				accept: 'application/json',
			},
			resolveWithFullResponse: true,
			simple: false,
			timeout: 20_000,
		});
	} catch (error) {
		const detail = redact(String((error as Error).message ?? error), secrets).slice(0, 200);
		return {
			status: 'Error',
			message: `Could not reach GreenNode at ${credentials.baseUrl}: ${detail}. Check the Base URL.`,
		};
	}
	const status = response.statusCode;
	if (status === 404 || status === 400 || (status >= 200 && status < 300)) {
		return { status: 'OK', message: 'Connection tested successfully' };
	}
	if (status === 403 || status === 401) {
		return {
			status: 'Error',
			message: `GreenNode refused the key (${status}). Check that the API key is correct and ACTIVE in the AI Platform console, and that the Portal User ID ${credentials.portalUserId} belongs to the same account as the key.`,
		};
	}
	return {
		status: 'Error',
		message: `GreenNode answered ${status} to a test request. Check the Base URL (${credentials.baseUrl}); if it is right, the service may be having problems.`,
	};
}
