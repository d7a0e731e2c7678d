import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { NodeHelpers, tryToParseJsonToFormFields, Workflow, type INode, type INodeTypes } from 'n8n-workflow';

import { GreenNodeOcr } from '../nodes/GreenNodeOcr/GreenNodeOcr.node';

import { configuredOutputs } from '../nodes/GreenNodeOcr/actions/outputs';

import type { RunResult } from '../dev/runner';
import { answerValues, NOTE_FIELD, REVIEW_FIELD, reviewFormFields, type FormField } from '../nodes/GreenNodeOcr/helpers/reviewForm';
import { everythingVisible, FAST, credentialsFor, jpegItem, ocr, pdfItem, run, useEmulator } from './support';

/** The review loop: a form for each document that needs review, and Apply Review for its answer. */

const emu = useEmulator();
const REVIEW = { ...FAST, reviewThreshold: 0.8 };

function outputsOf(result: RunResult): INodeExecutionData[][] {
	return result.outputs['GreenNode OCR'] ?? [];
}

async function needingReview(fileName: string, docType = 'INVOICE', options: INodeParameters = REVIEW, item = pdfItem(fileName)): Promise<IDataObject[]> {
	const result = await run(emu.get(), [ocr({ operation: 'submit', docType, options })], [item]);
	expect(result.error).toBeUndefined();
	return outputsOf(result)[1].map((entry) => entry.json);
}

/** The answer n8n's "Send and Wait for Response" gives: `data` keyed by label (hidden fields by name). */
function answerFor(form: FormField[], changes: Record<string, string> = {}, drop: string[] = []): IDataObject {
	const data: IDataObject = {};
	for (const field of form) {
		if (field.fieldType === 'hiddenField') data[field.fieldName as string] = field.fieldValue as string;
		else if (!drop.includes(field.fieldName as string)) data[field.fieldLabel as string] = field.fieldName as string in changes ? changes[field.fieldName as string] : (field.defaultValue ?? '');
	}
	return { data: { ...data, respondedAt: '2026-11-30T10:00:00.000Z' } };
}

async function applyReview(answers: IDataObject[], extra: IDataObject = {}, credentials = credentialsFor(emu.get())): Promise<RunResult> {
	return await run(emu.get(), [ocr({ operation: 'applyReview', ...extra })], answers.map((json) => ({ json })), { credentials });
}

const fieldsOf = (form: FormField[]) => form.filter((field) => field.fieldType !== 'hiddenField' && field.fieldName !== NOTE_FIELD);

