import type { IDataObject, IExecuteFunctions, IHttpRequestMethods, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { readN8nApiCredentials } from '../../../credentials/common';
import { maskSecrets } from '../helpers/mask';

/**
 * Data Tables through this n8n instance's own API (`/api/v1/data-tables`), with the ledger credential:
 * the same operations n8n's Data Table helpers give its own nodes, for the ledger of paid submissions.
 */

export const N8N_API_CREDENTIAL_TYPE = 'greenNodeOcrN8nApi';

/** Whether the node has a ledger credential selected. */
export async function hasN8nApiCredential(this: IExecuteFunctions): Promise<boolean> {
	try {
		await this.getCredentials(N8N_API_CREDENTIAL_TYPE, 0);
		return true;
	} catch {
		return false;
	}
}

interface Connection {
	root: string;
	secrets: string[];
}

async function connection(this: IExecuteFunctions): Promise<Connection> {
	const data = await this.getCredentials(N8N_API_CREDENTIAL_TYPE, 0);
	const { root, apiKey, problem } = readN8nApiCredentials(data);
	if (problem) throw new NodeOperationError(this.getNode(), `GreenNode OCR Ledger credential: ${problem}`);
	return { root, secrets: [apiKey] };
}

const WHAT_TO_DO: Record<number, string> = {
	401: 'n8n refused the API key of the GreenNode OCR Ledger credential. Create a new key under Settings → n8n API and paste it into the credential.',
	403: 'The n8n API key may not use Data Tables. Give it the Data Table scopes (dataTable and dataTableRow: list, read, create, update), or use a key without scopes.',
	404: 'This n8n does not offer Data Tables through its API (n8n 1.116 or later does), or the n8n URL of the credential is wrong.',
};

async function call(
	this: IExecuteFunctions,
	method: IHttpRequestMethods,
	path: string,
	{ qs, body }: { qs?: IDataObject; body?: IDataObject } = {},
): Promise<unknown> {
	const { root, secrets } = await connection.call(this);
	let response: { statusCode: number; body: unknown };
	try {
		response = await this.helpers.httpRequestWithAuthentication.call(this, N8N_API_CREDENTIAL_TYPE, {
			method,
			url: `${root}${path}`,
			qs,
			body,
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			timeout: 30_000,
		});
	} catch (error) {
		const detail = maskSecrets(String((error as Error).message ?? error).slice(0, 200), secrets);
		throw new NodeApiError(this.getNode(), {} as JsonObject, {
			message: `Could not reach this n8n's API at ${root} for the ledger of submissions`,
			description: `Check the n8n URL of the GreenNode OCR Ledger credential: every n8n process (main and workers) must reach it. ${detail}`,
		});
	}
	if (response.statusCode >= 200 && response.statusCode < 300) return response.body;
	const said = maskSecrets(typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? ''), secrets).slice(0, 300);
	throw new NodeApiError(this.getNode(), { status: response.statusCode } as JsonObject, {
		message: `This n8n's API answered ${response.statusCode} to ${method} ${path.split('?')[0]} for the ledger of submissions`,
		description: `${WHAT_TO_DO[response.statusCode] ?? 'Check the GreenNode OCR Ledger credential.'} It said: ${said}`,
		httpCode: String(response.statusCode),
	});
}

function list(body: unknown): IDataObject[] {
	const data = (body as { data?: unknown } | null)?.data ?? body;
	return Array.isArray(data) ? (data as IDataObject[]) : [];
}

export async function findDataTables(this: IExecuteFunctions, name: string): Promise<IDataObject[]> {
	return list(await call.call(this, 'GET', '/data-tables', { qs: { filter: JSON.stringify({ name }), limit: 100 } }));
}

export async function createDataTable(
	this: IExecuteFunctions,
	name: string,
	columns: Array<{ name: string; type: string }>,
): Promise<IDataObject> {
	return (await call.call(this, 'POST', '/data-tables', { body: { name, columns } })) as IDataObject;
}

export async function getRows(this: IExecuteFunctions, tableId: string, filter: IDataObject, limit: number): Promise<IDataObject[]> {
	return list(await call.call(this, 'GET', `/data-tables/${encodeURIComponent(tableId)}/rows`, { qs: { filter: JSON.stringify(filter), limit } }));
}

export async function insertRows(this: IExecuteFunctions, tableId: string, rows: IDataObject[]): Promise<void> {
	await call.call(this, 'POST', `/data-tables/${encodeURIComponent(tableId)}/rows`, { body: { data: rows, returnType: 'id' } });
}

export async function updateRows(this: IExecuteFunctions, tableId: string, filter: IDataObject, data: IDataObject): Promise<void> {
	await call.call(this, 'PATCH', `/data-tables/${encodeURIComponent(tableId)}/rows/update`, { body: { filter, data } });
}
