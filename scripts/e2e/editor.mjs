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
//
// Used by scripts/e2e/run.mjs; can also run alone against a running n8n:
//   node scripts/e2e/editor.mjs --url http://127.0.0.1:5678 --email dev@example.com --password '…'
/* global document -- the functions given to page.evaluate and page.waitForFunction run in the page. */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { Checks, expect } from './lib/checks.mjs';
import { CREDENTIAL_ID, CREDENTIAL_NAME, NODE_TYPE, ROOT } from './lib/n8n.mjs';

const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
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

/** Installs Debian's chromium with apt-get when it is missing (needs root). */
export function ensureChromium(log = console.log) {
	if (existsSync(CHROMIUM)) return CHROMIUM;
	if (process.getuid?.() !== 0) {
		throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium) or set E2E_CHROMIUM`);
	}
	log('installing chromium with apt-get (first run only)…');
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env, timeout: 10 * 60 * 1000 });
	execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'ignore', env, timeout: 15 * 60 * 1000 });
	if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} is still missing`);
	return CHROMIUM;
}

// ---------------------------------------------------------------------------------------------
// What the description says should be visible, decided by n8n-workflow's NodeHelpers as the
// editor does: the node's parameters are filled in with getNodeParameters (defaults of whatever
// is displayed, as for a node just added or an operation just picked), and each parameter is
// shown when displayParameterPath says so for the path "parameters" (the panel) or
// "parameters.<collection>" (the "Add Option" list of a collection).

const { NodeHelpers } = createRequire(join(ROOT, 'package.json'))('n8n-workflow');

function nodeVersion(description) {
	return Array.isArray(description.version) ? Math.max(...description.version) : description.version;
}

/** The node's values as the editor holds them once `values` are set: { node, nodeValues }. */
function editorValues(description, values) {
	const node = { typeVersion: nodeVersion(description) };
	const parameters = NodeHelpers.getNodeParameters(description.properties, values, true, false, node, description) ?? {};
	return { node, nodeValues: { parameters } };
}

/**
 * The top-level parameters n8n shows for `values` (operation plus any set parameter), in order:
 * defaults fill in the rest, as for a node just added.
 */
export function expectedParameters(description, values) {
	const { node, nodeValues } = editorValues(description, values);
	return description.properties.filter(
		(property) =>
			property.type !== 'hidden' &&
			property.type !== 'notice' &&
			NodeHelpers.displayParameterPath(nodeValues, property, 'parameters', node, description),
	);
}

/** The entries "Add Option" offers for an empty collection shown with `values`. */
export function expectedCollectionOptions(description, values, collection) {
	const { node, nodeValues } = editorValues(description, values);
	const empty = { parameters: { ...nodeValues.parameters, [collection.name]: {} } };
	return (collection.options ?? [])
		.filter((option) => NodeHelpers.displayParameterPath(empty, option, `parameters.${collection.name}`, node, description))
		.map((option) => option.displayName);
}

// ---------------------------------------------------------------------------------------------
// The editor

async function loadPlaywright() {
	// playwright-core is a devDependency of the project.
	return createRequire(join(ROOT, 'package.json'))('playwright-core');
}

async function login(page, base, email, password) {
	await page.goto(`${base}/signin`);
	await page.getByTestId('emailOrLdapLoginId').locator('input').fill(email);
	await page.getByTestId('password').locator('input').fill(password);
	await page.getByTestId('form-submit-button').click();
	await page.waitForURL((url) => !url.pathname.includes('/signin'), { timeout: 30000 });
}