describe('the review form of a document', () => {
	it('is n8n form JSON that n8n itself accepts: doubtful fields first, why in the label, values as defaults, dates as dates, hidden state last', async () => {
		const [doc] = await needingReview('blurry-invoice.pdf');
		const form = doc.review_form as FormField[];
		expect(Array.isArray(form)).toBe(true);
		// n8n's own parser (the one behind "Define Form: Using JSON") takes it as it is
		expect(() => tryToParseJsonToFormFields(JSON.stringify(form))).not.toThrow();
		const fields = fieldsOf(form);
		const confidence = doc.confidence as Record<string, number>;
		const doubtful = Object.keys(confidence).filter((key) => confidence[key] < 0.8);
		expect(doubtful.length).toBeGreaterThan(0);
		// the doubtful fields first, each saying its confidence and the threshold in words
		expect(fields.slice(0, doubtful.length).map((field) => field.fieldName).sort()).toEqual([...doubtful].sort());
		for (const field of fields.slice(0, doubtful.length)) {
			expect(field.fieldLabel).toMatch(new RegExp(`^${field.fieldName?.replace(/[.()]/g, '\\$&')} — read with \\d+(\\.\\d+)?% confidence, below 80%$`));
		}
		// the others after, labelled with their name alone
		const rest = fields.slice(doubtful.length);
		expect(rest.length).toBeGreaterThan(0);
		for (const field of rest) expect(field.fieldLabel).toBe(field.fieldName);
		// one field per extracted field, the value as default
		const docFields = doc.fields as Record<string, string | number>;
		expect(fields.map((field) => field.fieldName).sort()).toEqual(Object.keys(docFields).sort());
		for (const field of fields) expect(field.defaultValue).toBe(String(docFields[field.fieldName as string]));
		// dates as date fields (ISO defaults), others as text
		const date = fields.find((field) => field.fieldName === 'invoice.invoice_date') as FormField;
		expect(date).toMatchObject({ fieldType: 'date', defaultValue: '2024-03-15' });
		expect(fields.find((field) => field.fieldName === 'invoice.total_amount')).toMatchObject({ fieldType: 'text' });
		// the note, then the hidden state
		expect(form[form.length - 2]).toMatchObject({ fieldName: NOTE_FIELD, fieldType: 'textarea', requiredField: false });
		expect(form[form.length - 1]).toMatchObject({ fieldType: 'hiddenField', fieldName: REVIEW_FIELD, fieldValue: expect.stringMatching(/^gnr1\.[\w-]+\.[\w-]+$/) });
	});

	it('labels each failed check in words on every field it read, and puts those fields first', async () => {
		const [doc] = await needingReview('badtotal-invoice.pdf');
		const fields = fieldsOf(doc.review_form as FormField[]);
		const failed = (doc.checks as Array<{ code: string; valid: boolean; fields: string[]; reason: string }>).filter((check) => !check.valid);
		expect(failed.map((check) => check.code).sort()).toEqual(['amount_in_words', 'invoice_total']);
		const read = [...new Set(failed.flatMap((check) => check.fields))];
		expect(fields.slice(0, read.length).map((field) => field.fieldName)).toEqual(read);
		const total = fields.find((field) => field.fieldName === 'invoice.total_amount') as FormField;
		expect(total.fieldLabel).toBe(`invoice.total_amount — ${failed[0].reason}; ${failed[1].reason}`);
		const vat = fields.find((field) => field.fieldName === 'invoice.vat_amount') as FormField;
		expect(vat.fieldLabel).toBe(`invoice.vat_amount — ${failed.find((check) => check.code === 'invoice_total')?.reason}`);
	});

	it('the hidden state holds no key and no portal user ID; documents with no need of review get no form', async () => {
		const result = await run(emu.get(), [ocr({ operation: 'submit', docType: 'INVOICE', options: REVIEW })], [pdfItem('blurry-invoice.pdf'), pdfItem('invoice.pdf')]);
		const [documents, review] = outputsOf(result);
		expect(documents.length).toBeGreaterThan(0);
		for (const item of documents) expect(item.json.review_form).toBeUndefined();
		const token = ((review[0].json.review_form as FormField[]).at(-1) as FormField).fieldValue as string;
		const state = Buffer.from(token.split('.')[1], 'base64url').toString('utf8');
		const { apiKey, portalUserId } = credentialsFor(emu.get()).greenNodeOcrApi;
		expect(state).not.toContain(apiKey);
		expect(state).not.toContain(portalUserId);
		expect(everythingVisible(result)).not.toContain(apiKey);
	});

	it('a request still processing (no document to correct) gets no form', async () => {
		emu.get().configure({ pendingPolls: 5 });
		const submitted = await run(emu.get(), [ocr({ operation: 'submit', waitForResult: false, docType: 'ID' })], [jpegItem()]);
		const requestId = submitted.items[0].json.request_id as string;
		const result = await run(emu.get(), [ocr({ operation: 'getResult', requestId, waitForResult: false, options: { reviewThreshold: 0.8 } })]);
		const [, review] = outputsOf(result);
		expect(review[0].json).toMatchObject({ needs_review: true, document_id: null });
		expect(review[0].json.review_form).toBeUndefined();
	});
});

