/**
 * Runs an example workflow in-process with n8n's own engine:
 *
 *     Start (three sample invoices) → GreenNode OCR: Submit Document (one item per document; a blurry
 *                                   scan and an invoice whose VAT does not add up go to the Needs
 *                                   Review output)
 *                                 → GreenNode OCR: Get Table, as spreadsheet rows
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

/** A document item of the node's default output, as far as it is printed here. */
interface DocumentItem {
	document_id?: string;
	document_type?: string;
	fields?: Record<string, unknown>;
	original?: Record<string, string>;
	confidence?: Record<string, number>;
	validation?: Record<string, { valid: boolean; check: string; reason: string }>;
	checks?: Array<{ code: string; valid: boolean }>;
	review_reasons?: string[];
}

function fieldRows(document: DocumentItem) {
	return Object.entries(document.fields ?? {}).map(([field, value]) => {
		const check = document.validation?.[field];
		return {
			field,
			value: typeof value === 'number' ? value : String(value).slice(0, 40),
			read: document.original?.[field] ?? '',
			confidence: document.confidence?.[field] ?? '',
			check: check ? `${check.valid ? 'ok' : 'FAILED'} ${check.check}` : '',
		};
	});
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
	const files = file
		? [{ data: readFileSync(resolve(file)), fileName: basename(file), mimeType: mimeOf(file) }]
		: [
				{ data: samplePdf(), fileName: 'sample-invoice.twopage.pdf', mimeType: 'application/pdf' },
				{ data: samplePdf('BLURRY'), fileName: 'sample-invoice-blurry.pdf', mimeType: 'application/pdf' },
				{ data: samplePdf('VAT 8%'), fileName: 'sample-invoice-badvat.twopage.pdf', mimeType: 'application/pdf' },
			];
	// Submit with the defaults (wait, one item per document, values normalised and checked), documents
	// with a field under 80 % confidence or a failed check to the second output; then the tables of
	// every document as rows, with no IDs typed.
	const nodes: RunNodeSpec[] = [
		{
			name: 'Submit and wait',
			type: 'greenNodeOcr',
			parameters: { operation: 'submit', docType, options: { pollInterval: 1, timeout: 120, reviewThreshold: 0.8 } },
		},
		{ name: 'Table rows', type: 'greenNodeOcr', parameters: { operation: 'getTable', options: { outputMode: 'rows' } }, onError: 'continueRegularOutput' },
	];
	const started = Date.now();
	const result = await runWorkflow({
		nodes,
		items: files.map(({ data, fileName, mimeType }) => ({ json: { source: fileName }, binary: { data: { data, fileName, mimeType } } })),
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
		const [documents = [], review = []] = result.outputs['Submit and wait'] ?? [];
		console.log(`\nSubmit and wait → ${documents.length + review.length} documents in ${(elapsed / 1000).toFixed(1)} s, one item each`);
		for (const [label, items] of [['Documents', documents], ['Needs Review', review]] as const) {
			for (const item of items) {
				const document = item.json as DocumentItem;
				console.log(`\n${label}: ${document.document_id} (${document.document_type}) from ${files[(item.pairedItem as { item: number }).item].fileName}`);
				for (const reason of document.review_reasons ?? []) console.log(`  needs review: ${reason}`);
				if (document.checks) console.log(`  checks: ${document.checks.map((check) => `${check.code} ${check.valid ? 'ok' : 'FAILED'}`).join(', ')}`);
				console.table(fieldRows(document).slice(0, 8));
			}
		}
		const rows = result.outputs['Table rows']?.[0] ?? [];
		console.log(`\nTable rows → ${rows.length} items, one per table row, numbers as numbers (ready for Google Sheets, Excel or Convert to File):`);
		if (rows.length > 0) console.table(rows.slice(0, 8).map((item) => item.json));
	}
	console.log(`\nEvery node's output is saved in ${saved}`);
	await emulator?.close();
	disposeRunner();
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
