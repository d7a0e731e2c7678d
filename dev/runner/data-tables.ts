/**
 * n8n's Data Tables for the in-process runner: an in-memory provider behind the interface n8n-core
 * hands a node as `this.helpers.getDataTableAggregateProxy` / `getDataTableProxy`, with n8n's own
 * rules where the node meets them (column names, a unique table name per project, filters that name
 * known columns). `refuse` answers as n8n 2.x does for any node but its own Data Table nodes.
 */
import type {
	DataTable,
	DataTableFilter,
	DataTableProxyProvider,
	DataTableRow,
	DataTableRowReturn,
	IDataTableProjectAggregateService,
	IDataTableProjectService,
} from 'n8n-workflow';

export interface MemoryDataTables {
	provider: DataTableProxyProvider;
	/** Every table, by name, with its rows: what the Data Tables tab would show. */
	tables(): Array<{ name: string; columns: string[]; rows: DataTableRowReturn[] }>;
	/** Calls made, for counting: `getManyRowsAndCount`, `insertRows`, … */
	calls: string[];
	/** Makes the next calls of `method` fail once each. */
	failNext(method: string, times?: number): void;
}

const COLUMN = /^[a-zA-Z][a-zA-Z0-9_]*$/;

function matches(row: DataTableRow, filter: DataTableFilter | undefined): boolean {
	if (!filter || filter.filters.length === 0) return true;
	const test = (condition: DataTableFilter['filters'][number]) =>
		condition.condition === 'eq' ? row[condition.columnName] === condition.value : condition.condition === 'neq' ? row[condition.columnName] !== condition.value : false;
	return filter.type === 'or' ? filter.filters.some(test) : filter.filters.every(test);
}

export function memoryDataTables({ refuse = false }: { refuse?: boolean } = {}): MemoryDataTables {
	const tables = new Map<string, DataTable & { rows: DataTableRowReturn[] }>();
	const calls: string[] = [];
	const failures = new Map<string, number>();
	let nextId = 1;
	const track = (method: string) => {
		calls.push(method);
		const left = failures.get(method) ?? 0;
		if (left > 0) {
			failures.set(method, left - 1);
			throw new Error(`${method} failed (injected)`);
		}
	};
	const checkColumns = (table: DataTable, names: string[]) => {
		const known = new Set([...table.columns.map((column) => column.name), 'id', 'createdAt', 'updatedAt']);
		for (const name of names) if (!known.has(name)) throw new Error(`unknown column name '${name}'`);
	};

	const aggregate: IDataTableProjectAggregateService = {
		getProjectId: () => 'memory-project',
		async createDataTable({ name, columns }) {
			track('createDataTable');
			if ([...tables.values()].some((table) => table.name === name)) throw new Error(`Data table with name '${name}' already exists in this project`);
			const id = `table-${nextId++}`;
			for (const column of columns) if (!COLUMN.test(column.name)) throw new Error(`invalid column name '${column.name}'`);
			const table = {
				id,
				name,
				projectId: 'memory-project',
				createdAt: new Date(),
				updatedAt: new Date(),
				columns: columns.map((column, index) => ({ id: `${id}-c${index}`, name: column.name, type: column.type, index, dataTableId: id })),
				rows: [],
			};
			tables.set(id, table);
			return table;
		},
		async getManyAndCount({ filter = {}, take }) {
			track('getManyAndCount');
			// n8n's name filter is a case-insensitive substring match.
			const name = typeof filter.name === 'string' ? filter.name.toLowerCase() : undefined;
			const data = [...tables.values()].filter((table) => name === undefined || table.name.toLowerCase().includes(name)).reverse();
			return { count: data.length, data: data.slice(0, take ?? data.length) };
		},
		async deleteDataTableAll() {
			tables.clear();
			return true;
		},
	};

	const tableService = (id: string): IDataTableProjectService => {
		const table = () => {
			const found = tables.get(id);
			if (!found) throw new Error(`Data table with ID '${id}' could not be found in this project`);
			return found;
		};
		const unused = (method: string) => async () => {
			throw new Error(`${method} is not used by the node`);
		};
		return {
			updateDataTable: unused('updateDataTable'),
			deleteDataTable: unused('deleteDataTable'),
			getColumns: async () => table().columns,
			addColumn: unused('addColumn'),
			moveColumn: unused('moveColumn'),
			deleteColumn: unused('deleteColumn'),
			async getManyRowsAndCount({ filter, take }) {
				track('getManyRowsAndCount');
				checkColumns(table(), filter?.filters.map((condition) => condition.columnName) ?? []);
				const data = table().rows.filter((row) => matches(row, filter));
				return { count: data.length, data: data.slice(0, take ?? data.length) };
			},
			async insertRows(rows, returnType) {
				track('insertRows');
				const target = table();
				const inserted = rows.map((row) => {
					checkColumns(target, Object.keys(row));
					const now = new Date();
					const stored = { ...row, id: target.rows.length + 1, createdAt: now, updatedAt: now } as DataTableRowReturn;
					target.rows.push(stored);
					return stored;
				});
				return (returnType === 'count' ? { success: true, insertedRows: inserted.length } : returnType === 'id' ? inserted.map(({ id: rowId }) => ({ id: rowId })) : inserted) as never;
			},
			async updateRows({ filter, data }) {
				track('updateRows');
				if (filter.filters.length === 0) throw new Error('Filter must not be empty');
				checkColumns(table(), Object.keys(data));
				const updated = table().rows.filter((row) => matches(row, filter));
				for (const row of updated) Object.assign(row, data, { updatedAt: new Date() });
				return updated;
			},
			upsertRow: unused('upsertRow'),
			deleteRows: unused('deleteRows'),
			async clearRows() {
				const deletedCount = table().rows.length;
				table().rows = [];
				return { deletedCount };
			},
		};
	};

	const refuseNode = (type: string) => {
		if (refuse && !type.startsWith('n8n-nodes-base.')) throw new Error('This proxy is only available for Data table nodes');
	};
	return {
		provider: {
			async getDataTableAggregateProxy(_workflow, node) {
				refuseNode(node.type);
				return aggregate;
			},
			async getDataTableProxy(_workflow, node, dataTableId) {
				refuseNode(node.type);
				if (!tables.has(dataTableId)) throw new Error(`Data table with ID '${dataTableId}' could not be found in this project`);
				return tableService(dataTableId);
			},
		},
		tables: () =>
			[...tables.values()].map((table) => ({ name: table.name, columns: table.columns.map((column) => column.name), rows: table.rows })),
		calls,
		failNext: (method, times = 1) => void failures.set(method, times),
	};
}