describe('Apply Review', () => {
	it('unchanged: every field confirmed at confidence 1, no change in the audit, out on Documents, the OCR read kept', async () => {
		const [doc] = await needingReview('blurry-invoice.pdf');
		const result = await applyReview([answerFor(doc.review_form as FormField[])]);
		expect(result.error).toBeUndefined();
		const [documents, review] = outputsOf(result);
		expect(review).toEqual([]);
		expect(documents).toHaveLength(1);
		const out = documents[0].json;
		expect(out).toMatchObject({ request_id: doc.request_id, document_id: doc.document_id, document_type: 'INVOICE', needs_review: false, review_reasons: [] });
		expect(out.fields).toEqual(doc.fields);
		expect(Object.values(out.confidence as Record<string, number>).every((p) => p === 1)).toBe(true);
		expect(out.review).toMatchObject({ round: 1, changes: [], reviewed_at: expect.any(String) });
		expect((out.review as { confirmed: string[] }).confirmed.sort()).toEqual(Object.keys(doc.fields as object).sort());
		expect(out.read).toEqual({ fields: doc.fields, original: doc.original, confidence: doc.confidence });
		expect(out.review_form).toBeUndefined();
		expect(documents[0].pairedItem).toEqual({ item: 0 });
	});

	it('changed: the given value normalised and checked again, the change in the audit with when; a note is kept', async () => {
		const [doc] = await needingReview('badtotal-invoice.pdf');
		const answer = answerFor(doc.review_form as FormField[], { 'invoice.total_amount': '4.610.000' });
		(answer.data as IDataObject)['Note for the record (optional)'] = 'checked against the paper copy';
		const result = await applyReview([answer]);
		expect(result.error).toBeUndefined();
		const [documents, review] = outputsOf(result);
		expect(review).toEqual([]);
		const out = documents[0].json;
		expect((out.fields as IDataObject)['invoice.total_amount']).toBe(4610000);
		expect((out.original as IDataObject)['invoice.total_amount']).toBe('4.610.000');
		expect((out.checks as Array<{ code: string; valid: boolean }>).find((check) => check.code === 'invoice_total')).toMatchObject({ valid: true });
		const reviewRecord = out.review as { changes: IDataObject[]; reviewed_at: string; note: string };
		expect(reviewRecord.changes).toEqual([{ field: 'invoice.total_amount', read: 4601000, given: '4.610.000', at: reviewRecord.reviewed_at, round: 1 }]);
		expect(reviewRecord.note).toBe('checked against the paper copy');
		expect((out.read as { fields: IDataObject }).fields['invoice.total_amount']).toBe(4601000);
	});

	it('a correction that still fails a check goes to Needs Review again, with a new form that starts from the values given', async () => {
		const [doc] = await needingReview('badtotal-invoice.pdf');
		const result = await applyReview([answerFor(doc.review_form as FormField[], { 'invoice.total_amount': '4.620.000' })]);
		const [documents, review] = outputsOf(result);
		expect(documents).toEqual([]);
		expect(review).toHaveLength(1);
		const out = review[0].json;
		expect(out.needs_review).toBe(true);
		expect((out.review_reasons as string[]).join(' ')).toMatch(/invoice_total/);
		const form = fieldsOf(out.review_form as FormField[]);
		expect(form.find((field) => field.fieldName === 'invoice.total_amount')).toMatchObject({ defaultValue: '4620000', fieldLabel: expect.stringMatching(/^invoice\.total_amount — /) });
		// the second round: corrected for good; the audit has both rounds, the read stays the OCR's
		const second = await applyReview([answerFor(out.review_form as FormField[], { 'invoice.total_amount': '4610000' })]);
		const [fixed] = outputsOf(second);
		expect(fixed).toHaveLength(1);
		const record = fixed[0].json.review as { round: number; changes: IDataObject[] };
		expect(record.round).toBe(2);
		expect(record.changes.map((change) => [change.read, change.given, change.round])).toEqual([[4601000, '4.620.000', 1], [4620000, '4610000', 2]]);
		expect(((fixed[0].json.read as { fields: IDataObject }).fields)['invoice.total_amount']).toBe(4601000);
	});

	it('an emptied field is empty, in the audit; a field the answer does not name stays as read, unconfirmed', async () => {
		const [doc] = await needingReview('blurry-invoice.pdf');
		const form = doc.review_form as FormField[];
		const names = fieldsOf(form).map((field) => field.fieldName as string);
		const emptied = names.find((name) => /buyer/.test(name) && typeof (doc.fields as IDataObject)[name] === 'string') as string;
		const dropped = names.find((name) => name !== emptied) as string;
		const result = await applyReview([answerFor(form, { [emptied]: '' }, [dropped])]);
		const out = outputsOf(result).flat()[0].json;
		expect((out.fields as IDataObject)[emptied]).toBe('');
		expect((out.review as { changes: IDataObject[] }).changes).toEqual([expect.objectContaining({ field: emptied, given: '' })]);
		expect((out.fields as IDataObject)[dropped]).toEqual((doc.fields as IDataObject)[dropped]);
		expect((out.confidence as IDataObject)[dropped]).toBe((doc.confidence as IDataObject)[dropped]);
		expect((out.review as { confirmed: string[] }).confirmed).not.toContain(dropped);
	});

	it('a value that does not normalise (text where a number was read) is kept as given and sent to Needs Review with why', async () => {
		const [doc] = await needingReview('blurry-invoice.pdf');
		const result = await applyReview([answerFor(doc.review_form as FormField[], { 'invoice.total_amount': '4.61O.000' })]);
		const [documents, review] = outputsOf(result);
		expect(documents).toEqual([]);
		const out = review[0].json;
		expect((out.fields as IDataObject)['invoice.total_amount']).toBe('4.61O.000');
		expect(out.review_reasons).toContain('invoice.total_amount: "4.61O.000" given in review is not a number; it was read as 4610000');
	});

	it('reads answers keyed by field name too (n8n Form 2.4+), and the answer at the top of the item', async () => {
		const [doc] = await needingReview('badtotal-invoice.pdf');
		const answer: IDataObject = {};
		for (const field of doc.review_form as FormField[]) answer[field.fieldName as string] = field.fieldType === 'hiddenField' ? field.fieldValue : field.defaultValue ?? '';
		answer['invoice.total_amount'] = '4610000';
		const result = await applyReview([answer]);
		expect(result.error).toBeUndefined();
		expect((outputsOf(result)[0][0].json.fields as IDataObject)['invoice.total_amount']).toBe(4610000);
	});

	it('an ID card side is checked again with its other side: a corrected birth date meets the card number', async () => {
		const [front] = await needingReview('id-mismatch.pdf', 'ID', REVIEW, pdfItem('id-mismatch.pdf'));
		expect(front).toBeDefined();
		expect(front.paired_document_id).toEqual(expect.any(String));
		const result = await applyReview([answerFor(front.review_form as FormField[])]);
		const out = outputsOf(result).flat()[0].json;
		expect(out.paired_document_id).toBe(front.paired_document_id);
		expect(out.checks).toEqual(expect.arrayContaining([expect.objectContaining({ paired_fields: expect.any(Array) })]));
	});

	it('Include → Tables: the lines are checked again after the review', async () => {
		const [doc] = await needingReview('twopage-badlines-invoice.pdf', 'INVOICE', { ...REVIEW, include: ['tables'] });
		expect((doc.checks as Array<{ code: string; valid: boolean }>).some((check) => check.code === 'invoice_lines_sum' && !check.valid)).toBe(true);
		const result = await applyReview([answerFor(doc.review_form as FormField[])]);
		const [, review] = outputsOf(result);
		expect(review).toHaveLength(1);
		expect(review[0].json.tables).toEqual(doc.tables);
		expect((review[0].json.review_reasons as string[]).join(' ')).toMatch(/invoice_lines_sum/);
	});
});

