// The n8n editor in Chromium (Playwright): starting the browser and what the editor check does
// on a page (sign in, add the node, pick an operation, read the parameter panel, screenshots).
/* global document -- the functions given to page.evaluate and page.waitForFunction run in the page. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { CREDENTIAL_ID, CREDENTIAL_NAME, NODE_TYPE, ROOT } from './n8n.mjs';

const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';

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

/** Chromium (headless, 1440×1000) with a profile in `userDataDir`: { context, page }. */
export async function launchEditorBrowser(userDataDir, log = console.log) {
	const executablePath = ensureChromium(log);
	// playwright-core is a devDependency of the project.
	const { chromium, selectors } = createRequire(join(ROOT, 'package.json'))('playwright-core');
	selectors.setTestIdAttribute('data-test-id');
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath,
		headless: true,
		viewport: { width: 1440, height: 1000 },
		deviceScaleFactor: 1,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
	});
	const page = context.pages()[0] ?? (await context.newPage());
	page.setDefaultTimeout(20000);
	return { context, page };
}

export async function login(page, base, email, password) {
	await page.goto(`${base}/signin`);
	await page.getByTestId('emailOrLdapLoginId').locator('input').fill(email);
	await page.getByTestId('password').locator('input').fill(password);
	await page.getByTestId('form-submit-button').click();
	await page.waitForURL((url) => !url.pathname.includes('/signin'), { timeout: 30000 });
}

export async function addNodeFromPanel(page, base, operationAction) {
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
export async function openFreshNode(page, base, cookie) {
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
export async function shownParameters(page) {
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

export async function selectOperation(page, optionName) {
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
export async function addOptionEntries(page) {
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

export async function screenshotPanel(page, file) {
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
