/**
 * Figure 2: what the node adds to a request. A Get Result (Wait for Result off) through the node,
 * as a full in-process workflow run, against a raw undici `request()` to the same URL with the
 * same headers; then per item, with 100 items in one run against 100 raw requests.
 */
import { request } from 'undici';

import { startEmulator, type Emulator } from '../emulator/server';
import { NO_OP_NODE_TYPE, runWorkflow } from '../runner';
import { authHeaders, credentialsFor, jpegItems, ocr, RAW, resultUrl } from './common';
import { gc, log, median, ms, percentile, timeInterleaved, times, type Row } from './stats';

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
	const body = (await response.body.json()) as { data?: { status?: string } };
	if (response.statusCode !== 200 || body.data?.status !== 'COMPLETED') {
		throw new Error(`raw request answered ${response.statusCode}`);
	}
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
		const node = ocr({ operation: 'getResult', requestId, waitForResult: false, ...RAW });
		const nodeRun = async () => {
			const result = await runWorkflow({ nodes: [node], credentials });
			if (result.error) throw result.error;
			if (result.items[0]?.json.status !== 'COMPLETED') throw new Error('Get Result did not return the result');
		};
		const engineRun = async () => {
			const result = await runWorkflow({ nodes: [{ type: NO_OP_NODE_TYPE, parameters: {} }] });
			if (result.error) throw result.error;
		};

		const raw = () => rawGet(url, headers);
		// Warm-up, untimed.
		await timeInterleaved(WARM_UP_RUNS, [nodeRun, raw, engineRun]);
		gc();

		const [nodeMs, rawMs, engineMs] = await timeInterleaved(SINGLE_RUNS, [nodeRun, raw, engineRun]);
		const nodeMedian = median(nodeMs);
		const rawMedian = median(rawMs);
		const engineMedian = median(engineMs);
		log(
			`  one Get Result: node run median ${ms(nodeMedian)} (p90 ${ms(percentile(nodeMs, 90))}), ` +
				`raw undici median ${ms(rawMedian)} (p90 ${ms(percentile(rawMs, 90))}), ` +
				`engine alone (a workflow with one No Operation node) median ${ms(engineMedian)}`,
		);

		// Per item: one run with 100 items against 100 raw requests one after the other
		// (Get Result with Wait for Result off fetches its items one after the other too).
		const items = Array.from({ length: BATCH_ITEMS }, () => ({ json: { requestId } }));
		const batchNode = ocr({ operation: 'getResult', requestId: '={{ $json.requestId }}', waitForResult: false, ...RAW });
		const batchRun = async () => {
			const result = await runWorkflow({ nodes: [batchNode], items, credentials });
			if (result.error) throw result.error;
			if (result.items.length !== BATCH_ITEMS) throw new Error(`batch produced ${result.items.length} items`);
		};
		const rawBatch = async () => {
			for (let index = 0; index < BATCH_ITEMS; index++) await raw();
		};
		await timeInterleaved(1, [batchRun, rawBatch]);
		gc();
		const [batchNodeMs, batchRawMs] = await timeInterleaved(BATCH_RUNS, [batchRun, rawBatch]);
		const batchNodeMedian = median(batchNodeMs);
		const batchRawMedian = median(batchRawMs);
		const perItem = (batchNodeMedian - batchRawMedian) / BATCH_ITEMS;
		log(
			`  ${BATCH_ITEMS} Get Results: node run median ${ms(batchNodeMedian)}, ${BATCH_ITEMS} raw requests median ${ms(batchRawMedian)}, ` +
				`${ms(perItem)} more per item`,
		);

		const rows: Row[] = [
			{
				figure: `Overhead: one Get Result, full workflow run (median of ${SINGLE_RUNS}, warm)`,
				measured: ms(nodeMedian),
				baseline: `${ms(rawMedian)} (raw undici request)`,
				ratio: `${times(nodeMedian / rawMedian, 1)}; +${ms(nodeMedian - rawMedian)}`,
				goal: '+ < 3 ms per item',
				met: nodeMedian - rawMedian < 3,
			},
			{
				figure: `Overhead: ${BATCH_ITEMS} Get Results in one run, per item (median of ${BATCH_RUNS})`,
				measured: ms(batchNodeMedian / BATCH_ITEMS),
				baseline: `${ms(batchRawMedian / BATCH_ITEMS)} (raw undici, ${BATCH_ITEMS} in a row)`,
				ratio: `${times(batchNodeMedian / batchRawMedian, 1)}; +${ms(perItem)}`,
				goal: '+ < 3 ms per item',
				met: perItem < 3,
			},
		];
		const notes = [
			`A workflow run with a single No Operation node takes ${ms(engineMedian)} (median) on this machine: that part of the ` +
				`one-item figure is n8n's engine (building the workflow, running the start node, hooks), not this node. ` +
				`Without it the node adds ${ms(nodeMedian - rawMedian - engineMedian)} to one request.`,
		];
		return { rows, notes };
	} finally {
		await emulator.close();
	}
}