describe('Apply Review refuses what it cannot trust, with a clear error', () => {
	async function tampered(change: (state: IDataObject) => void): Promise<IDataObject> {
		const [doc] = await needingReview('blurry-invoice.pdf');
		const answer = answerFor(doc.review_form as FormField[]);
		const data = answer.data as IDataObject;
		const [version, payload, signature] = (data[REVIEW_FIELD] as string).split('.');
		const state = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as IDataObject;
		change(state);
		data[REVIEW_FIELD] = `${version}.${Buffer.from(JSON.stringify(state)).toString('base64url')}.${signature}`;
		return answer;
	}

	it('a tampered state (a field read changed in the hidden field) is refused: the signature does not match', async () => {
		const answer = await tampered((state) => ((state.text as IDataObject)['invoice.total_amount'] = '1'));
		const result = await applyReview([answer]);
		expect(result.error?.message).toBe('This review answer was not made by a form of this credential, or it was changed: its signature does not match');
		expect((result.error as Error & { description?: string }).description).toMatch(/same credential/);
	});

	it('a form made with another credential (a foreign answer) is refused the same way', async () => {
		const [doc] = await needingReview('blurry-invoice.pdf');
		const other = credentialsFor(emu.get(), { apiKey: 'another-account-key-0000' });
		const result = await applyReview([answerFor(doc.review_form as FormField[])], {}, other);
		expect(result.error?.message).toMatch(/signature does not match/);
	});

	it('an item that is not a review answer, a damaged state, a list for a field: each a clear error, Continue On Fail gives an error item each, paired', async () => {
		const [doc] = await needingReview('blurry-invoice.pdf');
		const good = answerFor(doc.review_form as FormField[]);
		const damaged = { data: { ...(good.data as IDataObject), [REVIEW_FIELD]: 'gnr1.not-json.abc' } };
		const list = JSON.parse(JSON.stringify(good)) as IDataObject;
		const firstLabel = fieldsOf(doc.review_form as FormField[])[0].fieldLabel as string;
		(list.data as IDataObject)[firstLabel] = ['a', 'b'];
		const result = await applyReview([{ email: 'someone@example.com' }, damaged, list, good], {}, undefined);
		expect(result.error?.message).toBe('This item is not the answer of a GreenNode OCR review form');
		const continued = await run(emu.get(), [ocr({ operation: 'applyReview' }, { continueOnFail: true })], [{ email: 'x' }, damaged, list, good].map((json) => ({ json })));
		expect(continued.error).toBeUndefined();
		const items = outputsOf(continued).flat();
		const errors = items.filter((item) => item.json.error !== undefined);
		expect(errors.map((item) => [item.pairedItem, item.json.error])).toEqual([
			[{ item: 0 }, 'This item is not the answer of a GreenNode OCR review form'],
			[{ item: 1 }, 'This review answer was not made by a form of this credential, or it was changed: its signature does not match'],
			[{ item: 2 }, `The answer for field "${fieldsOf(doc.review_form as FormField[])[0].fieldName}" is a list, not a value`],
		]);
		expect(items.find((item) => item.json.error === undefined)?.pairedItem).toEqual({ item: 3 });
	});

	it('a state that is not ours at all (no signature) is called damaged', async () => {
		const result = await applyReview([{ [REVIEW_FIELD]: 'hello' }]);
		expect(result.error?.message).toBe('The hidden field "greennode_review" of this review answer is damaged: it is not "gnr1.<data>.<signature>"');
	});
});

