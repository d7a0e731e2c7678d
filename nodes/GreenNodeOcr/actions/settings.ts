import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { nameWords } from '../helpers/normalize';
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
	maxRequestsPerSecond: { label: 'Max Requests per Second', min: 0, hint: 'Use 0 for no cap.' },
	maxFileSize: { label: 'Max File Size', min: 0, exclusiveMin: true, hint: `In MB; the default is ${DEFAULTS.maxFileSize} MB.` },
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
		throw new NodeOperationError(this.getNode(), `${rule.label} ${wrong} (it is ${shown(raw)})`, {
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

/**
 * Concurrency bounds the whole run (uploads, waits and parts of every item together), so it is one
 * value for the run: that of the first item. A wrong value is an error on every item (see
 * `runConcurrency` in runner.ts), so Continue On Fail gives an error item for each of them.
 */
export function readConcurrency(this: IExecuteFunctions, itemCount: number): number {
	if (itemCount === 0) return DEFAULTS.concurrency;
	return readNumber.call(this, readOptions.call(this, 0), 'concurrency', 0);
}

/** Max File Size of a file by URL, in MB. */
export function readMaxFileSize(this: IExecuteFunctions, options: IDataObject, itemIndex: number): number {
	return readNumber.call(this, options, 'maxFileSize', itemIndex);
}

/** Max Requests per Second, like Concurrency one value for the run (that of item 0); 0 is no cap. */
export function readRateCap(this: IExecuteFunctions, itemCount: number): number {
	if (itemCount === 0) return DEFAULTS.maxRequestsPerSecond;
	return readNumber.call(this, readOptions.call(this, 0), 'maxRequestsPerSecond', 0);
}

function shown(raw: unknown): string {
	return typeof raw === 'object' ? JSON.stringify(raw).slice(0, 40) : String(raw).slice(0, 40);
}

/** A yes/no setting: a boolean, or "true"/"false" from an expression; empty gives `fallback`. */
export function readBoolean(this: IExecuteFunctions, raw: unknown, label: string, fallback: boolean, itemIndex: number): boolean {
	if (raw === undefined || raw === null || raw === '') return fallback;
	if (typeof raw === 'boolean') return raw;
	const text = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
	if (text === 'true' || text === 'false') return text === 'true';
	throw new NodeOperationError(this.getNode(), `${label} must be true or false (it is ${shown(raw)})`, {
		itemIndex,
		description: `Check the ${label} setting and the expression that sets it: it must give true or false.`,
	});
}

/** One of a list of values (an expression may give any case); empty gives `fallback`. */
export function readChoice<T extends string>(
	this: IExecuteFunctions,
	raw: unknown,
	label: string,
	allowed: readonly T[],
	fallback: T,
	itemIndex: number,
): T {
	if (raw === undefined || raw === null || raw === '') return fallback;
	const text = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
	const found = allowed.find((value) => value.toLowerCase() === text);
	if (found !== undefined) return found;
	throw new NodeOperationError(this.getNode(), `${label} must be one of ${allowed.join(', ')} (it is ${shown(raw)})`, {
		itemIndex,
		description: `Pick one of the listed values for ${label}; an expression must give one of ${allowed.map((value) => `"${value}"`).join(', ')}.`,
	});
}

/**
 * A list of values: a list, or text with commas from an expression ("tables, images"). Every entry
 * must be one of `allowed`; the result keeps the order of `allowed`.
 */
export function readList<T extends string>(
	this: IExecuteFunctions,
	raw: unknown,
	label: string,
	allowed: readonly T[],
	itemIndex: number,
): T[] {
	if (raw === undefined || raw === null || raw === '') return [];
	const entries = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : undefined;
	const wrong = entries === undefined ? [raw] : entries.filter((entry) => typeof entry !== 'string' || !allowed.includes(entry.trim() as T));
	if (wrong.length > 0) {
		throw new NodeOperationError(this.getNode(), `${label} has a value that is not one of ${allowed.join(', ')} (${shown(wrong[0])})`, {
			itemIndex,
			description: `Pick from the list for ${label}; an expression must give a list (or text with commas) of ${allowed.map((value) => `"${value}"`).join(', ')}.`,
		});
	}
	const chosen = new Set((entries as string[]).map((entry) => entry.trim()));
	return allowed.filter((value) => chosen.has(value));
}

/**
 * Review Threshold as a confidence from 0 to 1: a number (or number text) from 0 to 1, or a
 * percentage above 1 up to 100; 0 turns review off. Anything else is an error.
 */
export function readThreshold(this: IExecuteFunctions, raw: unknown, itemIndex: number): number {
	if (raw === undefined || raw === null || raw === '') return 0;
	const value = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim().replace(/%$/, '')) : Number.NaN;
	if (Number.isFinite(value) && value >= 0 && value <= 100) return value > 1 ? value / 100 : value;
	throw new NodeOperationError(this.getNode(), `Review Threshold must be a number from 0 to 1 (it is ${shown(raw)})`, {
		itemIndex,
		description:
			'Use a confidence such as 0.8 (a percentage such as 80 is read as 0.8); 0 turns the Needs Review output off. Check the expression that sets it.',
	});
}

/**
 * Field Thresholds: a list of `{ field, threshold }` (the fixed collection's `values`, or a list from
 * an expression). Each needs a field name and a confidence from 0 to 1 (a percentage above 1 up to
 * 100); a name given twice is an error, as is anything else that is not such a list.
 */
export function readFieldThresholds(this: IExecuteFunctions, raw: unknown, itemIndex: number): Array<{ field: string; threshold: number }> {
	if (raw === undefined || raw === null || raw === '') return [];
	const fail = (problem: string): never => {
		throw new NodeOperationError(this.getNode(), `Field Thresholds ${problem}`, {
			itemIndex,
			description:
				'Give each entry a field name (such as total_amount or invoice.total_amount) and a confidence from 0 to 1, such as 0.95; an expression must give a list of { field, threshold }.',
		});
	};
	const container = typeof raw === 'object' && !Array.isArray(raw) ? (raw as IDataObject).values : raw;
	if (container === undefined || container === null) return [];
	if (!Array.isArray(container)) return fail(`must be a list of fields and thresholds (it is ${shown(container)})`);
	const seen = new Set<string>();
	return container.map((entry, index) => {
		const { field, threshold } = (entry !== null && typeof entry === 'object' ? entry : {}) as IDataObject;
		const name = typeof field === 'string' ? field.trim() : '';
		const key = nameWords(name).join('_');
		if (key === '') return fail(`entry ${index + 1} has no field name (it is ${shown(entry)})`);
		if (seen.has(key)) return fail(`name ${name} twice`);
		seen.add(key);
		const value =
			typeof threshold === 'number' ? threshold : typeof threshold === 'string' && threshold.trim() !== '' ? Number(threshold.trim().replace(/%$/, '')) : Number.NaN;
		if (!Number.isFinite(value) || value < 0 || value > 100) return fail(`of ${name} must be a number from 0 to 1 (it is ${shown(threshold)})`);
		return { field: name, threshold: value > 1 ? value / 100 : value };
	});
}
