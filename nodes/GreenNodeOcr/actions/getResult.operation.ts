import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { getResult } from '../transport/endpoints';
import { waitForResults, type PendingRequest } from '../wait/waitForResults';
import {
	concurrencyOption,
	emptyResultWaitOption,
	maxRetriesOption,
	optionsCollection,
	pollIntervalOption,
	requestIdField,
	requestTimeoutOption,
	timeoutOption,
} from './fields';
import { assembleOutput, runPerItem, type Outcomes } from './runner';
import { readConcurrency, readRequestSettings, readWaitSettings } from './settings';

const operations = ['getResult'];

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
	optionsCollection(operations, [
		concurrencyOption,
		emptyResultWaitOption,
		maxRetriesOption,
		pollIntervalOption,
		requestTimeoutOption,
		timeoutOption,
	]),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const outcomes: Outcomes = new Map();
	const pending: PendingRequest[] = [];
	const failed = await runPerItem.call(this, items.map((_, index) => index), outcomes, async (itemIndex) => {
		const requestId = this.getNodeParameter('requestId', itemIndex, '') as string;
		if (this.getNodeParameter('waitForResult', itemIndex, true) as boolean) {
			pending.push({ itemIndex, requestId, settings: readWaitSettings.call(this, itemIndex) });
			return undefined;
		}
		return [{ json: await getResult.call(this, itemIndex, requestId, readRequestSettings.call(this, itemIndex)) }];
	});
	if (!(failed && !this.continueOnFail()) && pending.length > 0) {
		const results = await waitForResults.call(this, pending, readConcurrency.call(this, items.length));
		for (const [itemIndex, outcome] of results) {
			outcomes.set(itemIndex, outcome.ok ? { items: [{ json: outcome.data }] } : { error: outcome.error });
		}
	}
	return assembleOutput.call(this, items.length, outcomes);
}
