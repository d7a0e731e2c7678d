import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeError, NodeOperationError } from 'n8n-workflow';

import { createDataTable, findDataTables, getRows, hasN8nApiCredential, insertRows, updateRows } from '../transport/n8nApi';

/**
 * The ledger of paid submissions: one row per file submitted, in a Data Table of this n8n, so that main
 * and every worker see the same one. Submit looks a file up before uploading it and writes the row as
 * soon as GreenNode accepts the upload. The table is reached through this n8n's API (the GreenNode OCR
 * Ledger credential) or, where n8n gives a community node its Data Table helpers, through those.
 */

export const DEFAULT_LEDGER_TABLE = 'GreenNode OCR submissions';

/** The columns of the ledger table, in the order a user sees them. */
export const LEDGER_COLUMNS = [
	{ name: 'ledger_key', type: 'string' },
	{ name: 'request_id', type: 'string' },
	{ name: 'file_name', type: 'string' },
	{ name: 'size', type: 'number' },
	{ name: 'submitted_at', type: 'string' },
	{ name: 'file_ids', type: 'string' },
	{ name: 'flow', type: 'string' },
	{ name: 'doc_type', type: 'string' },
	{ name: 'account', type: 'string' },
	{ name: 'sha256', type: 'string' },
] as const;

export interface LedgerEntry {
	/** sha256 of the file, flow, doc_type and account: what makes two submissions the same. */
	ledger_key: string;
	request_id: string;
	file_name: string;
	size: number;
	/** ISO time GreenNode accepted the upload. */
	submitted_at: string;
	file_ids: string[];
	flow: string;
	doc_type: string;
	/** The GreenNode portal user ID (never the API key). */
	account: string;
	sha256: string;
}

export function ledgerKey(parts: Pick<LedgerEntry, 'sha256' | 'flow' | 'doc_type' | 'account'>): string {
	return [parts.sha256, parts.flow, parts.doc_type, parts.account].join(':');
}

export interface Ledger {
	/** Where the rows are, for messages: `Data Table "GreenNode OCR submissions"`. */
	where: string;
	/**
	 * The paid submissions of files of this size, flow, doc_type and account, latest first: what a file
	 * may match. None means the file is new, without reading it.
	 */
	alike(of: Pick<LedgerEntry, 'size' | 'flow' | 'doc_type' | 'account'>): Promise<LedgerEntry[]>;
	/** Writes the entry, replacing any row of the same key. */
	record(entry: LedgerEntry): Promise<void>;
}

type Filter = { type: 'and'; filters: Array<{ columnName: string; condition: 'eq'; value: string | number }> };

/** The few table operations the ledger needs, whichever way n8n gives them. */
interface Tables {
	findTable(name: string): Promise<string | undefined>;
	createTable(name: string): Promise<string>;
	rows(tableId: string): Promise<{
		find(filter: Filter): Promise<IDataObject[]>;
		insert(row: IDataObject): Promise<void>;
		update(filter: Filter, data: IDataObject): Promise<void>;
	}>;
}

const exactName = (name: string) => (table: IDataObject) => table.name === name;

function apiTables(this: IExecuteFunctions): Tables {
	return {
		findTable: async (name) => (await findDataTables.call(this, name)).find(exactName(name))?.id as string | undefined,
		createTable: async (name) => String((await createDataTable.call(this, name, [...LEDGER_COLUMNS])).id),
		rows: async (tableId) => ({
			find: async (filter) => await getRows.call(this, tableId, filter, 20),
			insert: async (row) => await insertRows.call(this, tableId, [row]),
			update: async (filter, data) => await updateRows.call(this, tableId, filter, data),
		}),
	};
}

