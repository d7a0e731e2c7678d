// The example workflows in the e2e suite: examples/*.json imported with n8n's CLI (with the
// emulator credential), and the manual ones run with `n8n execute`, their outputs and files checked.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { expect } from './checks.mjs';
import { checkImage, parseCsv } from './files.mjs';
import { waitForUpload } from './server-checks.mjs';
import {
	CREDENTIAL_ID,
	CREDENTIAL_NAME,
	executeWorkflow,
	importEmulatorCredential,
	importExamples,
	n8nCli,
	NODE_TYPE,
	nodeError,
	nodeOutput,
	ROOT,
} from './n8n.mjs';

/** The workflow ids of the examples the suite runs. */
export const EXAMPLE_IDS = {
	table: 'GnOcrExTableCsv1',
	images: 'GnOcrExImages001',
	batch: 'GnOcrExBatchErr1',
	webhook: 'GnOcrExWebhook01',
	email: 'GnOcrExEmailSheet1',
	review: 'GnOcrExEmailReview',
};

function failedExecution(result) {
	const error = result.run?.data?.resultData?.error;
	if (error) return `the execution failed: ${error.message}${error.description ? ` (${error.description})` : ''}`;
	if (!result.run) {
		const why = result.errors.length ? result.errors.join(' | ') : result.output.split('\n').slice(-12).join('\n');
		return `n8n execute exited with ${result.code} without running it: ${why} (log: ${result.logFile.replace(`${ROOT}/`, '')})`;
	}
	return `n8n execute exited with ${result.code} (log: ${result.logFile})`;
}

/** Imports the emulator credential and every example into n8n; checks their nodes and that n8n lists them. */
export async function checkExampleImport(checks, { runtime, env, dirs, emulator, commandsLog }) {
	return await checks.run('examples: credential and every examples/*.json import into n8n', async () => {
		await importEmulatorCredential(runtime, env, dirs.imports, emulator, commandsLog);
		const examples = await importExamples(runtime, env, dirs.imports, dirs.files, commandsLog);
		const problems = [];
		for (const [file, workflow] of Object.entries(examples)) {
			for (const node of workflow.nodes.filter((n) => n.type.endsWith('.greenNodeOcr'))) {
				if (node.type !== NODE_TYPE || node.typeVersion !== 1) problems.push(`${file} "${node.name}": type ${node.type} v${node.typeVersion}`);
				const credential = node.credentials?.greenNodeOcrApi;
				if (credential?.id !== CREDENTIAL_ID || credential?.name !== CREDENTIAL_NAME) problems.push(`${file} "${node.name}": credential ${JSON.stringify(credential)}`);
			}
		}
		expect(problems.length === 0, problems.join('; '));
		// list:workflow prints through n8n's logger: send it to the console for this command.
		const listed = await n8nCli(runtime, { ...env, N8N_LOG_OUTPUT: 'console' }, ['list:workflow'], { logFile: commandsLog });
		const missing = Object.values(EXAMPLE_IDS).filter((id) => !`${listed.stdout}${listed.stderr}`.includes(`${id}|`));
		expect(missing.length === 0, `n8n does not list ${missing.join(', ')} after the import`);
		return { detail: `${Object.keys(examples).length} workflows: ${Object.keys(examples).join(', ')}` };
	});
}

