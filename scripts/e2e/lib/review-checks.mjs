// The review loop in a real n8n: examples/email-invoice-review.json run through n8n's REST API
// (as the editor's "Execute workflow" does). Three invoices: one read well, one blurry, one whose
// total does not add up. Send Email's "Send and Wait for Response" mails each review form's link to
// the bundled mail sink (dist/dev/mail-sink.js); the check fetches each form page, reads it as a
// browser does, and posts the corrected values as the page's own script would (multipart, field-N).
// The total is first corrected to a value that still fails its check: that document comes back with
// a second form. When every form is answered, the sheet must hold all three rows, the reviewed ones
// with their audit. A Chromium screenshot of the first form goes to .output/screenshots (and docs/).
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { expect } from './checks.mjs';
import { parseCsv, samplePdf } from './files.mjs';
import { restClient } from './ledger-checks.mjs';
import { n8nCli, ROOT } from './n8n.mjs';
import { waitFor } from './proc.mjs';

export const REVIEW_EXAMPLE_ID = 'GnOcrExEmailReview';
export const SMTP_CREDENTIAL = { id: 'GnOcrReviewSmtp1', name: 'Review mail (SMTP)' };
const TRIGGER = 'When clicking ‘Execute workflow’';
const SCREENSHOTS = join(ROOT, '.output', 'screenshots');

/** The files of the example's review-mail/ folder: one read well, one blurry, one whose total is off. */
export function writeReviewMail(filesDir) {
	const dir = join(filesDir, 'review-mail');
	mkdirSync(dir, { recursive: true });
	// "twopage": the emulator reads each as ONE invoice (its table over two pages), so two documents need review.
	writeFileSync(join(dir, 'invoice-twopage-0201.pdf'), samplePdf('INVOICE 0201'));
	writeFileSync(join(dir, 'invoice-twopage-blurry-0202.pdf'), samplePdf('INVOICE 0202'));
	writeFileSync(join(dir, 'invoice-twopage-badtotal-0203.pdf'), samplePdf('INVOICE 0203'));
}

/** Imports the example's SMTP credential (n8n's own "smtp" type), pointing at the mail sink. */
export async function importSmtpCredential(runtime, env, dir, port, logFile) {
	const file = join(dir, 'smtp-credential.json');
	const credential = { ...SMTP_CREDENTIAL, type: 'smtp', data: { user: '', password: '', host: '127.0.0.1', port, secure: false, disableStartTls: true } };
	writeFileSync(file, JSON.stringify([credential], null, 2));
	await n8nCli(runtime, env, ['import:credentials', `--input=${file}`], { logFile });
}

