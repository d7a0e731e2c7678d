/**
 * Figure 2: what the node adds to a request. A Get Result (Wait for Result off) through the node,
 * as a full in-process workflow run, against a raw undici `request()` to the same URL with the
 * same headers; then per item, with 100 items in one run against 100 raw requests. Output raw, as
 * before the per-document output became the default; the default per-document output, and that
 * with Include tables, are timed in the same interleaved rounds and compared with it.
 */
import type { INodeExecutionData } from 'n8n-workflow';
import { request } from 'undici';

import { toDocumentItems } from '../../nodes/GreenNodeOcr/helpers/documents';
import { startEmulator, type Emulator } from '../emulator/server';
import { NO_OP_NODE_TYPE, runWorkflow } from '../runner';
import { authHeaders, credentialsFor, jpegItems, ocr, outputParameters, resultUrl, SHAPE_LABEL, type OutputShape } from './common';
import { gc, log, median, ms, now, percentile, timeInterleaved, times, type Row } from './stats';

const SINGLE_RUNS = 200;
const WARM_UP_RUNS = 30;
const BATCH_ITEMS = 100;
const BATCH_RUNS = 7;

export interface OverheadFigures {
	rows: Row[];
	notes: string[];
}

async function rawGet(url: string, headers: Record<string, string>): Promise<void> {
	const response = await request(url, { method: 'GET', headers });
	const body = (await response.body.json()) as { data?: { status?: string; tables?: unknown[] } };
	if (response.statusCode !== 200 || !(body.data?.status === 'COMPLETED' || Array.isArray(body.data?.tables))) {
		throw new Error(`raw request answered ${response.statusCode}`);
	}
}

/** Whether the node's output is the finished result in the shape asked for. */
function complete(shape: OutputShape, items: INodeExecutionData[]): boolean {
	const json = items[0]?.json;
	if (!json) return false;
	if (shape === 'raw') return json.status === 'COMPLETED';
	const document = typeof json.document_id === 'string' && json.empty !== true;
	return shape === 'tables' ? document && Array.isArray(json.tables) && json.tables.length > 0 : document;
}

const SHAPED: Array<Exclude<OutputShape, 'raw'>> = ['documents', 'tables'];

const CONVERSIONS = 2000;

/**
 * µs to turn one answer into its document items (one ID card), with both Normalize Values and
 * Validate Fields on (the default), with only one of them, and with neither; median of 3 batches.
 */
function conversionCost(data: unknown): Record<'both' | 'normalize' | 'validate' | 'neither', number> {
	const time = (normalize: boolean, validate: boolean) => {
		const batches: number[] = [];
		for (let batch = 0; batch < 3; batch++) {
			const started = now();
			for (let index = 0; index < CONVERSIONS; index++) toDocumentItems(data, { normalize, validate, reviewThreshold: 0 });
			batches.push(((now() - started) * 1000) / CONVERSIONS);
		}
		return median(batches);
	};
	time(true, true);
	return { both: time(true, true), normalize: time(true, false), validate: time(false, true), neither: time(false, false) };
}

async function submitOne(emulator: Emulator): Promise<string> {
	const result = await runWorkflow({
		nodes: [ocr({ operation: 'submit', docType: 'ID', waitForResult: false })],
		items: jpegItems(1),
		credentials: credentialsFor(emulator),
	});
	if (result.error) throw result.error;
	return result.items[0].json.request_id as string;
}

