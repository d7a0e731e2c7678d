import type { EmulatorSettings } from './types';

export const DEFAULT_API_KEY = 'gn-emulator-key';
export const DEFAULT_PORTAL_USER_ID = '100001';
export const DEFAULT_ENABLED_DOC_TYPES: readonly string[] = ['ID', 'INVOICE', 'BANK_STATEMENT', 'CONTRACT', 'GET_TABLE'];

const DEFAULT_SETTINGS: Readonly<EmulatorSettings> = {
	enabledDocTypes: [...DEFAULT_ENABLED_DOC_TYPES],
	pendingPolls: 1,
	emptyPolls: 1,
	processingDelayMs: 0,
};

/** `value`, or `fallback` when undefined; throws a RangeError when negative or not finite. */
export function nonNegative(value: number | undefined, fallback: number, name: string): number {
	const result = value ?? fallback;
	if (!Number.isFinite(result) || result < 0) {
		throw new RangeError(`${name} must be a non-negative number`);
	}
	return result;
}

/** A fresh copy of `base` (the defaults when omitted) with `changes` applied and checked. */
export function withSettings(
	changes: Partial<EmulatorSettings>,
	base: Readonly<EmulatorSettings> = DEFAULT_SETTINGS,
): EmulatorSettings {
	return {
		enabledDocTypes: [...(changes.enabledDocTypes ?? base.enabledDocTypes)],
		pendingPolls: nonNegative(changes.pendingPolls, base.pendingPolls, 'pendingPolls'),
		emptyPolls: nonNegative(changes.emptyPolls, base.emptyPolls, 'emptyPolls'),
		processingDelayMs: nonNegative(changes.processingDelayMs, base.processingDelayMs, 'processingDelayMs'),
	};
}