function helperTables(this: IExecuteFunctions): Tables | undefined {
	const { getDataTableAggregateProxy, getDataTableProxy } = this.helpers;
	if (!getDataTableAggregateProxy || !getDataTableProxy) return undefined;
	return {
		findTable: async (name) => {
			const found = await (await getDataTableAggregateProxy()).getManyAndCount({ filter: { name }, take: 100 });
			return found.data.find((table) => table.name === name)?.id;
		},
		createTable: async (name) => (await (await getDataTableAggregateProxy()).createDataTable({ name, columns: [...LEDGER_COLUMNS] })).id,
		rows: async (tableId) => {
			const table = await getDataTableProxy(tableId);
			return {
				find: async (filter) => (await table.getManyRowsAndCount({ filter, take: 20 })).data as unknown as IDataObject[],
				insert: async (row) => {
					await table.insertRows([row as Record<string, string | number>], 'id');
				},
				update: async (filter, data) => {
					await table.updateRows({ filter, data: data as Record<string, string | number> });
				},
			};
		},
	};
}

function toRow(entry: LedgerEntry): IDataObject {
	return { ...entry, file_ids: JSON.stringify(entry.file_ids) };
}

function fromRow(row: IDataObject): LedgerEntry | undefined {
	if (typeof row.request_id !== 'string' || row.request_id === '') return undefined;
	let fileIds: string[] = [];
	try {
		const parsed: unknown = JSON.parse(String(row.file_ids ?? '[]'));
		if (Array.isArray(parsed)) fileIds = parsed.map(String);
	} catch {
		// a row edited by hand: the request_id is what matters
	}
	const text = (value: unknown) => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));
	return {
		ledger_key: text(row.ledger_key),
		request_id: row.request_id,
		file_name: text(row.file_name),
		size: Number(row.size) || 0,
		submitted_at: text(row.submitted_at),
		file_ids: fileIds,
		flow: text(row.flow),
		doc_type: text(row.doc_type),
		account: text(row.account),
		sha256: text(row.sha256),
	};
}

async function tableId(this: IExecuteFunctions, tables: Tables, name: string): Promise<string> {
	const found = await tables.findTable(name);
	if (found !== undefined) return found;
	try {
		return await tables.createTable(name);
	} catch (error) {
		// Another execution created it at the same moment: use theirs.
		const again = await tables.findTable(name);
		if (again !== undefined) return again;
		throw error instanceof NodeError ? error : new NodeOperationError(this.getNode(), `Could not create the ledger table "${name}": ${(error as Error).message}`);
	}
}

/**
 * The ledger in the table named `name` (made on first use), or why there is none: no ledger
 * credential, and this n8n does not give the node its Data Table helpers.
 */
export async function openLedger(this: IExecuteFunctions, name: string): Promise<{ ledger: Ledger } | { unavailable: string }> {
	let tables: Tables | undefined;
	if (await hasN8nApiCredential.call(this)) tables = apiTables.call(this);
	else {
		tables = helperTables.call(this);
		if (!tables) return { unavailable: 'this n8n has no Data Tables (they came with n8n 1.116) or they are turned off' };
		try {
			await tables.findTable(name);
		} catch (error) {
			// n8n 2.x gives its Data Table helpers only to its own Data Table node.
			return { unavailable: `n8n does not let this node use its Data Tables directly (${(error as Error).message})` };
		}
	}
	const id = await tableId.call(this, tables, name);
	const rows = await tables.rows(id);
	const byKey = (key: string): Filter => ({ type: 'and', filters: [{ columnName: 'ledger_key', condition: 'eq', value: key }] });
	return {
		ledger: {
			where: `Data Table "${name}"`,
			alike: async ({ size, flow, doc_type, account }) => {
				const filter: Filter = {
					type: 'and',
					filters: [
						{ columnName: 'size', condition: 'eq', value: size },
						{ columnName: 'account', condition: 'eq', value: account },
						{ columnName: 'flow', condition: 'eq', value: flow },
						{ columnName: 'doc_type', condition: 'eq', value: doc_type },
					],
				};
				const entries = (await rows.find(filter)).map(fromRow).filter((entry): entry is LedgerEntry => entry !== undefined);
				// Two executions that raced may both have written one: the latest is the one to follow.
				return entries.sort((a, b) => b.submitted_at.localeCompare(a.submitted_at));
			},
			record: async (entry) => {
				const existing = await rows.find(byKey(entry.ledger_key));
				if (existing.length > 0) await rows.update(byKey(entry.ledger_key), toRow(entry));
				else await rows.insert(toRow(entry));
			},
		},
	};
}
