import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeError, NodeOperationError } from 'n8n-workflow';

import { mapWithConcurrency } from '../helpers/concurrency';
import { DEFAULT_MAX_RETRIES } from '../helpers/retry';

/** Pieces shared by the operations: option fields, reading them, and turning per-item outcomes into output. */

export const DEFAULT_POLL_INTERVAL = 3;
export const DEFAULT_TIMEOUT = 120;
export const DEFAULT_CONCURRENCY = 10;

export const pollIntervalOption: INodeProperties = {
	displayName: 'Poll Interval (Seconds)',
	name: 'pollInterval',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 60 },
	default: DEFAULT_POLL_INTERVAL,
	description: 'How long to wait between two checks of a pending result. GreenNode suggests 2 to 5 seconds.',
};

export const timeoutOption: INodeProperties = {
	displayName: 'Timeout (Seconds)',
	name: 'timeout',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: DEFAULT_TIMEOUT,
	description:
		'How long to wait for a result before failing with its request_id, so that it can be fetched later with Get Result',
};

export const concurrencyOption: INodeProperties = {
	displayName: 'Concurrency',
	name: 'concurrency',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 50 },
	default: DEFAULT_CONCURRENCY,
	description: 'The most requests to GreenNode in flight at once when the node runs on many items',
};

export const maxRetriesOption: INodeProperties = {
	displayName: 'Max Retries',
	name: 'maxRetries',
	type: 'number',
	typeOptions: { minValue: 0, maxValue: 10 },
	default: DEFAULT_MAX_RETRIES,
	description:
		'How often to repeat a request that failed on the way (429, 502, 503, 504, a dropped connection or a timeout), waiting longer each time. A Submit is repeated only when GreenNode provably did not receive it, so no document is submitted twice.',
};

export const requestTimeoutOption: INodeProperties = {
	displayName: 'Request Timeout (Seconds)',
	name: 'requestTimeout',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 60,
	description: 'How long to wait for GreenNode to answer one request before it counts as failed (and is retried)',
};

/** The "Options" collection of an operation. */
export function optionsCollection(operations: string[], options: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: operations } },
		options,
	};
}

export interface WaitSettings {
	pollInterval: number;
	timeout: number;
}

function positive(value: unknown, fallback: number): number {
	const n = Number(value);
	return Number.isFinite(n) && n > 0 ? n : fallback;
}

export function readWaitSettings(options: IDataObject): WaitSettings {
	return {
		pollInterval: positive(options.pollInterval, DEFAULT_POLL_INTERVAL),
		timeout: positive(options.timeout, DEFAULT_TIMEOUT),
	};
}

/** The concurrency of the first item's options (a batch-wide setting). */
export function readConcurrency(this: IExecuteFunctions, itemCount: number): number {
	if (itemCount === 0) return DEFAULT_CONCURRENCY;
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	return Math.floor(positive(options.concurrency, DEFAULT_CONCURRENCY));
}

export type ItemOutcome = { items: INodeExecutionData[] } | { error: Error };

/**
 * `error` + `details` only: n8n then routes the item to the error output when "On Error" asks for it,
 * merged with the input item's fields so the user sees which input failed.
 */
function errorJson(error: Error): IDataObject {
	const json: IDataObject = { error: error.message };
	if (error instanceof NodeError && error.description) json.details = error.description;
	return json;
}

/** Says which input item failed, so a batch of many documents points at the right one. */
function withItemIndex(this: IExecuteFunctions, error: Error, itemIndex: number, itemCount: number): Error {
	const where = `Failed on item index ${itemIndex} (of ${itemCount} input items).`;
	if (error instanceof NodeError) {
		if (!(error.description ?? '').includes(where)) error.description = `${error.description ? `${error.description} ` : ''}${where}`;
		error.context.itemIndex = itemIndex;
		return error;
	}
	return new NodeOperationError(this.getNode(), error, { itemIndex, description: where });
}

/**
 * One output entry per input item, in input order, each paired to its input. A failed item becomes an
 * error item when "Continue On Fail" is on; otherwise the first failure (in item order) is thrown.
 */
export function assembleOutput(
	this: IExecuteFunctions,
	itemCount: number,
	outcomes: Map<number, ItemOutcome>,
): INodeExecutionData[] {
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		const outcome = outcomes.get(itemIndex);
		if (!outcome) continue;
		if ('error' in outcome) {
			if (!this.continueOnFail()) throw withItemIndex.call(this, outcome.error, itemIndex, itemCount);
			output.push({ json: errorJson(outcome.error), pairedItem: { item: itemIndex } });
			continue;
		}
		for (const item of outcome.items) output.push({ ...item, pairedItem: { item: itemIndex } });
	}
	return output;
}

/**
 * Runs `worker` once per input item (at most Concurrency at a time) and assembles the output.
 * Without Continue On Fail, no new item is started after the first failure.
 */
export async function runPerItem(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	worker: (itemIndex: number) => Promise<INodeExecutionData[]>,
): Promise<INodeExecutionData[]> {
	const outcomes = new Map<number, ItemOutcome>();
	let failed = false;
	await mapWithConcurrency(
		items.map((_, itemIndex) => itemIndex),
		readConcurrency.call(this, items.length),
		async (itemIndex) => {
			try {
				outcomes.set(itemIndex, { items: await worker(itemIndex) });
			} catch (error) {
				failed = true;
				outcomes.set(itemIndex, { error: error as Error });
			}
		},
		() => failed && !this.continueOnFail(),
	);
	return assembleOutput.call(this, items.length, outcomes);
}
