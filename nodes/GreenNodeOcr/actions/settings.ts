import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { RequestSettings } from '../transport/request';
import type { WaitSettings } from '../wait/waitForResults';
import { DEFAULTS, LIMITS } from './fields';

/**
 * The Options of an item, read once in the action and passed down. A value that makes no sense
 * (0 or below from an expression, text) is an error on that item, never a silent default.
 */

type Rule = { label: string; min: number; integer?: boolean; max?: number; exclusiveMin?: boolean; hint: string };

const RULES: Record<string, Rule> = {
	pollInterval: { label: 'Poll Interval', min: 0, exclusiveMin: true, hint: 'GreenNode suggests 2 to 5 seconds.' },
	timeout: { label: 'Timeout', min: 0, exclusiveMin: true, hint: `The default is ${DEFAULTS.timeout} seconds.` },
	emptyResultWait: { label: 'Empty Result Wait', min: 0, hint: `The default is ${DEFAULTS.emptyResultWait} seconds.` },
	requestTimeout: { label: 'Request Timeout', min: 0, exclusiveMin: true, hint: `The default is ${DEFAULTS.requestTimeout} seconds.` },
	maxRetries: { label: 'Max Retries', min: 0, max: LIMITS.maxRetries, integer: true, hint: `Use 0 to ${LIMITS.maxRetries}.` },
	concurrency: { label: 'Concurrency', min: 1, max: LIMITS.concurrency, integer: true, hint: `Use 1 to ${LIMITS.concurrency}.` },
};

function readNumber(this: IExecuteFunctions, options: IDataObject, name: keyof typeof DEFAULTS, itemIndex: number): number {
	const raw = options[name];
	if (raw === undefined || raw === null || raw === '') return DEFAULTS[name];
	const rule = RULES[name];
	const value = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : Number.NaN;
	const below = rule.exclusiveMin ? value <= rule.min : value < rule.min;
	const wrong =
		!Number.isFinite(value) ? 'is not a number' :
		below ? `must be ${rule.exclusiveMin ? 'more than' : 'at least'} ${rule.min}` :
		rule.max !== undefined && value > rule.max ? `must be at most ${rule.max}` :
		rule.integer && !Number.isInteger(value) ? 'must be a whole number' : undefined;
	if (wrong) {
		const shown = typeof raw === 'object' ? JSON.stringify(raw).slice(0, 40) : String(raw).slice(0, 40);
		throw new NodeOperationError(this.getNode(), `${rule.label} ${wrong} (it is ${shown})`, {
			itemIndex,
			description: `Check the ${rule.label} option${typeof raw === 'string' ? ' and the expression that sets it' : ''}. ${rule.hint}`,
		});
	}
	return value;
}

export function readOptions(this: IExecuteFunctions, itemIndex: number): IDataObject {
	return (this.getNodeParameter('options', itemIndex, {}) ?? {}) as IDataObject;
}

/** `options`: the item's Options when the caller has them already (they are read once per item). */
export function readRequestSettings(
	this: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject = readOptions.call(this, itemIndex),
): RequestSettings {
	return {
		maxRetries: readNumber.call(this, options, 'maxRetries', itemIndex),
		requestTimeoutMs: readNumber.call(this, options, 'requestTimeout', itemIndex) * 1000,
	};
}

export function readWaitSettings(
	this: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject = readOptions.call(this, itemIndex),
	request: RequestSettings = readRequestSettings.call(this, itemIndex, options),
): WaitSettings {
	return {
		pollIntervalMs: readNumber.call(this, options, 'pollInterval', itemIndex) * 1000,
		timeoutMs: readNumber.call(this, options, 'timeout', itemIndex) * 1000,
		emptyResultWaitMs: readNumber.call(this, options, 'emptyResultWait', itemIndex) * 1000,
		request,
	};
}

/** Concurrency is one value for the whole run: that of the first item. */
export function readConcurrency(this: IExecuteFunctions, itemCount: number): number {
	if (itemCount === 0) return DEFAULTS.concurrency;
	return readNumber.call(this, readOptions.call(this, 0), 'concurrency', 0);
}