async function addNodeFromPanel(page, base, operationAction) {
	await page.goto(`${base}/workflow/new`);
	await page.getByTestId('node-creator-plus-button').click();
	await page.getByTestId('node-creator-search-bar').fill('manual');
	// The panel animates in; under load the item may still be moving when it is first found.
	const trigger = page.getByTestId('node-creator').getByText('Trigger manually', { exact: false }).first();
	await trigger.click({ timeout: 10000 }).catch(async () => await trigger.click({ force: true }));
	await page.getByTestId('canvas-trigger-node').waitFor();
	await page.keyboard.press('Escape');
	await page.getByTestId('node-creator-plus-button').click();
	await page.getByTestId('node-creator-search-bar').fill('GreenNode');
	const item = page.getByTestId('node-creator').getByText('GreenNode OCR', { exact: true });
	try {
		await item.first().waitFor({ timeout: 5000 });
	} catch {
		const shown = (await page.getByTestId('node-creator').innerText()).replace(/\s+/g, ' ').slice(0, 200);
		await page.keyboard.press('Escape');
		return { found: false, shown };
	}
	await item.first().click();
	await page.getByTestId('node-creator').getByText(operationAction, { exact: true }).click();
	await page.getByTestId('ndv').waitFor();
	return { found: true };
}

