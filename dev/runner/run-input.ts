/**
 * Hands the input items of a run to its start node, keyed by execution id.
 */
import type { IDataObject } from 'n8n-workflow';

export interface BinaryInput {
	data: Buffer;
	fileName?: string;
	mimeType?: string;
}

export interface InputItem {
	json?: IDataObject;
	binary?: Record<string, BinaryInput>;
}

const pendingInputs = new Map<string, InputItem[]>();

export function setRunInput(executionId: string, items: InputItem[]): void {
	pendingInputs.set(executionId, items);
}

export function takeRunInput(executionId: string): InputItem[] | undefined {
	const items = pendingInputs.get(executionId);
	pendingInputs.delete(executionId);
	return items;
}

export function clearRunInput(executionId: string): void {
	pendingInputs.delete(executionId);
}
