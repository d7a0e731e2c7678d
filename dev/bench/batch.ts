/**
 * Figure 1: 50 documents with Wait for Result in one run, against the sum of 50 single-document
 * runs (what a per-item loop, or a Wait + IF workflow, takes). Output raw, as before the per-document
 * output became the default; the same batch with the default per-document output, and with Include
 * tables, is measured in the same rounds and compared with it.
 */
import type { IDataObject } from 'n8n-workflow';

import { startEmulator } from '../emulator/server';
import { PAGE_JPEG } from '../emulator/images';
import { memoryDataTables, runWorkflow, type InputItem, type RunNodeSpec } from '../runner';
import { credentialsFor, jpegItems, OUTPUT_SHAPES, SHAPE_LABEL, submitAndWait, warmUp, type OutputShape } from './common';
import { log, median, now, seconds, times, type Row } from './stats';

export const BATCH_SIZE = 50;
export const PROCESSING_DELAY_MS = 2000;
export const POLL_INTERVAL_S = 1;
const SINGLE_RUNS = 3;
const BATCH_RUNS = 3;

/** The batch of the ledger run: files that differ (the ledger uploads two equal files once). */
function distinctJpegItems(count: number, prefix: string): InputItem[] {
	return Array.from({ length: count }, (_, index) => ({
		json: { n: index },
		binary: { data: { data: Buffer.concat([PAGE_JPEG, Buffer.from(`${prefix}-${index}`)]), fileName: `${prefix}-${index}.jpg`, mimeType: 'image/jpeg' } },
	}));
}

type RunKind = OutputShape | 'ledger';
const RUN_KINDS: readonly RunKind[] = [...OUTPUT_SHAPES, 'ledger'];
const RUN_LABEL: Record<RunKind, string> = { ...SHAPE_LABEL, ledger: 'Output raw with the ledger (in-memory Data Table behind n8n\'s helpers)' };

/** Whether an output item is a finished result: the raw answer COMPLETED, or a document with content (and its table rows). */
function complete(shape: OutputShape, json: IDataObject): boolean {
	if (shape === 'raw') return json.status === 'COMPLETED';
	const document = typeof json.document_id === 'string' && json.empty !== true;
	return shape === 'tables' ? document && Array.isArray(json.tables) && json.tables.length > 0 : document;
}

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
	const nodes: Record<OutputShape, RunNodeSpec> = {
		raw: node,
		documents: submitAndWait(POLL_INTERVAL_S, 60, 'documents'),
		tables: submitAndWait(POLL_INTERVAL_S, 60, 'tables'),
	};
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

		// Each round runs the batch once per output shape, in an order that turns from round to round.
		const shapeMs: Record<RunKind, number[]> = { raw: [], documents: [], tables: [], ledger: [] };
		for (let run = 0; run < BATCH_RUNS; run++) {
			for (let turn = 0; turn < RUN_KINDS.length; turn++) {
				const kind = RUN_KINDS[(run + turn) % RUN_KINDS.length];
				const shape: OutputShape = kind === 'ledger' ? 'raw' : kind;
				emulator.reset();
				emulator.configure({ processingDelayMs: PROCESSING_DELAY_MS });
				const startedAt = Date.now();
				const started = now();
				const result = await runWorkflow({
					nodes: [nodes[shape]],
					items: kind === 'ledger' ? distinctJpegItems(BATCH_SIZE, `batch-${run}-${kind}`) : jpegItems(BATCH_SIZE, `batch-${run}-${kind}`),
					credentials,
					...(kind === 'ledger' ? { dataTables: memoryDataTables().provider } : {}),
				});
				const elapsed = now() - started;
				if (result.error) throw result.error;
				if (result.items.length !== BATCH_SIZE) throw new Error(`batch (${kind}) produced ${result.items.length} items`);
				if (kind === 'ledger' && result.items.some((item) => item.json.reused !== false)) throw new Error('the ledger batch reused a submission');
				const incomplete = result.items.filter((item) => !complete(shape, item.json));
				if (incomplete.length > 0) throw new Error(`${incomplete.length} batch items (${kind}) are not complete`);
				shapeMs[kind].push(elapsed);
				const posts = emulator.requests.filter((request) => request.method === 'POST');
				const polls = emulator.requests.filter((request) => request.method === 'GET' && !request.path.includes('/table/'));
				const tables = emulator.requests.filter((request) => request.method === 'GET' && request.path.includes('/table/'));
				const lastReady = Math.max(...[...emulator.jobs.values()].map((job) => job.createdAt + PROCESSING_DELAY_MS));
				const lastSubmit = Math.max(...[...emulator.jobs.values()].map((job) => job.createdAt));
				const detail =
					`submits done after ${seconds(lastSubmit - startedAt)}, last job ready after ${seconds(lastReady - startedAt)}, ` +
					`${posts.length} uploads and ${polls.length} result polls (${(polls.length / BATCH_SIZE).toFixed(1)} per document)` +
					(tables.length > 0 ? `, ${tables.length} table requests` : '');
				log(`  ${BATCH_SIZE} documents in one run, ${RUN_LABEL[kind]}, run ${run + 1}: ${seconds(elapsed)} (${detail})`);
				if (run === 0) notes.push(`Batch run 1, ${RUN_LABEL[kind]}: ${seconds(elapsed)}; ${detail}.`);
			}
		}
		const batchMs = shapeMs.raw;

		const single = median(singleMs);
		const sequential = single * BATCH_SIZE;
		const batch = median(batchMs);
		const rows: Row[] = [
			{
				figure: `Batch: ${BATCH_SIZE} documents, Wait for Result, one run, Output raw (median of ${BATCH_RUNS})`,
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
		for (const shape of ['documents', 'tables', 'ledger'] as const) {
			const shaped = median(shapeMs[shape]);
			rows.push({
				figure: `Batch: ${BATCH_SIZE} documents, ${RUN_LABEL[shape]} (median of ${BATCH_RUNS}, alternated with Output raw)`,
				measured: seconds(shaped),
				baseline: `${seconds(batch)} (the same with Output raw)`,
				ratio: times(shaped / batch),
				goal: '≤ 1.10×',
				met: shaped / batch <= 1.1,
			});
		}
		return { singleMs, batchMs, rows, notes };
	} finally {
		await emulator.close();
	}
}