/** Creates a workflow with a trigger and a fresh GreenNode OCR node over REST, opens it and the node. */
async function openFreshNode(page, base, cookie) {
	const response = await fetch(`${base}/rest/workflows`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie },
		body: JSON.stringify({
			name: 'Editor check (GreenNode OCR)',
			active: false,
			settings: { executionOrder: 'v1' },
			nodes: [
				{ parameters: {}, id: 'b4ec9c66-8a48-4b50-9a2c-6d1a8bb0b001', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] },
				{
					parameters: {},
					id: 'b4ec9c66-8a48-4b50-9a2c-6d1a8bb0b002',
					name: 'GreenNode OCR',
					type: NODE_TYPE,
					typeVersion: 1,
					position: [240, 0],
					credentials: { greenNodeOcrApi: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } },
				},
			],
			connections: { Start: { main: [[{ node: 'GreenNode OCR', type: 'main', index: 0 }]] } },
		}),
	});
	if (!response.ok) throw new Error(`creating the workflow answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
	const { data } = await response.json();
	await page.goto(`${base}/workflow/${data.id}`);
	await page.getByTestId('canvas-node').filter({ hasText: 'GreenNode OCR' }).first().dblclick();
	await page.getByTestId('ndv').waitFor();
}

/** Top-level parameters shown in the Parameters tab: [{ name, label }]. */
async function shownParameters(page) {
	return await page.getByTestId('node-parameters').evaluate((root) => {
		const result = [];
		for (const label of root.querySelectorAll('[data-test-id=input-label] label[for]')) {
			if (!label.offsetParent) continue; // hidden (e.g. the Settings tab)
			const item = label.closest('[data-test-id=parameter-item]');
			if (item && item.parentElement?.closest('[data-test-id=parameter-item]')) continue; // inside a collection
			const name = label.getAttribute('for');
			const text = (label.querySelector('span')?.textContent ?? '').replace(/\s+/g, ' ').trim();
			result.push({ name, label: text });
		}
		return result;
	});
}

async function selectOperation(page, optionName) {
	await page.getByTestId('parameter-input-operation').click();
	const option = page.locator('.el-select-dropdown__item:visible, [role=option]:visible').filter({ hasText: optionName });
	await option.getByText(optionName, { exact: true }).first().click();
	await page.waitForFunction(
		(name) => {
			const input = document.querySelector('[data-test-id=parameter-input-operation] input');
			return input && input.value === name;
		},
		optionName,
		{ timeout: 10000 },
	);
	await page.waitForTimeout(300);
}

/** The entries of the "Add Option" list of the (single) Options collection shown. */
async function addOptionEntries(page) {
	const add = page.getByTestId('node-parameters').getByTestId('collection-parameter-add').first();
	if ((await add.count()) === 0) return undefined;
	await add.click();
	const options = page.getByTestId('collection-parameter-option');
	await options.first().waitFor({ timeout: 5000 });
	const texts = (await options.allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim()).filter(Boolean);
	await page.keyboard.press('Escape');
	await page.waitForTimeout(200);
	return texts;
}

async function screenshotPanel(page, file) {
	// No hover effects or focus ring in the picture.
	await page.mouse.move(2, 2);
	await page.evaluate(() => document.activeElement?.blur?.());
	await page.waitForTimeout(250);
	const parameters = page.getByTestId('node-parameters');
	const header = page.getByTestId('tab-params');
	const panel = await parameters.boundingBox();
	const top = (await header.boundingBox())?.y ?? panel.y;
	const bottom = await parameters.evaluate((root) => {
		let max = 0;
		for (const item of root.querySelectorAll('[data-test-id=parameter-item], [data-test-id=node-credentials-slot]')) {
			if (!item.offsetParent) continue;
			const box = item.getBoundingClientRect();
			max = Math.max(max, box.bottom);
		}
		return max;
	});
	const clip = { x: Math.max(0, panel.x - 16), y: Math.max(0, top - 12), width: panel.width + 32, height: Math.max(120, bottom - top + 36) };
	await page.screenshot({ path: file, clip });
}

/** The node's description as n8n serves it to the editor (/types/nodes.json). */
export async function nodeDescriptionFromN8n(base, cookie) {
	const response = await fetch(`${base}/types/nodes.json`, { headers: { cookie } });
	if (!response.ok) throw new Error(`/types/nodes.json answered ${response.status}`);
	const types = await response.json();
	const found = types.filter((type) => type.name === NODE_TYPE);
	if (found.length === 0) throw new Error(`n8n has not loaded ${NODE_TYPE}`);
	return found.sort((a, b) => Math.max(...[b.version].flat()) - Math.max(...[a.version].flat()))[0];
}

function sameList(actual, expected) {
	return actual.length === expected.length && actual.every((value, index) => value === expected[index]);
}

/**
 * Runs the editor checks against a running n8n whose owner is `email`/`password`.
 * `description` is the node's description from dist; `cookie` a REST session (for the fallback).
 */
export async function runEditorChecks({ base, email, password, cookie, description, checks = new Checks(), updateDocs = false, log = console.log }) {
	const executablePath = ensureChromium(log);
	const { chromium, selectors } = await loadPlaywright();
	selectors.setTestIdAttribute('data-test-id');
	mkdirSync(SCREENSHOTS, { recursive: true });
	const userDataDir = join(SCREENSHOTS, '..', 'chromium-profile');
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath,
		headless: true,
		viewport: { width: 1440, height: 1000 },
		deviceScaleFactor: 1,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
	});
	const page = context.pages()[0] ?? (await context.newPage());
	page.setDefaultTimeout(20000);
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
			const credential = await page.getByTestId('node-credentials-select').locator('input').inputValue();
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
			const workflow = JSON.parse(readFileSync(file, 'utf8'));
			await page.goto(`${base}/workflow/new`);
			await page.getByTestId('canvas-wrapper').waitFor();
			await page.getByTestId('workflow-import-input').setInputFiles(file);
			const nodes = workflow.nodes.filter((node) => node.type !== 'n8n-nodes-base.stickyNote');
			await page.getByTestId('canvas-node').nth(nodes.length - 1).waitFor({ timeout: 15000 });
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
			const credential = await page.getByTestId('node-credentials-select').locator('input').inputValue();
			await page.keyboard.press('Escape');
			expect(credential === CREDENTIAL_NAME, `"${ocrNodes[0].name}" has credential "${credential}"`);
			expect(withIssues.length === 0, `nodes with issues after the import: ${withIssues.join(', ')}`);
			return { detail: `${count} nodes, ${ocrNodes.length} GreenNode OCR nodes with "${credential}"` };
		});
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
	const login = await fetch(`${base}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ emailOrLdapLoginId: email, password }),
	});
	const cookie = (login.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
	const description = await nodeDescriptionFromN8n(base, cookie);
	const checks = await runEditorChecks({ base, email, password, cookie, description, updateDocs: process.env.E2E_UPDATE_DOCS === '1' });
	console.log(checks.summary('editor'));
	process.exit(checks.failed > 0 ? 1 : 0);
}
