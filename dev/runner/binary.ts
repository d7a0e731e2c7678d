/**
 * Binary data mode. n8n keeps binary data in the items as base64 (`default`) or in files
 * (`filesystem`). The mode is process-wide in n8n, so runs in different modes cannot overlap:
 * a run waits until the runs of the other mode have finished.
 */
import { Container } from '@n8n/di';
import { BinaryDataConfig, BinaryDataService } from 'n8n-core';
import type { INodeExecutionData } from 'n8n-workflow';

import { makeTempDir } from './env';

export type BinaryMode = 'default' | 'filesystem';

let storagePath: string | undefined;
let activeMode: BinaryMode | undefined;
let runsInActiveMode = 0;
let switching: Promise<void> | undefined;
const waiting: Array<() => void> = [];

async function switchMode(mode: BinaryMode): Promise<void> {
	const config = Container.get(BinaryDataConfig);
	storagePath ??= makeTempDir('binary-data');
	config.localStoragePath = storagePath;
	config.mode = mode;
	await Container.get(BinaryDataService).init();
	activeMode = mode;
}

export async function acquireBinaryMode(mode: BinaryMode): Promise<void> {
	for (;;) {
		if (switching) {
			await switching;
		} else if (activeMode === mode) {
			runsInActiveMode++;
			return;
		} else if (runsInActiveMode === 0) {
			switching = switchMode(mode).finally(() => (switching = undefined));
			await switching;
		} else {
			await new Promise<void>((resolve) => waiting.push(resolve));
		}
	}
}

export function releaseBinaryMode(): void {
	if (--runsInActiveMode === 0) for (const wake of waiting.splice(0)) wake();
}

/** Forgets the storage folder (removed with the runner's temporary files); the next run sets the mode up again. */
export function resetBinaryMode(): void {
	storagePath = undefined;
	activeMode = undefined;
}

/** The bytes of an item's binary property, in either mode. */
export async function readBinary(item: INodeExecutionData, property = 'data'): Promise<Buffer> {
	const binary = item.binary?.[property];
	if (!binary) {
		const available = Object.keys(item.binary ?? {}).join(', ') || 'none';
		throw new Error(`Item has no binary property "${property}" (available: ${available})`);
	}
	return await Container.get(BinaryDataService).getAsBuffer(binary);
}
