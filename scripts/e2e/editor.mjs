// Editor check in a real browser: the GreenNode OCR node in the n8n editor (Playwright + Chromium).
//
// Logs in through the sign-in form, adds the node to a new workflow from the nodes panel (as a
// user would: search "GreenNode", pick an action), then switches through every operation and
// compares the parameters the panel shows with the ones the node's description (as n8n serves
// it) makes visible for that operation, decided by n8n-workflow's NodeHelpers as in the editor:
// same names, same labels, same order, nothing more. It also
// checks a few labels by name, the "Add Option" list of each Options collection, and that
// Document Type hides when Flow is not "single". A screenshot of the parameter panel is saved
// per operation in .output/screenshots/ (and copied to docs/ with E2E_UPDATE_DOCS=1).
// What the panel should show is worked out in lib/editor-expected.mjs; the browser and the page
// steps are in lib/editor-page.mjs.
//
// Used by scripts/e2e/run.mjs; can also run alone against a running n8n:
//   node scripts/e2e/editor.mjs --url http://127.0.0.1:5678 --email dev@example.com --password '…'
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { Checks, expect } from './lib/checks.mjs';
import { expectedCollectionOptions, expectedParameters, nodeDescriptionFromN8n } from './lib/editor-expected.mjs';
import {
	addNodeFromPanel,
	addOptionEntries,
	launchEditorBrowser,
	login,
	openFreshNode,
	screenshotPanel,
	selectOperation,
	shownParameters,
} from './lib/editor-page.mjs';
import { CREDENTIAL_NAME, NODE_TYPE, ROOT } from './lib/n8n.mjs';

export { ensureChromium } from './lib/editor-page.mjs';
export { expectedCollectionOptions, expectedParameters, nodeDescriptionFromN8n };

const SCREENSHOTS = join(ROOT, '.output', 'screenshots');
const DOCS = join(ROOT, 'docs');

/** Labels that must be there (or not) whatever the description says. */
const KEY_LABELS = {
	submit: { present: ['Input Binary Field', 'Flow', 'Document Type', 'File Type', 'Wait for Result'], absent: ['Request ID', 'Document ID', 'File ID'] },
	getResult: { present: ['Request ID', 'Wait for Result'], absent: ['Document Type', 'Document ID', 'File ID'] },
	getTable: { present: ['Request ID', 'Document ID'], absent: ['Document Type', 'File ID', 'Wait for Result'] },
	getSignature: { present: ['Request ID', 'Document ID'], absent: ['Document Type', 'File ID', 'Wait for Result'] },
	getStamp: { present: ['Request ID', 'Document ID'], absent: ['Document Type', 'File ID', 'Wait for Result'] },
	getFile: { present: ['Request ID', 'File ID'], absent: ['Document Type', 'Document ID', 'Wait for Result'] },
};

function sameList(actual, expected) {
	return actual.length === expected.length && actual.every((value, index) => value === expected[index]);
}

/**
 * Runs the editor checks against a running n8n whose owner is `email`/`password`.
 * `description` is the node's description from dist; `cookie` a REST session (for the fallback).
 */
/** Imports a workflow file with the editor's Import from File, into a new workflow; waits for its nodes. */
async function importFromFile(page, base, file) {
	const workflow = JSON.parse(readFileSync(file, 'utf8'));
	await page.goto(`${base}/workflow/new`);
	await page.getByTestId('canvas-wrapper').waitFor();
	await page.getByTestId('workflow-import-input').setInputFiles(file);
	const nodes = workflow.nodes.filter((node) => node.type !== 'n8n-nodes-base.stickyNote');
	await page.getByTestId('canvas-node').nth(nodes.length - 1).waitFor({ timeout: 15000 });
	return { workflow, nodes };
}

