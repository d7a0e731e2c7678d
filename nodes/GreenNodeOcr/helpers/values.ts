import type { IDataObject } from 'n8n-workflow';

/** Small readers for JSON of unknown shape. */

export function asObject(value: unknown): IDataObject | undefined {
	return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as IDataObject) : undefined;
}

export function asNumber(value: unknown): number | undefined {
	const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** A duration for messages: `1.5 s`. */
export function formatSeconds(ms: number): string {
	return `${Math.round(ms / 100) / 10} s`;
}
