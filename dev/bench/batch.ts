/**
 * Figure 1: 50 documents with Wait for Result in one run, against the sum of 50 single-document
 * runs (what a per-item loop, or a Wait + IF workflow, takes).
 */
import { startEmulator } from '../emulator/server';
import { runWorkflow } from '../runner';
import { credentialsFor, jpegItems, submitAndWait, warmUp } from './common';
import { log, median, now, seconds, times, type Row } from './stats';

export const BATCH_SIZE = 50;
export const PROCESSING_DELAY_MS = 2000;
export const POLL_INTERVAL_S = 1;
const SINGLE_RUNS = 3;
const BATCH_RUNS = 3;

export interface BatchFigures {
	singleMs: number[];
	batchMs: number[];
	rows: Row[];
	notes: string[];
}

export async function benchBatch(): Promise<BatchFigures> {
	const emulator = await startEmulator({ processingDelayMs: PROCESSING_DELAY_MS });
	const credentials = credentialsFor(emulator);
	const node = submitAndWait(POLL_INTERVAL_S, 60);
	const notes: string[] = [];
	try {
		await warmUp(node, credentials);

		const singleMs: number[] = [];
		for (let run = 0; run < SINGLE_RUNS; run++) {
			const started = now();
			const result = await runWorkflow({ nodes: [node], items: jpegItems(1, `single-${run}`), credentials });
			const elapsed = now() - started;
			if (result.error) throw result.error;
			singleMs.push(elapsed);
			log(`  single document, run ${run + 1}: ${seconds(elapsed)}`);
		}

		const batchMs: number[] = [];
		for (let run = 0; run < BATCH_RUNS; run++) {
			emulator.reset();
			emulator.configure({ processingDelayMs: PROCESSING_DELAY_MS });
			const startedAt = Date.now();
			const started = now();
			const result = await runWorkflow({ nodes: [node], items: jpegItems(BATCH_SIZE, `batch-${run}`), credentials });
			const elapsed = now() - started;
			if (result.error) throw result.error;
			if (result.items.length !== BATCH_SIZE) throw new Error(`batch produced ${result.items.length} items`);
			const incomplete = result.items.filter((item) => item.json.status !== 'COMPLETED');
			if (incomplete.length > 0) throw new Error(`${incomplete.length} batch items are not COMPLETED`);
			batchMs.push(elapsed);
			const posts = emulator.requests.filter((request) => request.method === 'POST');
			const gets = emulator.requests.filter((request) => request.method === 'GET');
			const lastReady = Math.max(...[...emulator.jobs.values()].map((job) => job.createdAt + PROCESSING_DELAY_MS));
			const lastSubmit = Math.max(...[...emulator.jobs.values()].map((job) => job.createdAt));
			const detail =
				`submits done after ${seconds(lastSubmit - startedAt)}, last job ready after ${seconds(lastReady - startedAt)}, ` +
				`${posts.length} uploads and ${gets.length} result polls (${(gets.length / BATCH_SIZE).toFixed(1)} per document)`;
			log(`  ${BATCH_SIZE} documents in one run, run ${run + 1}: ${seconds(elapsed)} (${detail})`);
			if (run === 0) notes.push(`Batch run 1: ${detail}.`);
		}

		const single = median(singleMs);
		const sequential = single * BATCH_SIZE;
		const batch = median(batchMs);
		const rows: Row[] = [
			{
				figure: `Batch: ${BATCH_SIZE} documents, Wait for Result, one run (median of ${BATCH_RUNS})`,
				measured: seconds(batch),
				baseline: `${seconds(sequential, 1)} (sum of ${BATCH_SIZE} single runs, from the median of ${SINGLE_RUNS})`,
				ratio: `${times(sequential / batch, 1)} faster`,
				goal: '≥ 30× faster',
				met: sequential / batch >= 30,
			},
			{
				figure: `Batch: ${BATCH_SIZE} documents vs one document`,
				measured: seconds(batch),
				baseline: `${seconds(single)} (one document, median of ${SINGLE_RUNS})`,
				ratio: times(batch / single),
				goal: '≤ 1.5×',
				met: batch / single <= 1.5,
			},
		];
		return { singleMs, batchMs, rows, notes };
	} finally {
		await emulator.close();
	}
}