describe('labels read back as answer keys', () => {
	it('a field name with "<" or ">" (which n8n escapes in labels) is still found, by its label or its name', () => {
		const state = {
			request_id: 'r', document_id: 'd', document_type: null, document_type_title: null,
			text: { 'a<b': 'x', 'a<b.c': 'y' }, confidence: {}, options: { normalize: true, validate: true, reviewThreshold: 0.8, fieldThresholds: [] },
			changes: [], round: 0, made_at: '2026-11-30T00:00:00.000Z',
		};
		const form = reviewFormFields(state, new Map([['a<b', ['read with 50% confidence, below 80%']]]), 'token');
		expect(form.map((field) => field.fieldLabel)).toEqual(['a‹b — read with 50% confidence, below 80%', 'a‹b.c', 'Note for the record (optional)', undefined]);
		const values = answerValues(state, { 'a‹b — read with 50% confidence, below 80%': '1', 'a‹b.c': '2' });
		expect([...values]).toEqual([['a<b', '1'], ['a<b.c', '2']]);
		expect([...answerValues(state, { 'a<b.c': '3' })]).toEqual([['a<b.c', '3']]);
	});
});

describe('Apply Review in the editor', () => {
	it('always shows two outputs, Documents and Needs Review, by the same expression n8n evaluates', () => {
		expect(configuredOutputs({ operation: 'applyReview' }).map((output) => output.displayName)).toEqual(['Documents', 'Needs Review']);
		const nodeType = new GreenNodeOcr();
		const nodeTypes: INodeTypes = { getByName: () => nodeType, getByNameAndVersion: () => nodeType, getKnownTypes: () => ({}) };
		const node: INode = { id: '1', name: 'OCR', type: 'greenNodeOcr', typeVersion: 1, position: [0, 0], parameters: { operation: 'applyReview' } };
		const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
		const evaluated = NodeHelpers.getNodeOutputs(workflow, node, nodeType.description) as Array<{ displayName: string }>;
		expect(evaluated.map((output) => output.displayName)).toEqual(['Documents', 'Needs Review']);
	});
});

describe('a form that came back unanswered', () => {
	it('the document itself (the waiting node gave up) goes to Needs Review again, as it was, with why and a fresh form', async () => {
		const [doc] = await needingReview('blurry-invoice.pdf');
		const result = await applyReview([doc]);
		expect(result.error).toBeUndefined();
		const [documents, review] = outputsOf(result);
		expect(documents).toEqual([]);
		const out = review[0].json;
		expect((out.review_reasons as string[])[0]).toMatch(/^the review form was not answered \(made .+, given up .+\)$/);
		expect((out.review_reasons as string[]).slice(1)).toEqual(doc.review_reasons);
		expect(out.fields).toEqual(doc.fields);
		expect(out.confidence).toEqual(doc.confidence);
		expect(out.review).toBeUndefined();
		expect(fieldsOf(out.review_form as FormField[])).toEqual(fieldsOf(doc.review_form as FormField[]));
		// the fresh form still works
		const answered = await applyReview([answerFor(out.review_form as FormField[])]);
		expect(outputsOf(answered)[0]).toHaveLength(1);
	});
});
