import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { getResult } from '../transport/endpoints';
import { documentOptions, outputField, readOutputSettings, settleOutputs, type Finished } from './documentOutput';
import { waitForResults, type PendingRequest } from '../wait/waitForResults';
import {
	concurrencyOption,
	emptyResultWaitOption,
	maxRequestsPerSecondOption,
	maxRetriesOption,
	optionsCollection,
	pollIntervalOption,
	requestIdField,
	requestTimeoutOption,
	timeoutOption,
} from './fields';
import { assembleOutput, runConcurrency, runPerItem, type Outcomes } from './runner';
import { readBoolean, readOptions, readRequestSettings, readWaitSettings } from './settings';

const operations = ['getResult'];

type Shape = Pick<Finished, 'output' | 'request'>;

export const description: INodeProperties[] = [
	requestIdField(operations),
	{
		displayName: 'Wait for Result',
		name: 'waitForResult',
		type: 'boolean',
		default: true,
		displayOptions: { show: { operation: operations } },
		description:
			'Whether to keep checking until the result is complete. When off, the node outputs whatever GreenNode has now, even if it is still processing.',
	},
	outputField({ operation: operations }),
	optionsCollection(operations, [
		concurrencyOption,
		emptyResultWaitOption,
		maxRequestsPerSecondOption,
		maxRetriesOption,
		pollIntervalOption,
		requestTimeoutOption,
		timeoutOption,
		...documentOptions(),
	]),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const run = runConcurrency.call(this, items.length);
	if ('output' in run) return run.output;
	const { concurrency } = run;
	const outcomes: Outcomes = new Map();
	const pending: PendingRequest[] = [];
	const finished: Finished[] = [];
	const shapes = new Map<number, Shape>();
	const anyFailed = await runPerItem.call(this, items.map((_, index) => index), outcomes, concurrency, async (itemIndex) => {
		const requestId = this.getNodeParameter('requestId', itemIndex, '') as string;
		const options = readOptions.call(this, itemIndex);
		const shape: Shape = { output: readOutputSettings.call(this, itemIndex, options), request: readRequestSettings.call(this, itemIndex, options) };
		const wait = readBoolean.call(this, this.getNodeParameter('waitForResult', itemIndex, true), 'Wait for Result', true, itemIndex);
		const waitSettings = wait ? readWaitSettings.call(this, itemIndex, options, shape.request) : undefined;
		shapes.set(itemIndex, shape);
		if (waitSettings) pending.push({ itemIndex, requestId, settings: waitSettings });
		else finished.push({ itemIndex, data: await getResult.call(this, itemIndex, requestId, shape.request), ...shape });
		return undefined;
	});
	if (!(anyFailed && !this.continueOnFail())) {
		for (const [itemIndex, outcome] of await waitForResults.call(this, pending, concurrency)) {
			if (outcome.ok) finished.push({ itemIndex, data: outcome.data, ...(shapes.get(itemIndex) as Shape) });
			else outcomes.set(itemIndex, { error: outcome.error });
		}
		await settleOutputs.call(this, finished, concurrency, outcomes);
	}
	return assembleOutput.call(this, items.length, outcomes);
}