export async function runEditorChecks({ base, email, password, cookie, description, ledger, checks = new Checks(), updateDocs = false, log = console.log }) {
	mkdirSync(SCREENSHOTS, { recursive: true });
	const { context, page } = await launchEditorBrowser(join(SCREENSHOTS, '..', 'chromium-profile'), log);
	const operationOption = Object.fromEntries(description.properties.find((p) => p.name === 'operation').options.map((o) => [o.value, o]));
	try {
		const loggedIn = await checks.run('editor: sign in through the n8n sign-in form', async () => {
			await login(page, base, email, password);
			return { detail: new URL(page.url()).pathname };
		});
		if (!loggedIn) return checks;

		let added = false;
		await checks.run('editor: "GreenNode" finds the node in the nodes panel; picking an action adds it', async () => {
			const result = await addNodeFromPanel(page, base, operationOption.submit.action);
			if (!result.found) {
				return `searching "GreenNode" after a trigger shows no GreenNode OCR node (panel: "${result.shown}")`;
			}
			added = true;
			const credential = await page.getByTestId('node-credentials-select').first().locator('input').inputValue();
			expect(credential === CREDENTIAL_NAME, `the credential is "${credential}", expected "${CREDENTIAL_NAME}" to be picked`);
			return { detail: `added with action "${operationOption.submit.action}", credential "${credential}" picked` };
		});
		if (!added) {
			// Go on with the operation checks on a node added to a workflow over REST.
			const opened = await checks.run('editor: open a fresh GreenNode OCR node of a saved workflow', async () => {
				await openFreshNode(page, base, cookie);
			});
			if (!opened) return checks;
		}

		for (const [operation, option] of Object.entries(operationOption)) {
			await checks.run(`editor: ${operation} shows exactly its parameters`, async () => {
				await selectOperation(page, option.name);
				const expected = expectedParameters(description, { operation });
				const shown = await shownParameters(page);
				const shownNames = shown.map((p) => p.name).filter((name) => name !== 'operation');
				const expectedNames = expected.map((p) => p.name).filter((name) => name !== 'operation');
				const shownLabels = shown.filter((p) => p.name !== 'operation').map((p) => p.label);
				const expectedLabels = expected.filter((p) => p.name !== 'operation').map((p) => p.displayName);
				const file = join(SCREENSHOTS, `operation-${operation}.png`);
				await screenshotPanel(page, file);
				if (updateDocs) {
					mkdirSync(DOCS, { recursive: true });
					copyFileSync(file, join(DOCS, `operation-${operation}.png`));
				}
				expect(
					sameList(shownNames, expectedNames),
					`shown ${JSON.stringify(shownNames)}, description makes visible ${JSON.stringify(expectedNames)}`,
				);
				expect(sameList(shownLabels, expectedLabels), `labels ${JSON.stringify(shownLabels)}, expected ${JSON.stringify(expectedLabels)}`);
				const { present, absent } = KEY_LABELS[operation] ?? { present: [], absent: [] };
				const missing = present.filter((label) => !shownLabels.includes(label));
				const extra = absent.filter((label) => shownLabels.includes(label));
				expect(missing.length === 0, `missing ${JSON.stringify(missing)}`);
				expect(extra.length === 0, `must not show ${JSON.stringify(extra)}`);
				return { detail: shownLabels.join(', ') };
			});

			const collection = expectedParameters(description, { operation }).find((p) => p.type === 'collection');
			if (collection) {
				await checks.run(`editor: ${operation} "${collection.displayName}" lists each option once`, async () => {
					const entries = await addOptionEntries(page);
					expect(entries, 'no "Add Option" button');
					const expected = expectedCollectionOptions(description, { operation }, collection);
					const duplicates = [...new Set(entries.filter((entry, index) => entries.indexOf(entry) !== index))];
					const declaredTwice = [...new Set(expected.filter((entry, index) => expected.indexOf(entry) !== index))];
					expect(duplicates.length === 0 && declaredTwice.length === 0, `listed more than once: ${JSON.stringify([...new Set([...duplicates, ...declaredTwice])])}`);
					expect(sameList([...entries].sort(), [...expected].sort()), `lists ${JSON.stringify(entries)}, description has ${JSON.stringify(expected)}`);
					return { detail: entries.join(', ') };
				});
			}
		}

		await checks.run('editor: Document Type hides when Flow is not "single"', async () => {
			await selectOperation(page, operationOption.submit.name);
			const flow = page.getByTestId('parameter-input-flow').locator('input').first();
			await flow.fill('my-document-set-flow');
			await page.getByTestId('parameter-input-binaryPropertyName').locator('input').first().click();
			await page.waitForTimeout(400);
			const labels = (await shownParameters(page)).map((p) => p.label);
			const expected = expectedParameters(description, { operation: 'submit', flow: 'my-document-set-flow' }).map((p) => p.displayName);
			await flow.fill('single');
			await page.getByTestId('parameter-input-binaryPropertyName').locator('input').first().click();
			expect(!labels.includes('Document Type'), `still shown: ${labels.join(', ')}`);
			expect(sameList(labels, expected), `labels ${JSON.stringify(labels)}, expected ${JSON.stringify(expected)}`);
			return { detail: labels.join(', ') };
		});

		await checks.run('editor: an example imports with Import from File and uses the credential', async () => {
			const file = join(ROOT, 'examples', 'invoice-table-to-csv.json');
			const { nodes } = await importFromFile(page, base, file);
			const count = await page.getByTestId('canvas-node').count();
			expect(count === nodes.length, `the canvas shows ${count} nodes, the file has ${nodes.length}`);
			const ocrNodes = nodes.filter((node) => node.type === NODE_TYPE);
			const withIssues = [];
			for (const node of ocrNodes) {
				const canvasNode = page.getByTestId('canvas-node').filter({ hasText: node.name }).first();
				if ((await canvasNode.getByTestId('node-issues').count()) > 0) withIssues.push(node.name);
			}
			await page.getByTestId('canvas-node').filter({ hasText: ocrNodes[0].name }).first().dblclick();
			await page.getByTestId('ndv').waitFor();
			const credential = await page.getByTestId('node-credentials-select').first().locator('input').inputValue();
			await page.keyboard.press('Escape');
			expect(credential === CREDENTIAL_NAME, `"${ocrNodes[0].name}" has credential "${credential}"`);
			expect(withIssues.length === 0, `nodes with issues after the import: ${withIssues.join(', ')}`);
			return { detail: `${count} nodes, ${ocrNodes.length} GreenNode OCR nodes with "${credential}"` };
		});

		await checks.run('editor: a Review Threshold gives the node a second output "Needs Review" (the email example)', async () => {
			const file = join(ROOT, 'examples', 'email-invoice-to-sheet.json');
			const { workflow } = await importFromFile(page, base, file);
			const canvas = page.getByTestId('canvas-wrapper');
			await canvas.getByText('Needs Review', { exact: true }).first().waitFor({ timeout: 10000 });
			const text = await canvas.innerText();
			expect(text.includes('Documents') && text.includes('Needs Review'), 'the canvas shows no "Documents" / "Needs Review" output labels');
			const edges = await page.locator('[data-test-id="edge"], .vue-flow__edge').count();
			const expectedEdges = Object.values(workflow.connections).flatMap((connection) => connection.main.flat()).length;
			expect(edges >= expectedEdges, `the canvas draws ${edges} connections, the workflow has ${expectedEdges} (both outputs connected)`);
			const shot = join(SCREENSHOTS, 'needs-review-output.png');
			await canvas.screenshot({ path: shot });
			if (updateDocs) copyFileSync(shot, join(DOCS, 'needs-review-output.png'));
			return { detail: `outputs "Documents" and "Needs Review", ${edges} connections drawn` };
		});

		if (ledger) {
			await checks.run(`editor: the ledger "${ledger.name}" in n8n's Data Tables tab, with its rows`, async () => {
				await page.goto(`${base}/home/datatables`);
				const entry = page.getByText(ledger.name, { exact: true }).filter({ visible: true }).first();
				await entry.waitFor({ timeout: 20000 });
				await entry.click();
				const shot = join(SCREENSHOTS, 'ledger-data-table.png');
				try {
					// The grid measures its texts in hidden spans: wait for a visible cell with the row's request_id.
					await page.getByText(ledger.requestId).filter({ visible: true }).first().waitFor({ timeout: 20000 });
				} finally {
					await page.screenshot({ path: shot });
				}
				if (updateDocs) copyFileSync(shot, join(DOCS, 'ledger-data-table.png'));
				return { detail: `table listed, opened, row of ${ledger.requestId} shown` };
			});
		}
	} finally {
		await context.close().catch(() => {});
	}
	return checks;
}

// Standalone use.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
	const argument = (name) => {
		const index = process.argv.indexOf(name);
		return index >= 0 ? process.argv[index + 1] : undefined;
	};
	const base = argument('--url') ?? 'http://127.0.0.1:5678';
	const email = argument('--email') ?? 'dev@example.com';
	const password = argument('--password');
	if (!password) {
		console.error('usage: node scripts/e2e/editor.mjs --url <n8n url> --email <owner email> --password <owner password>');
		process.exit(2);
	}
	const signedIn = await fetch(`${base}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ emailOrLdapLoginId: email, password }),
	});
	const cookie = (signedIn.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
	const description = await nodeDescriptionFromN8n(base, cookie);
	const checks = await runEditorChecks({ base, email, password, cookie, description, updateDocs: process.env.E2E_UPDATE_DOCS === '1' });
	console.log(checks.summary('editor'));
	process.exit(checks.failed > 0 ? 1 : 0);
}
