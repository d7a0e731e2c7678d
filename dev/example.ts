/**
 * Runs an example workflow in-process with n8n's own engine:
 *
 *     Start (a sample invoice PDF) → GreenNode OCR: Submit Document, wait for the result
 *                                  → GreenNode OCR: Get Table, as spreadsheet rows
 *
 * against the bundled GreenNode emulator (no API key needed), prints what the node produced and
 * saves it to .output/example-result.json.
 *
 * Options:
 *   --file <path>       OCR this PDF or image instead of the built-in sample
 *   --doc-type <type>   doc_type to send (default INVOICE on the emulator, ID on the real API)
 * Set GREENNODE_API_KEY, GREENNODE_PORTAL_USER_ID (and optionally GREENNODE_BASE_URL) to run the
 * same workflow against the real GreenNode API instead of the emulator.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { basename, join, resolve } from 'path';

import { startEmulator, type Emulator } from './emulator/server';
import { disposeRunner, runWorkflow, type RunNodeSpec } from './runner';
import { samplePdf } from './samples';

function argument(name: string): string | undefined {
	const index = process.argv.indexOf(name);
	return index >= 0 ? process.argv[index + 1] : undefined;
}

function mimeOf(path: string): string {
	if (/\.pdf$/i.test(path)) return 'application/pdf';
	if (/\.png$/i.test(path)) return 'image/png';
	return 'image/jpeg';
}

/** The part of a result document printed here, as GreenNode sends it. */
interface ResultDocument {
	document_id?: string;
	ocr_data?: Array<{ value?: Array<{ name: string; extracted_value?: unknown; extracted_prob?: unknown }> }>;
}

function fieldsOf(result: Record<string, unknown>): Array<[string, string, string]> {
	const rows: Array<[string, string, string]> = [];
	for (const document of (result.documents as ResultDocument[] | undefined) ?? []) {
		for (const group of document.ocr_data ?? []) {
			for (const field of group.value ?? []) {
				rows.push([`${document.document_id ?? ''} ${field.name}`, String(field.extracted_value ?? ''), String(field.extracted_prob ?? '')]);
			}
		}
	}
	return rows;
}

async function main(): Promise<void> {
	const file = argument('--file');
	const realKey = process.env.GREENNODE_API_KEY;
	let emulator: Emulator | undefined;
	let credentials: Record<string, string>;
	if (realKey) {
		credentials = {
			apiKey: realKey,
			portalUserId: process.env.GREENNODE_PORTAL_USER_ID ?? '',
			baseUrl: process.env.GREENNODE_BASE_URL ?? 'https://maas-llm-aiplatform-hcm.api.vngcloud.vn',
		};
		console.log('Using the GreenNode API at', credentials.baseUrl);
	} else {
		emulator = await startEmulator({ pendingPolls: 1, emptyPolls: 1 });
		credentials = { apiKey: emulator.apiKey, portalUserId: emulator.portalUserId, baseUrl: emulator.url };
		console.log(`Using the bundled GreenNode emulator at ${emulator.url} (no API key needed)`);
	}

	const docType = argument('--doc-type') ?? (realKey ? 'ID' : 'INVOICE');
	const data = file ? readFileSync(resolve(file)) : samplePdf();
	const fileName = file ? basename(file) : 'sample-scan.pdf';
	const nodes: RunNodeSpec[] = [
		{
			name: 'Submit and wait',
			type: 'greenNodeOcr',
			parameters: { operation: 'submit', docType, waitForResult: true, options: { pollInterval: 1, timeout: 120 } },
		},
		{
			name: 'Table rows',
			type: 'greenNodeOcr',
			parameters: {
				operation: 'getTable',
				requestId: '={{ $json.request_id }}',
				documentId: '={{ $json.documents[0].document_id }}',
				options: { outputMode: 'rows' },
			},
			onError: 'continueRegularOutput',
		},
	];
	const started = Date.now();
	const result = await runWorkflow({
		nodes,
		items: [{ json: { source: fileName }, binary: { data: { data, fileName, mimeType: file ? mimeOf(file) : 'application/pdf' } } }],
		credentials: { greenNodeOcrApi: credentials },
	});
	const elapsed = Date.now() - started;

	const outputDir = resolve('.output');
	mkdirSync(outputDir, { recursive: true });
	const outputs = Object.fromEntries(
		Object.entries(result.outputs).map(([name, outputsOfNode]) => [name, outputsOfNode.map((items) => items.map((item) => item.json))]),
	);
	const saved = join(outputDir, 'example-result.json');
	writeFileSync(saved, JSON.stringify({ error: result.error?.message, outputs }, null, 2));

	if (result.error) {
		console.error(`\nThe workflow failed: ${result.error.message}`);
		const description = (result.error as { description?: string }).description;
		if (description) console.error(description);
		process.exitCode = 1;
	} else {
		const ocr = result.outputs['Submit and wait'][0][0].json;
		console.log(`\nSubmit and wait → 1 item in ${(elapsed / 1000).toFixed(1)} s: request_id ${ocr.request_id}, status ${ocr.status}`);
		console.table(fieldsOf(ocr).map(([field, value, confidence]) => ({ field, value, confidence })));
		const rows = result.outputs['Table rows']?.[0] ?? [];
		console.log(`\nTable rows → ${rows.length} items, one per table row (ready for Google Sheets, Excel or Convert to File):`);
		if (rows.length > 0) console.table(rows.map((item) => item.json));
	}
	console.log(`\nEvery node's output is saved in ${saved}`);
	await emulator?.close();
	disposeRunner();
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
