/**
 * Pure helpers that turn what a user typed into the credential form into values the API accepts.
 * They never include the API key in any message.
 */

export const DEFAULT_BASE_URL = 'https://maas-llm-aiplatform-hcm.api.vngcloud.vn';

export interface GreenNodeCredentials {
	apiKey: string;
	portalUserId: string;
	baseUrl: string;
}

export type CredentialProblem = { field: 'apiKey' | 'portalUserId' | 'baseUrl'; message: string };

/** Accepts `123456`, ` 123456 `, `user-123456` and `USER-123456`; returns the digits or `undefined`. */
export function normalisePortalUserId(value: unknown): string | undefined {
	if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return String(value);
	if (typeof value !== 'string') return undefined;
	const trimmed = value.trim().replace(/^user-/i, '');
	return /^\d+$/.test(trimmed) ? trimmed : undefined;
}

/** Removes surrounding spaces and line breaks that creep in when a key is copied from a console. */
export function normaliseApiKey(value: unknown): string {
	return typeof value === 'string' ? value.trim() : '';
}

/**
 * Accepts the host alone or a URL the user copied from the guide (with `/maas/user-<id>/...` on it)
 * and returns the origin-plus-prefix without a trailing slash.
 */
export function normaliseBaseUrl(value: unknown): string {
	const raw = typeof value === 'string' && value.trim() !== '' ? value.trim() : DEFAULT_BASE_URL;
	return raw.replace(/\/maas(\/.*)?$/i, '').replace(/\/+$/, '');
}

export function readCredentials(data: Record<string, unknown>): {
	credentials: GreenNodeCredentials;
	problems: CredentialProblem[];
} {
	const problems: CredentialProblem[] = [];
	const apiKey = normaliseApiKey(data.apiKey);
	if (apiKey === '') {
		problems.push({
			field: 'apiKey',
			message:
				'The API key is empty. Create a key in the GreenNode AI Platform console, wait until it is ACTIVE, and paste it into the credential.',
		});
	} else if (/\s/.test(apiKey)) {
		problems.push({
			field: 'apiKey',
			message:
				'The API key contains spaces or line breaks in the middle. Paste the key again as one unbroken line.',
		});
	}
	const portalUserId = normalisePortalUserId(data.portalUserId);
	if (portalUserId === undefined) {
		const shown = typeof data.portalUserId === 'string' || typeof data.portalUserId === 'number'
			? String(data.portalUserId).slice(0, 40)
			: '';
		problems.push({
			field: 'portalUserId',
			message: `The Portal User ID must be a number such as 123456 (or user-123456), but it is "${shown}". Copy it from the GreenNode AI Platform console.`,
		});
	}
	const baseUrl = normaliseBaseUrl(data.baseUrl);
	if (!/^https?:\/\/[^\s/]+/i.test(baseUrl)) {
		problems.push({
			field: 'baseUrl',
			message: `The Base URL must start with https:// (for example ${DEFAULT_BASE_URL}).`,
		});
	}
	return { credentials: { apiKey, portalUserId: portalUserId ?? '', baseUrl }, problems };
}

/** The API root for a user: `<base>/maas/user-<id>/greennode/idp/v1`. */
export function apiRoot(credentials: GreenNodeCredentials): string {
	return `${credentials.baseUrl}/maas/user-${credentials.portalUserId}/greennode/idp/v1`;
}
