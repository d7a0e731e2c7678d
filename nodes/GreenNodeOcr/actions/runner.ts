import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeError, NodeOperationError } from 'n8n-workflow';

import { mapWithConcurrency } from '../helpers/concurrency';
import { setRateCap } from '../transport/rate';
import { setSlots } from '../transport/slots';
import { readConcurrency, readRateCap } from './settings';

/** Runs the items of an operation and turns their outcomes into output, the same way for every operation. */

export type ItemOutcome = { items: INodeExecutionData[] } | { error: Error };

export type Outcomes = Map<number, ItemOutcome>;

/**
 * Runs `worker` for each item index (at most Concurrency at a time) and records its outcome.
 * Without Continue On Fail, no new item is started after the first failure. Returns whether one failed.
 */
export async function runPerItem(
	this: IExecuteFunctions,
	itemIndexes: number[],
	outcomes: Outcomes,
	concurrency: number,
	worker: (itemIndex: number) => Promise<INodeExecutionData[] | undefined>,
): Promise<boolean> {
	let anyFailed = false;
	const stop = () => anyFailed && !this.continueOnFail();
	await mapWithConcurrency(itemIndexes, concurrency, async (itemIndex) => {
		try {
			const items = await worker(itemIndex);
			if (items) outcomes.set(itemIndex, { items });
		} catch (error) {
			anyFailed = true;
			outcomes.set(itemIndex, { error: error as Error });
		}
	}, stop);
	return anyFailed;
}

/**
 * The run's Concurrency (and its Max Requests per Second, set for the transport), or, when one is wrong, the output of the run: that error on every item (an
 * error item each with Continue On Fail, else the error of the first item). No item can run without it.
 */
export function runConcurrency(
	this: IExecuteFunctions,
	itemCount: number,
): { concurrency: number } | { output: INodeExecutionData[] } {
	try {
		const concurrency = readConcurrency.call(this, itemCount);
		setRateCap.call(this, readRateCap.call(this, itemCount));
		setSlots.call(this, concurrency);
		return { concurrency };
	} catch (error) {
		const outcomes: Outcomes = new Map();
		for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) outcomes.set(itemIndex, { error: error as Error });
		return { output: assembleOutput.call(this, itemCount, outcomes) };
	}
}

/**
 * `error` + `details` only: n8n then routes the item to the error output when "On Error" asks for it,
 * merged with the input item's fields so the user sees which input failed.
 */
function errorJson(error: Error): IDataObject {
	const json: IDataObject = { error: error.message };
	if (error instanceof NodeError && error.description) json.details = error.description;
	return json;
}

/** Says which input item failed and which paid submissions the stop leaves behind. */
function explain(this: IExecuteFunctions, error: Error, itemIndex: number, itemCount: number, submitted: Map<number, string>): Error {
	const notes = [`Failed on item index ${itemIndex} (of ${itemCount} input items).`];
	const others = [...submitted].filter(([index]) => index !== itemIndex);
	if (others.length > 0) {
		const list = others.map(([index, requestId]) => `item ${index} → ${requestId}`).join(', ');
		notes.push(
			`${others.length} document${others.length === 1 ? ' was' : 's were'} already submitted before the stop; fetch ${others.length === 1 ? 'it' : 'them'} with Get Result instead of submitting again: ${list}.`,
		);
	}
	const nodeError = error instanceof NodeError ? error : new NodeOperationError(this.getNode(), error, { itemIndex });
	const added = notes.filter((note) => !(nodeError.description ?? '').includes(note)).join(' ');
	if (added) nodeError.description = `${nodeError.description ? `${nodeError.description} ` : ''}${added}`;
	nodeError.context.itemIndex = itemIndex;
	if (others.length > 0) nodeError.context.submitted = Object.fromEntries(others.map(([index, requestId]) => [String(index), requestId]));
	return nodeError;
}

/**
 * One output entry per input item, in input order, each paired to its input. A failed item becomes an
 * error item when "Continue On Fail" is on; otherwise the first failure (in item order) is thrown,
 * naming every request_id already submitted (`submitted`: item index → request_id).
 */
export function assembleOutput(
	this: IExecuteFunctions,
	itemCount: number,
	outcomes: Outcomes,
	submitted: Map<number, string> = new Map(),
): INodeExecutionData[] {
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		const outcome = outcomes.get(itemIndex);
		if (!outcome) continue;
		if ('error' in outcome) {
			if (!this.continueOnFail()) throw explain.call(this, outcome.error, itemIndex, itemCount, submitted);
			output.push({ json: errorJson(outcome.error), pairedItem: { item: itemIndex } });
			continue;
		}
		for (const item of outcome.items) output.push({ ...item, pairedItem: { item: itemIndex } });
	}
	return output;
}

/** Runs one worker per input item and assembles the output: the whole of a simple operation. */
export async function eachItem(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	worker: (itemIndex: number) => Promise<INodeExecutionData[]>,
): Promise<INodeExecutionData[]> {
	const run = runConcurrency.call(this, items.length);
	if ('output' in run) return run.output;
	const outcomes: Outcomes = new Map();
	await runPerItem.call(this, items.map((_, index) => index), outcomes, run.concurrency, worker);
	return assembleOutput.call(this, items.length, outcomes);
}