export async function benchOverhead(): Promise<OverheadFigures> {
	const emulator = await startEmulator({ pendingPolls: 0, emptyPolls: 0 });
	const credentials = credentialsFor(emulator);
	const headers = authHeaders(emulator);
	try {
		const requestId = await submitOne(emulator);
		const url = resultUrl(emulator, requestId);
		const tableUrl = `${emulator.apiUrl}/ocr/ingest/table/${encodeURIComponent(requestId)}/doc-1`;
		const nodeRun = (shape: OutputShape) => {
			const node = ocr({ operation: 'getResult', requestId, waitForResult: false, ...outputParameters(shape) });
			return async () => {
				const result = await runWorkflow({ nodes: [node], credentials });
				if (result.error) throw result.error;
				if (!complete(shape, result.items)) throw new Error(`Get Result (${shape}) did not return the result`);
			};
		};
		// What Include tables replaces: Get Result (one item per document), then a Get Table node (spreadsheet rows).
		const getTable = ocr({ operation: 'getTable', options: { outputMode: 'rows' } }, { name: 'Get Table' });
		const twoNodesRun = async () => {
			const result = await runWorkflow({ nodes: [ocr({ operation: 'getResult', requestId, waitForResult: false }), getTable], credentials });
			if (result.error) throw result.error;
			if (result.items.length === 0) throw new Error('Get Table returned no rows');
		};
		const engineRun = async () => {
			const result = await runWorkflow({ nodes: [{ type: NO_OP_NODE_TYPE, parameters: {} }] });
			if (result.error) throw result.error;
		};

		const raw = () => rawGet(url, headers);
		const rawTable = () => rawGet(tableUrl, headers);
		const singleTasks = [nodeRun('raw'), raw, engineRun, nodeRun('documents'), nodeRun('tables'), rawTable, twoNodesRun];
		// Warm-up, untimed.
		await timeInterleaved(WARM_UP_RUNS, singleTasks);
		gc();

		const [nodeMs, rawMs, engineMs, documentsMs, tablesMs, rawTableMs, twoNodesMs] = await timeInterleaved(SINGLE_RUNS, singleTasks);
		const twoNodesMedian = median(twoNodesMs);
		const nodeMedian = median(nodeMs);
		const rawMedian = median(rawMs);
		const engineMedian = median(engineMs);
		const rawTableMedian = median(rawTableMs);
		const singleShaped = { documents: median(documentsMs), tables: median(tablesMs) };
		log(
			`  one Get Result: node run median ${ms(nodeMedian)} (p90 ${ms(percentile(nodeMs, 90))}), ` +
				`raw undici median ${ms(rawMedian)} (p90 ${ms(percentile(rawMs, 90))}), ` +
				`engine alone (a workflow with one No Operation node) median ${ms(engineMedian)}`,
		);
		log(
			`  one Get Result, ${SHAPE_LABEL.documents}: median ${ms(singleShaped.documents)}; ${SHAPE_LABEL.tables}: median ${ms(singleShaped.tables)} ` +
				`(raw undici table request: median ${ms(rawTableMedian)})`,
		);

		// Per item: one run with 100 items against 100 raw requests one after the other.
		const items = Array.from({ length: BATCH_ITEMS }, () => ({ json: { requestId } }));
		const batchRun = (shape: OutputShape) => {
			const node = ocr({ operation: 'getResult', requestId: '={{ $json.requestId }}', waitForResult: false, ...outputParameters(shape) });
			return async () => {
				const result = await runWorkflow({ nodes: [node], items, credentials });
				if (result.error) throw result.error;
				if (result.items.length !== BATCH_ITEMS) throw new Error(`batch (${shape}) produced ${result.items.length} items`);
				if (!complete(shape, result.items)) throw new Error(`batch (${shape}) did not return the results`);
			};
		};
		const rawBatch = async () => {
			for (let index = 0; index < BATCH_ITEMS; index++) await raw();
		};
		const batchTwoNodes = async () => {
			const getResult = ocr({ operation: 'getResult', requestId: '={{ $json.requestId }}', waitForResult: false });
			const result = await runWorkflow({ nodes: [getResult, getTable], items, credentials });
			if (result.error) throw result.error;
			if (result.items.length < BATCH_ITEMS) throw new Error(`Get Table returned ${result.items.length} rows`);
		};
		const batchTasks = [batchRun('raw'), rawBatch, batchRun('documents'), batchRun('tables'), batchTwoNodes];
		await timeInterleaved(1, batchTasks);
		gc();
		const [batchNodeMs, batchRawMs, batchDocumentsMs, batchTablesMs, batchTwoNodesMs] = await timeInterleaved(BATCH_RUNS, batchTasks);
		const batchTwoNodesMedian = median(batchTwoNodesMs);
		const batchNodeMedian = median(batchNodeMs);
		const batchRawMedian = median(batchRawMs);
		const batchShaped = { documents: median(batchDocumentsMs), tables: median(batchTablesMs) };
		const perItem = (batchNodeMedian - batchRawMedian) / BATCH_ITEMS;
		log(
			`  ${BATCH_ITEMS} Get Results: node run median ${ms(batchNodeMedian)}, ${BATCH_ITEMS} raw requests median ${ms(batchRawMedian)}, ` +
				`${ms(perItem)} more per item; ${SHAPE_LABEL.documents}: median ${ms(batchShaped.documents)}; ${SHAPE_LABEL.tables}: median ${ms(batchShaped.tables)}`,
		);

		const rows: Row[] = [
			{
				figure: `Overhead: one Get Result, full workflow run, Output raw (median of ${SINGLE_RUNS}, warm)`,
				measured: ms(nodeMedian),
				baseline: `${ms(rawMedian)} (raw undici request)`,
				ratio: `${times(nodeMedian / rawMedian, 1)}; +${ms(nodeMedian - rawMedian)}`,
				goal: '+ < 3 ms per item',
				met: nodeMedian - rawMedian < 3,
			},
			{
				figure: `Overhead: ${BATCH_ITEMS} Get Results in one run, per item, Output raw (median of ${BATCH_RUNS})`,
				measured: ms(batchNodeMedian / BATCH_ITEMS),
				baseline: `${ms(batchRawMedian / BATCH_ITEMS)} (raw undici, ${BATCH_ITEMS} in a row)`,
				ratio: `${times(batchNodeMedian / batchRawMedian, 1)}; +${ms(perItem)}`,
				goal: '+ < 3 ms per item',
				met: perItem < 3,
			},
		];
		for (const shape of SHAPED) {
			const extra = shape === 'tables' ? `; Include tables adds a request, which takes ${ms(rawTableMedian)} raw` : '';
			const single = singleShaped[shape];
			rows.push({
				figure: `Overhead: one Get Result, ${SHAPE_LABEL[shape]} (median of ${SINGLE_RUNS}, interleaved)`,
				measured: ms(single),
				baseline: `${ms(nodeMedian)} (the same with Output raw${extra})`,
				ratio: `${times(single / nodeMedian)}; +${ms(single - nodeMedian)}`,
				goal: '≤ 1.10×',
				met: single / nodeMedian <= 1.1,
			});
		}
		for (const shape of SHAPED) {
			const batch = batchShaped[shape];
			rows.push({
				figure: `Overhead: ${BATCH_ITEMS} Get Results in one run, per item, ${SHAPE_LABEL[shape]} (median of ${BATCH_RUNS}, interleaved)`,
				measured: ms(batch / BATCH_ITEMS),
				baseline: `${ms(batchNodeMedian / BATCH_ITEMS)} (the same with Output raw${shape === 'tables' ? '; one request per item, against two' : ''})`,
				ratio: `${times(batch / batchNodeMedian)}; +${ms((batch - batchNodeMedian) / BATCH_ITEMS)}`,
				goal: '≤ 1.10×',
				met: batch / batchNodeMedian <= 1.1,
			});
		}
		const answer = await runWorkflow({ nodes: [ocr({ operation: 'getResult', requestId, waitForResult: false, ...outputParameters('raw') })], credentials });
		if (answer.error || !answer.items[0]) throw answer.error ?? new Error('Get Result returned nothing');
		const conversion = conversionCost(answer.items[0].json);
		log(
			`  one ID card to its document item: ${conversion.both.toFixed(0)} µs (Normalize Values only ${conversion.normalize.toFixed(0)} µs, ` +
				`Validate Fields only ${conversion.validate.toFixed(0)} µs, neither ${conversion.neither.toFixed(0)} µs)`,
		);
		const notes = [
			`A workflow run with a single No Operation node takes ${ms(engineMedian)} (median) on this machine: that part of the ` +
				`one-item figure is n8n's engine (building the workflow, running the start node, hooks), not this node. ` +
				`Without it the node adds ${ms(nodeMedian - rawMedian - engineMedian)} to one request.`,
			`Output documents turns the answer into one item per document (normalised values, checks): ` +
				`+${ms(singleShaped.documents - nodeMedian)} on one Get Result, +${ms((batchShaped.documents - batchNodeMedian) / BATCH_ITEMS)} per item of 100. ` +
				`Converting the ID card of this answer alone (${CONVERSIONS} times in a loop) takes ${conversion.both.toFixed(0)} µs: ` +
				`${conversion.validate.toFixed(0)} µs with Validate Fields only, ${conversion.normalize.toFixed(0)} µs with Normalize Values only, ` +
				`${conversion.neither.toFixed(0)} µs with neither. ` +
				`Include tables also fetches each document's table, a second request: +${ms(singleShaped.tables - nodeMedian)} on one Get Result ` +
				`(the same table request made with raw undici takes ${ms(rawTableMedian)}), +${ms((batchShaped.tables - batchNodeMedian) / BATCH_ITEMS)} per item of 100.`,
			`What Include tables replaces, a Get Result node (one item per document) followed by a Get Table node (spreadsheet rows), ` +
				`takes ${ms(twoNodesMedian)} for one request (Include tables: ${ms(singleShaped.tables)}, ${times(singleShaped.tables / twoNodesMedian)}) ` +
				`and ${ms(batchTwoNodesMedian / BATCH_ITEMS)} per item of 100 (Include tables: ${ms(batchShaped.tables / BATCH_ITEMS)}, ` +
				`${times(batchShaped.tables / batchTwoNodesMedian)}).`,
		];
		return { rows, notes };
	} finally {
		await emulator.close();
	}
}
