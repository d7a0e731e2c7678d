import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { apiRoot, originOf, readCredentials, type GreenNodeCredentials } from '../../../credentials/common';

export const CREDENTIAL_TYPE = 'greenNodeOcrApi';

export interface ResolvedCredentials extends GreenNodeCredentials {
	/** `<base>/maas/user-<id>/greennode/idp/v1` */
	root: string;
	/** The only origin the key is sent to. */
	origin: string;
	/** Every text that must never be shown: the key as typed and as sent. */
	secrets: string[];
}

const cache = new WeakMap<object, ResolvedCredentials>();

/** The credential of this run, checked once: a bad one is a clear error before anything is sent. */
export async function resolveCredentials(this: IExecuteFunctions, itemIndex: number): Promise<ResolvedCredentials> {
	const cached = cache.get(this);
	if (cached) return cached;
	const data = await this.getCredentials(CREDENTIAL_TYPE, itemIndex);
	const { credentials, problems } = readCredentials(data);
	if (problems.length > 0) {
		throw new NodeOperationError(this.getNode(), `GreenNode OCR credential: ${problems[0].message}`, {
			itemIndex,
			description: problems.map((problem) => problem.message).join(' '),
		});
	}
	const raw = typeof data.apiKey === 'string' ? data.apiKey : '';
	const resolved: ResolvedCredentials = {
		...credentials,
		root: apiRoot(credentials),
		origin: originOf(credentials.baseUrl) ?? credentials.baseUrl,
		secrets: [credentials.apiKey, raw].filter((secret) => secret !== ''),
	};
	cache.set(this, resolved);
	return resolved;
}