const unescapeHtml = (text) =>
	text.replace(/&#x([0-9a-f]+);/gi, (_, hex) => String.fromCodePoint(parseInt(hex, 16))).replace(/&#(\d+);/g, (_, dec) => String.fromCodePoint(Number(dec)))
		.replace(/&quot;/g, '"').replace(/&#x27;|&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The fields of a rendered n8n form page, in order: { id, label, type, value }. */
export function formFields(html) {
	const labels = new Map([...html.matchAll(/<label class='form-label[^']*' for='(field-\d+)'>([^<]*)<\/label>/g)].map((m) => [m[1], unescapeHtml(m[2].trim())]));
	const fields = [];
	for (const match of html.matchAll(/<(input|textarea)\b([^>]*?)(?:\/>|>([^<]*)<\/textarea>)/g)) {
		const attributes = Object.fromEntries([...match[2].matchAll(/(\w+)=(?:'([^']*)'|"([^"]*)")/g)].map((a) => [a[1], unescapeHtml(a[2] ?? a[3] ?? '')]));
		if (!/^field-\d+$/.test(attributes.name ?? '')) continue;
		const value = match[1] === 'textarea' ? unescapeHtml(match[3] ?? '') : attributes.value ?? '';
		fields.push({ id: attributes.name, label: labels.get(attributes.name), type: match[1] === 'textarea' ? 'textarea' : attributes.type, value });
	}
	return fields;
}

/** GETs a form page; { html, fields }. */
async function openForm(url) {
	const response = await fetch(url);
	const html = await response.text();
	expect(response.ok, `the form page answered ${response.status}: ${html.slice(0, 200)}`);
	return { html, fields: formFields(html) };
}

/** Posts a form as its page's script does: every field-N with its value, `changes` by field name (the label's start). */
async function submitForm(url, fields, changes = {}) {
	const body = new FormData();
	for (const field of fields) {
		const name = Object.keys(changes).find((key) => field.label === key || field.label?.startsWith(`${key} — `));
		body.append(field.id, name === undefined ? field.value : changes[name]);
	}
	const response = await fetch(url, { method: 'POST', body });
	const text = await response.text();
	expect(response.ok, `posting the form answered ${response.status}: ${text.slice(0, 200)}`);
}

const fieldNamed = (fields, name) => fields.find((field) => field.label === name || field.label?.startsWith(`${name} — `));
/** The form of the invoice whose total does not add up: its total is doubtful for a reason other than confidence. */
const isBadTotal = (form) => /^invoice\.total_amount — (?!read with)/.test(fieldNamed(form.fields, 'invoice.total_amount')?.label ?? '');

async function screenshotForm(url, file, log) {
	const { launchEditorBrowser } = await import('./editor-page.mjs');
	const { context, page } = await launchEditorBrowser(join(SCREENSHOTS, '..', 'chromium-form-profile'), log);
	try {
		await page.setViewportSize({ width: 900, height: 1000 });
		await page.goto(url);
		await page.locator('#submit-btn').waitFor();
		await page.screenshot({ path: file, fullPage: true });
	} finally {
		await context.close();
	}
}

export async function checkReviewLoop(checks, { server, cookie, runtime, filesDir, mailSink, apiKey, browser, updateDocs, log }) {
	const { api, execution } = restClient(server, cookie, runtime);
	const seen = new Set();
	const nextMail = async (what) => {
		const mail = await mailSink.waitForMail((m) => !seen.has(m) && /^Please check invoice /.test(m.subject), 120000).catch((error) => {
			throw new Error(`${what}: ${error.message}`);
		});
		seen.add(mail);
		const link = mail.links.find((href) => href.includes('/webhook-waiting/'));
		expect(link, `the mail "${mail.subject}" has no form link: ${mail.links.join(' ')}`);
		// The mail goes out before n8n has saved the execution as waiting; until then n8n 2.41.1 answers the
		// link with a 500 ("reading 'resumeToken'"). A reviewer is never that fast: wait for the save.
		await waitFor('the execution to wait for the form', async () => (await execution(executionId)).status === 'waiting', { timeoutMs: 30000, intervalMs: 200 });
		return { mail, link, ...(await openForm(link)) };
	};
	let executionId;
	const forms = [];

	const started = await checks.run('review loop: the example runs; a review form per doubtful document is mailed, one at a time', async () => {
		const run = await api('POST', `/workflows/${REVIEW_EXAMPLE_ID}/run`, { triggerToStartFrom: { name: TRIGGER } });
		executionId = run?.executionId;
		expect(executionId, `the run answered ${JSON.stringify(run)}`);
		forms.push(await nextMail('the first review mail'));
		await new Promise((resolve) => setTimeout(resolve, 1500));
		expect(mailSink.mails.filter((m) => !seen.has(m)).length === 0, 'a second review mail came before the first form was answered');
		return { detail: `execution ${executionId} waiting; mail "${forms[0].mail.subject}" to ${forms[0].mail.to.join(', ')}` };
	});
	if (!started) return;

	await checks.run('review loop: the form page shows the doubtful fields first with why, the values read, dates as dates, the hidden document', async () => {
		const { fields, html } = forms[0];
		const visible = fields.filter((field) => field.type !== 'hidden');
		const hidden = fields.filter((field) => field.type === 'hidden');
		expect(hidden.length === 1 && /^gnr1\.[\w-]+\.[\w-]+$/.test(hidden[0].value), `hidden fields: ${JSON.stringify(hidden).slice(0, 200)}`);
		const doubtful = visible.filter((field) => field.label?.includes(' — '));
		expect(doubtful.length > 0 && visible.indexOf(doubtful.at(-1)) === doubtful.length - 1, `the doubtful fields are not first: ${visible.map((f) => f.label).join(' | ').slice(0, 400)}`);
		const date = fieldNamed(visible, 'invoice.invoice_date');
		expect(date?.type === 'date' && date.value === '2024-03-15', `invoice.invoice_date: ${JSON.stringify(date)}`);
		const inWords = isBadTotal(forms[0])
			? /^invoice\.total_amount — .*invoice\.total_before_vat 4\.190\.909 \+ invoice\.vat_amount 419\.091 = 4\.610\.000, but invoice\.total_amount is 4\.601\.000/.test(fieldNamed(visible, 'invoice.total_amount').label)
			: doubtful.every((field) => / — read with \d+% confidence, below 80%/.test(field.label));
		expect(inWords, `the doubts are not in words: ${doubtful.map((f) => f.label).join(' | ')}`);
		expect(!html.includes(apiKey), 'the form page shows the GreenNode API key');
		if (browser) {
			mkdirSync(SCREENSHOTS, { recursive: true });
			const shot = join(SCREENSHOTS, 'review-form.png');
			await screenshotForm(forms[0].link, shot, log);
			if (updateDocs) copyFileSync(shot, join(ROOT, 'docs', 'review-form.png'));
		}
		return { detail: `${visible.length} fields, ${doubtful.length} doubtful first: "${doubtful[0].label.slice(0, 90)}…"${browser ? '; screenshot .output/screenshots/review-form.png' : ''}` };
	});

	const answers = [];
	const answer = async (form) => {
		const badTotal = isBadTotal(form);
		const round = answers.filter((entry) => entry.badTotal === badTotal).length + 1;
		const changes = badTotal ? { 'invoice.total_amount': round === 1 ? '4.620.000' : '4.610.000' } : { 'invoice.buyer_name': 'Nguyễn Thị Bình' };
		await submitForm(form.link, form.fields, changes);
		answers.push({ badTotal, round, changes, form });
	};

	const answered = await checks.run('review loop: each form answered as a browser posts it; a total that still does not add up comes back with a second form', async () => {
		await answer(forms[0]);
		for (const which of ['second', 'third']) {
			forms.push(await nextMail(`the ${which} review mail`));
			await answer(forms.at(-1));
		}
		const again = answers.filter((entry) => entry.badTotal);
		expect(again.length === 2, `${again.length} forms for the invoice whose total is off (2 expected: the first answer still fails)`);
		const total = fieldNamed(again[1].form.fields, 'invoice.total_amount');
		expect(total?.value === '4620000' && /but invoice\.total_amount is 4\.620\.000/.test(total.label), `the second form's total: ${JSON.stringify(total)}`);
		return { detail: answers.map((entry) => `${entry.badTotal ? 'total off' : 'blurry'} round ${entry.round}: ${JSON.stringify(entry.changes)}`).join('; ') };
	});
	if (!answered) return;

	await checks.run('review loop: the execution ends; the sheet holds every row, the reviewed ones with their audit', async () => {
		const done = await waitFor('the execution to end', async () => {
			const value = await execution(executionId);
			return ['running', 'new', 'waiting'].includes(value.status) ? undefined : value;
		}, { timeoutMs: 90000, intervalMs: 500 });
		expect(done.status === 'success', `the execution ended ${done.status}: ${JSON.stringify(done.data.resultData.error ?? {}).slice(0, 300)}`);
		const file = join(filesDir, 'reviewed-sheet.csv');
		expect(existsSync(file), 'reviewed-sheet.csv was not written');
		const [header, ...rows] = parseCsv(readFileSync(file, 'utf8')).filter((line) => line.some((cell) => cell !== ''));
		const col = (row, name) => row[header.indexOf(name)];
		expect(rows.length === 3, `reviewed-sheet.csv has ${rows.length} rows: ${JSON.stringify(rows).slice(0, 300)}`);
		const plain = rows.filter((row) => col(row, 'reviewed_at') === '');
		const reviewed = rows.filter((row) => col(row, 'reviewed_at') !== '');
		expect(plain.length === 1 && reviewed.length === 2, `rows reviewed: ${rows.map((row) => col(row, 'reviewed_at')).join(', ')}`);
		const changesOf = (row) => JSON.parse(col(row, 'review_changes'));
		const total = reviewed.find((row) => changesOf(row).some((change) => change.field === 'invoice.total_amount'));
		const buyer = reviewed.find((row) => changesOf(row).some((change) => change.field === 'invoice.buyer_name'));
		expect(total && col(total, 'invoice.total_amount') === '4610000', `the corrected total: ${total && col(total, 'invoice.total_amount')}`);
		const totalChanges = changesOf(total);
		expect(totalChanges.length === 2 && totalChanges[0].read === 4601000 && totalChanges[0].given === '4.620.000' && totalChanges[1].given === '4.610.000' && totalChanges[1].round === 2 && totalChanges.every((change) => !Number.isNaN(Date.parse(change.at))), `the total's audit: ${JSON.stringify(totalChanges)}`);
		expect(buyer && col(buyer, 'invoice.buyer_name') === 'Nguyễn Thị Bình', `the corrected buyer: ${buyer && col(buyer, 'invoice.buyer_name')}`);
		expect(changesOf(buyer)[0].read === 'Nguyễn Văn Bình', `the buyer's audit: ${col(buyer, 'review_changes')}`);
		const runs = done.data.resultData.runData['Apply the review'] ?? [];
		const sentBack = runs.flatMap((entry) => entry.data?.main?.[1] ?? []).map((item) => item.json);
		expect(runs.length === 3 && sentBack.length === 1 && sentBack[0].review_reasons.some((reason) => /invoice_total/.test(reason)), `Apply the review ran ${runs.length} times; Needs Review again: ${JSON.stringify(sentBack.map((item) => item.review_reasons))}`);
		return { detail: `3 rows (1 read well, 2 reviewed); the total's audit: ${totalChanges.map((change) => `${change.read} → ${change.given} (round ${change.round})`).join(', ')}; Needs Review again: "${sentBack[0].review_reasons[0].slice(0, 80)}…"` };
	});
}
