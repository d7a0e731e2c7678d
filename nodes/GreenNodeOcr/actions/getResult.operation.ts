import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { mapWithConcurrency } from '../helpers/concurrency';
import { waitForResults, type PendingRequest } from '../helpers/poll';
import { getResult } from '../transport/api';
import {
	assembleOutput,
	concurrencyOption,
	maxRetriesOption,
	optionsCollection,
	pollIntervalOption,
	readConcurrency,
	readWaitSettings,
	requestTimeoutOption,
	timeoutOption,
	type ItemOutcome,
} from './common';

const show = { operation: ['getResult'] };

export const requestIdField = (operation: string): INodeProperties => ({
	displayName: 'Request ID',
	name: 'requestId',
	type: 'string',
	default: '',
	required: true,
	placeholder: '6f1c2a9e-0d4b-4c1e-9a55-2b7d1c3e8f10',
	displayOptions: { show: { operation: [operation] } },
	description: 'The request_id returned by Submit. Drag it in from the Submit output or use an expression.',
});

export const description: INodeProperties[] = [
	requestIdField('getResult'),
	{
		displayName: 'Wait for Result',
		name: 'waitForResult',
		type: 'boolean',
		default: true,
		displayOptions: { show },
		description:
			'Whether to keep checking until the result is complete. When off, the node outputs whatever GreenNode has now, even if it is still processing.',
	},
	optionsCollection(show.operation, [concurrencyOption, maxRetriesOption, pollIntervalOption, requestTimeoutOption, timeoutOption]),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const outcomes = new Map<number, ItemOutcome>();
	const pending: PendingRequest[] = [];
	const immediate: Array<{ itemIndex: number; requestId: string }> = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const requestId = this.getNodeParameter('requestId', itemIndex, '') as string;
		if (this.getNodeParameter('waitForResult', itemIndex, true) as boolean) {
			const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
			pending.push({ itemIndex, requestId, ...readWaitSettings(options) });
		} else {
			immediate.push({ itemIndex, requestId });
		}
	}
	let failed = false;
	await mapWithConcurrency(
		immediate,
		readConcurrency.call(this, items.length),
		async ({ itemIndex, requestId }) => {
			try {
				outcomes.set(itemIndex, { items: [{ json: await getResult.call(this, itemIndex, requestId) }] });
			} catch (error) {
				failed = true;
				outcomes.set(itemIndex, { error: error as Error });
			}
		},
		() => failed && !this.continueOnFail(),
	);
	if (failed && !this.continueOnFail()) return assembleOutput.call(this, items.length, outcomes);
	if (pending.length > 0) {
		const results = await waitForResults.call(this, pending, { concurrency: readConcurrency.call(this, items.length) });
		for (const [itemIndex, outcome] of results) {
			outcomes.set(itemIndex, outcome.ok ? { items: [{ json: outcome.data }] } : { error: outcome.error });
		}
	}
	return assembleOutput.call(this, items.length, outcomes);
}