/** Runs the four manual examples with `n8n execute` and checks what they output and write. */
export async function checkExampleExecutions(checks, { runtime, env, dirs, emulatorLog }) {
	// (a) invoice table → CSV
	const table = await executeWorkflow(runtime, env, EXAMPLE_IDS.table, dirs.logs);
	await checks.run('execute invoice-table-to-csv: Submit (wait) → Get Table rows → CSV file', async () => {
		expect(table.ok, failedExecution(table));
		const documents = nodeOutput(table.run, 'Submit and wait') ?? [];
		expect(documents.length === 2, `Submit and wait output ${documents.length} items, one per document expected (2)`);
		for (const document of documents) {
			expect(typeof document.request_id === 'string' && typeof document.document_id === 'string', `a document item lacks request_id or document_id: ${JSON.stringify(document).slice(0, 200)}`);
			expect(document.fields && Object.keys(document.fields).length > 0, `document ${document.document_id} has no fields`);
		}
		const invoice = readFileSync(join(dirs.files, 'invoice.pdf'));
		const received = await waitForUpload(emulatorLog, 'invoice.pdf');
		const sha256 = createHash('sha256').update(invoice).digest('hex');
		expect(received.size === invoice.length && received.sha256 === sha256, `the emulator received ${received.size} bytes, sha256 ${received.sha256}; the file has ${invoice.length}, ${sha256}`);
		const rows = nodeOutput(table.run, 'Get tables as rows') ?? [];
		expect(rows.length > 0, 'Get tables as rows output no item');
		const file = join(dirs.files, 'invoice-tables.csv');
		expect(existsSync(file), 'invoice-tables.csv was not written');
		const csv = parseCsv(readFileSync(file, 'utf8')).filter((line) => line.some((cell) => cell !== ''));
		const [header, ...lines] = csv;
		const keys = [...new Set(rows.flatMap((row) => Object.keys(row)))];
		expect(JSON.stringify(header) === JSON.stringify(keys), `CSV header ${JSON.stringify(header)}, rows have keys ${JSON.stringify(keys)}`);
		for (const key of ['table', 'page', 'row', 'STT', 'Tên hàng', 'Số lượng', 'Đơn giá']) expect(header.includes(key), `CSV header lacks "${key}"`);
		expect(lines.length === rows.length, `CSV has ${lines.length} data lines for ${rows.length} table rows`);
		rows.forEach((row, index) => {
			const line = lines[index];
			for (const [key, value] of Object.entries(row)) {
				const cell = line[header.indexOf(key)];
				expect(cell === String(value), `CSV line ${index + 2}, column "${key}": "${cell}", the row has "${value}"`);
			}
		});
		expect(rows.some((row) => typeof row['Đơn giá'] === 'number'), 'the unit prices are not numbers');
		return { detail: `${lines.length} rows from ${documents.length} documents, header: ${header.join(',')}, upload sha256 ${sha256.slice(0, 12)}… (${table.seconds.toFixed(1)} s)` };
	});

	// (d) email invoices → sheet rows, doubtful reads → review
	const email = await executeWorkflow(runtime, env, EXAMPLE_IDS.email, dirs.logs);
	await checks.run('execute email-invoice-to-sheet: documents → CSV rows, low confidence → Needs Review → review.json', async () => {
		expect(email.ok, failedExecution(email));
		const good = nodeOutput(email.run, 'OCR each document', 0) ?? [];
		const doubtful = nodeOutput(email.run, 'OCR each document', 1) ?? [];
		expect(good.length > 0 && good.every((document) => document.needs_review === false), `Documents output: ${JSON.stringify(good.map((d) => d.document_id))}`);
		expect(doubtful.length > 0 && doubtful.every((document) => document.needs_review === true && document.review_reasons.length > 0), `Needs Review output: ${JSON.stringify(doubtful).slice(0, 200)}`);
		const csv = parseCsv(readFileSync(join(dirs.files, 'sheet.csv'), 'utf8')).filter((line) => line.some((cell) => cell !== ''));
		expect(csv.length === good.length + 1, `sheet.csv has ${csv.length - 1} rows for ${good.length} documents`);
		expect(csv[0].includes('invoice.total_amount'), `sheet.csv header: ${csv[0].join(',')}`);
		const review = JSON.parse(readFileSync(join(dirs.files, 'review.json'), 'utf8'));
		expect(Array.isArray(review) && review.length === doubtful.length && /confidence of /.test(review[0].message), `review.json: ${JSON.stringify(review).slice(0, 200)}`);
		return { detail: `${good.length} rows to the sheet, ${doubtful.length} to review: ${review[0].message.slice(0, 80)}… (${email.seconds.toFixed(1)} s)` };
	});

	// (b) result images
	const images = await executeWorkflow(runtime, env, EXAMPLE_IDS.images, dirs.logs);
	await checks.run('execute result-images: Get Result Image / Get Signature / Get Stamp → image files', async () => {
		expect(images.ok, failedExecution(images));
		const found = [];
		for (const [node, format] of [
			['Get page image', 'jpeg'],
			['Get signature image', 'png'],
			['Get stamp image', 'png'],
		]) {
			const output = nodeOutput(images.run, node)?.[0];
			expect(output?.fileName, `${node} output no fileName (${JSON.stringify(output)?.slice(0, 200)})`);
			const path = join(dirs.files, output.fileName);
			expect(existsSync(path), `${output.fileName} was not written`);
			const bytes = readFileSync(path);
			const info = checkImage(bytes);
			expect(info.format === format, `${output.fileName} is ${info.format}, expected ${format}`);
			expect(output.mimeType === `image/${info.format}`, `${node} says ${output.mimeType} for a ${info.format} file`);
			found.push(`${output.fileName.replace(/^.*-(?=[^-]+$)/, '…-')} ${info.format} ${info.width}x${info.height}`);
		}
		const signatures = nodeOutput(images.run, 'Get signatures')?.[0]?.signatures;
		const stamps = nodeOutput(images.run, 'Get stamps')?.[0]?.stamps;
		expect(Array.isArray(signatures) && signatures.length > 0, 'Get signatures output no signatures[]');
		expect(Array.isArray(stamps) && stamps.length > 0, 'Get stamps output no stamps[]');
		return { detail: `${found.join('; ')} (${images.seconds.toFixed(1)} s)` };
	});

	// (c) error output
	const batch = await executeWorkflow(runtime, env, EXAMPLE_IDS.batch, dirs.logs);
	await checks.run('execute batch-with-error-output: a failing file goes to the error output, the batch goes on', async () => {
		expect(batch.ok, failedExecution(batch));
		expect(!nodeError(batch.run, 'Submit and wait'), 'Submit and wait stopped the workflow');
		const resultsFile = join(dirs.files, 'ocr-results.json');
		const errorsFile = join(dirs.files, 'ocr-errors.json');
		expect(existsSync(resultsFile) && existsSync(errorsFile), 'ocr-results.json or ocr-errors.json was not written');
		const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
		const errors = JSON.parse(readFileSync(errorsFile, 'utf8'));
		expect(results.length === 1 && results[0].file === 'invoice-0001.pdf' && results[0].status === 'COMPLETED', `ocr-results.json: ${JSON.stringify(results).slice(0, 300)}`);
		expect(results[0].documents?.length > 0, 'the result has no documents');
		expect(errors.length === 1 && errors[0].file === 'scan-fail-0002.pdf', `ocr-errors.json: ${JSON.stringify(errors).slice(0, 300)}`);
		expect(/FAILED/.test(errors[0].error) && /request_id/.test(errors[0].error), `the error does not say the job FAILED with its request_id: ${errors[0].error}`);
		expect(typeof errors[0].details === 'string' && errors[0].details.length > 0, 'the error has no details');
		expect(!/gn-emulator-key|Bearer/.test(JSON.stringify(errors)), 'the error output shows the API key');
		return { detail: `results: ${results[0].file}; errors: ${errors[0].file}: ${errors[0].error.slice(0, 90)}… (${batch.seconds.toFixed(1)} s)` };
	});
}
