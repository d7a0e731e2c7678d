/**
 * CPU per request, side by side with what a user would build by hand: the same GET of a finished
 * result made by n8n's own HTTP Request node (its latest version, headers set by hand) in the same engine, by our
 * node (Get Result, Wait for Result off, Output raw and the default documents), and by undici alone.
 * Each run has ITEMS items; CPU is this process's user + system time over the run, divided by the
 * requests. The HTTP Request node comes from the n8n install of the end-to-end suite (.cache/e2e),
 * the only copy of n8n's own nodes the package has; without it the section says so.
 */
import { existsSync } from 'fs';
import { resolve } from 'path';
import type { INodeType } from 'n8n-workflow';
import { request } from 'undici';

import { PAGE_JPEG } from '../emulator/images';
import { startEmulator } from '../emulator/server';
import { registerNodeType, runWorkflow } from '../runner';
import { authHeaders, credentialsFor, ocr, outputParameters, resultUrl, type OutputShape } from './common';
import { gc, log, median, ms, type Row } from './stats';

const ITEMS = 200;
const RUNS = 9;
const HTTP_REQUEST_TYPE = 'n8n-nodes-base.httpRequest';
const N8N_NODES = resolve(__dirname, '..', '..', '..', '.cache', 'e2e', 'n8n-2.41.1', 'node_modules', 'n8n-nodes-base', 'dist', 'nodes', 'HttpRequest', 'HttpRequest.node.js');

function loadHttpRequestNode(): boolean {
	if (!existsSync(N8N_NODES)) return false;
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { HttpRequest } = require(N8N_NODES) as { HttpRequest: new () => INodeType };
	registerNodeType(HTTP_REQUEST_TYPE, new HttpRequest());
	return true;
}

async function measure(work: () => Promise<number>): Promise<{ cpuMs: number; wallMs: number; requests: number }> {
	gc();
	const cpu = process.cpuUsage();
	const started = performance.now();
	const requests = await work();
	const wallMs = performance.now() - started;
	const used = process.cpuUsage(cpu);
	return { cpuMs: (used.user + used.system) / 1000, wallMs, requests };
}

