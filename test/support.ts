import type { INodeExecutionData } from 'n8n-workflow';

import { startEmulator, type Emulator, type EmulatorOptions } from '../dev/emulator/server';
import { disposeRunner, runWorkflow, type InputItem, type RunNodeSpec, type RunOptions, type RunResult } from '../dev/runner';
import { credentialsFor } from '../dev/workflow';
import { samplePdf } from '../dev/samples';
import { PAGE_JPEG } from '../dev/emulator/images';

export { samplePdf, PAGE_JPEG };
export { credentialsFor, jpegItem, ocr, pdfItem } from '../dev/workflow';

/** Starts a fresh emulator for a test file and stops it (and the runner's temp folders) afterwards. */
export function useEmulator(options: EmulatorOptions = {}): { get: () => Emulator } {
	let emulator: Emulator | undefined;
	beforeAll(async () => {
		emulator = await startEmulator({ pendingPolls: 0, emptyPolls: 0, ...options });
	});
	beforeEach(() => {
		emulator?.reset();
		emulator?.configure({ pendingPolls: options.pendingPolls ?? 0, emptyPolls: options.emptyPolls ?? 0 });
	});
	afterAll(async () => {
		await emulator?.close();
		disposeRunner();
	});
	return {
		get: () => {
			if (!emulator) throw new Error('emulator not started');
			return emulator;
		},
	};
}

export async function run(
	emulator: Emulator,
	nodes: RunNodeSpec[],
	items: InputItem[] = [{}],
	options: Partial<RunOptions> = {},
): Promise<RunResult> {
	return await runWorkflow({ nodes, items, credentials: credentialsFor(emulator), ...options });
}

/** Fast polling for tests: the node accepts fractions of a second. */
export const FAST = { pollInterval: 0.05, timeout: 5 };

export function jsonOf(items: INodeExecutionData[]) {
	return items.map((item) => item.json);
}

/** Everything a run exposes to a user or an operator, as one string. */
export function everythingVisible(result: RunResult): string {
	const error = result.error as (Error & { description?: string; stack?: string }) | undefined;
	return [
		JSON.stringify(result.runData),
		JSON.stringify(result.items),
		result.logs.join('\n'),
		error ? `${error.message}\n${error.description ?? ''}\n${error.stack ?? ''}\n${JSON.stringify(error)}` : '',
	].join('\n');
}
