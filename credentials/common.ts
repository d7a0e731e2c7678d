/**
 * What the credential and the node both need: turning what a user typed into the credential form
 * into values the API accepts, and deciding where the key may be sent. Imports nothing; never puts
 * the API key into a message.
 *
 * `normalisePortalUserId`, `normaliseBaseUrl` and `apiRoot` are also run by n8n's expression engine
 * (see `API_ROOT_EXPRESSION`), from their compiled source: each must stay plain JavaScript that
 * refers to nothing outside itself (no other function or constant of this file, no imports) and
 * never has `}}` in it, which would end the expression.
 */

export const DEFAULT_BASE_URL = 'https://maas-llm-aiplatform-hcm.api.vngcloud.vn';

/** The icon of both credentials: the node's. */
export const CREDENTIAL_ICON = {
	light: 'file:../nodes/GreenNodeOcr/greennode.svg',
	dark: 'file:../nodes/GreenNodeOcr/greennode.dark.svg',
} as const;

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
 * and returns the origin-plus-prefix without a trailing slash; an empty field (or only spaces) gives
 * `defaultBaseUrl`, normally `DEFAULT_BASE_URL`.
 */
export function normaliseBaseUrl(value: unknown, defaultBaseUrl: string): string {
	const raw = typeof value === 'string' && value.trim() !== '' ? value.trim() : defaultBaseUrl;
	return raw.replace(/\/maas(\/.*)?$/i, '').replace(/\/+$/, '');
}

/** `localhost`, `127.x.x.x` and `::1`: the only hosts the key may reach over plain http. */
export function isLoopbackHost(hostname: string): boolean {
	const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
	return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Why a Base URL cannot carry the key, or `undefined` when it can. */
export function baseUrlProblem(baseUrl: string): string | undefined {
	let url: URL;
	try {
		url = new URL(baseUrl);
	} catch {
		return `The Base URL "${baseUrl.slice(0, 100)}" is not a URL. It must look like ${DEFAULT_BASE_URL}.`;
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		return `The Base URL must start with https:// (for example ${DEFAULT_BASE_URL}).`;
	}
	if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
		return `The Base URL uses http:// for ${url.host}, which would send the API key unencrypted. Use https:// (plain http:// is allowed only for a local test server on localhost or 127.0.0.1).`;
	}
	if (url.search !== '' || url.hash !== '' || /[?#]/.test(baseUrl)) {
		return `The Base URL must not contain a query string or fragment (the part from "?" or "#"); the API path would end up inside it. Use only the host, for example ${DEFAULT_BASE_URL}.`;
	}
	if (url.username !== '' || url.password !== '') {
		return 'The Base URL must not contain a user name or password; put the key in the API Key field.';
	}
	return undefined;
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
			message: 'The API key contains spaces or line breaks in the middle. Paste the key again as one unbroken line.',
		});
	}
	const portalUserId = normalisePortalUserId(data.portalUserId);
	if (portalUserId === undefined) {
		const shown =
			typeof data.portalUserId === 'string' || typeof data.portalUserId === 'number'
				? String(data.portalUserId).slice(0, 40)
				: '';
		problems.push({
			field: 'portalUserId',
			message: `The Portal User ID must be a number such as 123456 (or user-123456), but it is "${shown}". Copy it from the GreenNode AI Platform console.`,
		});
	}
	const baseUrl = normaliseBaseUrl(data.baseUrl, DEFAULT_BASE_URL);
	const urlProblem = baseUrlProblem(baseUrl);
	if (urlProblem) problems.push({ field: 'baseUrl', message: urlProblem });
	return { credentials: { apiKey, portalUserId: portalUserId ?? '', baseUrl }, problems };
}

/** The API root for a user: `<base>/maas/user-<id>/greennode/idp/v1`. */
export function apiRoot(credentials: Pick<GreenNodeCredentials, 'baseUrl' | 'portalUserId'>): string {
	return `${credentials.baseUrl}/maas/user-${credentials.portalUserId}/greennode/idp/v1`;
}

/**
 * `apiRoot(readCredentials($credentials).credentials)` as an n8n expression, for requests n8n builds
 * itself from the credential (the credential test): the same functions, called on `$credentials`.
 */
export const API_ROOT_EXPRESSION =
	`={{(${apiRoot.toString()})({` +
	` baseUrl: (${normaliseBaseUrl.toString()})($credentials.baseUrl, ${JSON.stringify(DEFAULT_BASE_URL)}),` +
	` portalUserId: (${normalisePortalUserId.toString()})($credentials.portalUserId) || "" })}}`;

/** `scheme://host:port` of a URL, or `undefined` when it is not one. */
export function originOf(url: string, base?: string): string | undefined {
	try {
		return new URL(url, base).origin;
	} catch {
		return undefined;
	}
}

/** Where an n8n instance serves its API when nothing else is said: n8n's own default address. */
export const N8N_API_DEFAULT_URL = 'http://localhost:5678';

/**
 * The API root of an n8n instance from the URL a user typed: `https://n8n.example.com`,
 * `https://n8n.example.com/`, `…/api/v1` or a link to a page of the editor all give
 * `https://n8n.example.com/api/v1`. Run by n8n's expression engine too: plain JavaScript, nothing
 * outside itself.
 */
export function n8nApiRoot(value: unknown, defaultUrl: string): string {
	const raw = typeof value === 'string' && value.trim() !== '' ? value.trim() : defaultUrl;
	const base = raw.replace(/[?#].*$/, '').replace(/\/(api\/v1|home|workflows?|signin)(\/.*)?$/i, '').replace(/\/+$/, '');
	return base + '/api/v1';
}

/** `n8nApiRoot` on `$credentials.baseUrl`, for requests n8n builds itself (the credential test). */
export const N8N_API_URL_EXPRESSION = `={{(${n8nApiRoot.toString()})($credentials.baseUrl, ${JSON.stringify(N8N_API_DEFAULT_URL)})}}`;

/** The ledger credential's values; `problem` says why they cannot be used. */
export function readN8nApiCredentials(data: Record<string, unknown>): { apiKey: string; baseUrl: string; root: string; problem?: string } {
	const apiKey = normaliseApiKey(data.apiKey);
	const root = n8nApiRoot(data.baseUrl, N8N_API_DEFAULT_URL);
	const baseUrl = root.replace(/\/api\/v1$/, '');
	let problem: string | undefined;
	if (apiKey === '') problem = 'The n8n API key is empty. Create one in n8n under Settings → n8n API and paste it into the credential.';
	else if (/\s/.test(apiKey)) problem = 'The n8n API key contains spaces or line breaks. Paste it again as one unbroken line.';
	else {
		let url: URL | undefined;
		try {
			url = new URL(baseUrl);
		} catch {
			problem = `The n8n URL "${baseUrl.slice(0, 100)}" is not a URL. It must look like ${N8N_API_DEFAULT_URL} or https://n8n.example.com.`;
		}
		if (url && url.protocol !== 'https:' && url.protocol !== 'http:') problem = 'The n8n URL must start with https:// or http://.';
		if (url && (url.username !== '' || url.password !== '')) problem = 'The n8n URL must not contain a user name or password.';
	}
	return { apiKey, baseUrl, root, problem };
}