export async function benchAnchor(): Promise<{ rows: Row[]; notes: string[] }> {
	if (!loadHttpRequestNode()) {
		const why = `n8n's HTTP Request node was not found at ${N8N_NODES.replace(`${resolve(__dirname, '..', '..', '..')}/`, '')}: run \`npm run test:e2e\` once (it installs n8n 2.41.1 there), then the bench again.`;
		log(`  skipped: ${why}`);
		return { rows: [], notes: [why] };
	}
	const emulator = await startEmulator({ pendingPolls: 0, emptyPolls: 0 });
	try {
		const credentials = credentialsFor(emulator);
		const submitted = await runWorkflow({ nodes: [ocr({ operation: 'submit', docType: 'ID', waitForResult: false })], items: [{ binary: { data: { data: PAGE_JPEG, fileName: 'card.jpg', mimeType: 'image/jpeg' } } }], credentials });
		const requestId = submitted.items[0]?.json.request_id as string;
		if (!requestId) throw new Error('the submit for the anchor bench failed');
		const url = resultUrl(emulator, requestId);
		const headers = authHeaders(emulator);
		const items = Array.from({ length: ITEMS }, () => ({ json: { requestId, url } }));

		const ours = (shape: OutputShape) => async () => {
			// Concurrency 50 (the most): the HTTP Request node sends all its items at once.
			const parameters = outputParameters(shape, { concurrency: 50 });
			const node = ocr({ operation: 'getResult', requestId: '={{ $json.requestId }}', waitForResult: false, ...parameters });
			const result = await runWorkflow({ nodes: [node], items, credentials });
			if (result.error || result.items.length < ITEMS) throw new Error(`our node (${shape}) failed: ${result.error?.message ?? result.items.length}`);
			return ITEMS;
		};
		const httpRequestNode = async () => {
			const node = {
				type: HTTP_REQUEST_TYPE,
				name: 'HTTP Request',
				parameters: {
					url: '={{ $json.url }}',
					sendHeaders: true,
					headerParameters: { parameters: Object.entries(headers).map(([name, value]) => ({ name, value })) },
					options: {},
				},
			};
			const result = await runWorkflow({ nodes: [node], items });
			if (result.error || result.items.length !== ITEMS || (result.items[0].json.data as { status?: string })?.status !== 'COMPLETED') {
				throw new Error(`the HTTP Request node failed: ${result.error?.message ?? JSON.stringify(result.items[0]?.json).slice(0, 200)}`);
			}
			return ITEMS;
		};
		const undici = async () => {
			for (let index = 0; index < ITEMS; index++) {
				const response = await request(url, { method: 'GET', headers });
				await response.body.json();
			}
			return ITEMS;
		};
		const tasks = { ours: ours('raw'), oursDocuments: ours('documents'), httpRequest: httpRequestNode, undici };
		const results: Record<keyof typeof tasks, Array<{ cpuMs: number; wallMs: number; requests: number }>> = { ours: [], oursDocuments: [], httpRequest: [], undici: [] };
		for (const task of Object.values(tasks)) await task(); // warm-up
		for (let run = 0; run < RUNS; run++) {
			for (const [name, task] of Object.entries(tasks) as Array<[keyof typeof tasks, () => Promise<number>]>) results[name].push(await measure(task));
		}
		const per = (name: keyof typeof tasks, key: 'cpuMs' | 'wallMs') => median(results[name].map((entry) => entry[key] / entry.requests));
		const figures = Object.fromEntries((Object.keys(tasks) as Array<keyof typeof tasks>).map((name) => [name, { cpu: per(name, 'cpuMs'), wall: per(name, 'wallMs') }])) as Record<keyof typeof tasks, { cpu: number; wall: number }>;
		log(
			`  CPU per request (median of ${RUNS} runs of ${ITEMS} items): our node ${ms(figures.ours.cpu)} (documents ${ms(figures.oursDocuments.cpu)}), ` +
				`n8n's HTTP Request node ${ms(figures.httpRequest.cpu)}, undici alone ${ms(figures.undici.cpu)}; ` +
				`time per request: ${ms(figures.ours.wall)} / ${ms(figures.oursDocuments.wall)} / ${ms(figures.httpRequest.wall)} / ${ms(figures.undici.wall)}`,
		);
		const rows: Row[] = [
			{
				figure: `CPU per request: ${ITEMS} Get Results in one run, our node, Output raw (median of ${RUNS})`,
				measured: ms(figures.ours.cpu),
				baseline: `${ms(figures.httpRequest.cpu)} (n8n's HTTP Request node, the same GET, same engine)`,
				ratio: `${(figures.ours.cpu / figures.httpRequest.cpu).toFixed(2)}×`,
				goal: '≤ 1.0× the HTTP Request node',
				met: figures.ours.cpu <= figures.httpRequest.cpu,
			},
			{
				figure: `CPU per request: the same, Output one item per document (the default)`,
				measured: ms(figures.oursDocuments.cpu),
				baseline: `${ms(figures.httpRequest.cpu)} (n8n's HTTP Request node)`,
				ratio: `${(figures.oursDocuments.cpu / figures.httpRequest.cpu).toFixed(2)}×`,
				goal: 'reported',
			},
			{
				figure: `Time per request in a run of ${ITEMS}: our node (Concurrency 50), Output raw`,
				measured: ms(figures.ours.wall),
				baseline: `${ms(figures.httpRequest.wall)} (HTTP Request node, all ${ITEMS} at once)`,
				ratio: `${(figures.ours.wall / figures.httpRequest.wall).toFixed(2)}×`,
				goal: 'reported',
			},
			{
				figure: 'CPU per request: undici alone, one after another (the floor)',
				measured: ms(figures.undici.cpu),
				baseline: `${ms(figures.httpRequest.cpu)} (HTTP Request node)`,
				ratio: `${(figures.undici.cpu / figures.httpRequest.cpu).toFixed(2)}×`,
				goal: 'reported',
			},
		];
		return {
			rows,
			notes: [
				`CPU per request is this process's user + system CPU time over a run of ${ITEMS} items, divided by ${ITEMS}, median of ${RUNS} interleaved runs. The HTTP Request node is n8n-nodes-base 2.41.1's, with the two headers set by hand, as a user would build the call without this package; both run in the same in-process engine (n8n-core's WorkflowExecute) against the same emulator.`,
				'The emulator runs in the same process, so each figure includes the server\'s share, the same for every client. Every request through n8n\'s helpers opens a new connection: n8n 2.41.1 builds a new HTTP agent for each request (@n8n/backend-network: convertN8nRequestToAxios copies no agent, setAxiosAgents → buildNodeAgents makes a new one), without keep-alive, and a node cannot pass its own; agentOptions.keepAlive only parks each socket in that one-use agent. So neither node can reuse a connection; undici alone does.',
			],
		};
	} finally {
		await emulator.close();
	}
}
