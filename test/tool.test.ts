import { NodeHelpers, type IDataObject, type INodeExecutionData } from 'n8n-workflow';

import type { RunResult } from '../dev/runner';
import { GreenNodeOcr } from '../nodes/GreenNodeOcr/GreenNodeOcr.node';
import { boundAnswer } from '../nodes/GreenNodeOcr/helpers/toolAnswer';
import { credentialsFor, everythingVisible, FAST, jpegItem, ocr, pdfItem, run, useEmulator } from './support';

/** The node as an AI agent's tool: what the model is told, and what it gets back. */

const emu = useEmulator();
const tool = (parameters: IDataObject, extra = {}) => ({ ...ocr(parameters, extra), type: 'greenNodeOcrTool' });
const outputsOf = (result: RunResult): INodeExecutionData[][] => result.outputs['GreenNode OCR'] ?? [];

async function submitted(fileName: string, docType = 'INVOICE'): Promise<string> {
	const result = await run(emu.get(), [ocr({ operation: 'submit', waitForResult: false, docType })], [pdfItem(fileName)]);
	return result.items[0].json.request_id as string;
}

describe('what the model is told', () => {
	const description = new GreenNodeOcr().description;
	const toolDescription = { ...description, name: 'greenNodeOcrTool' };
	const told = (operation: string) => {
		const parameters = NodeHelpers.getNodeParameters(description.properties, { operation }, true, false, { typeVersion: 1 } as never, toolDescription) as IDataObject;
		return NodeHelpers.getToolDescriptionForNode({ parameters } as never, { description: toolDescription } as never);
	};

	it('each operation has its own description in the tool copy, naming what it needs and returns', () => {
		const texts = ['submit', 'getResult', 'getTable', 'getSignature', 'getStamp', 'getFile', 'applyReview'].map(told);
		expect(new Set(texts).size).toBe(7);
		expect(told('submit')).toMatch(/Input: url, .*Output: one entry per document with request_id, document_id, document_type, fields/);
		expect(told('getResult')).toMatch(/Input: request_id .*status PROCESSING/);
		expect(told('getTable')).toMatch(/Input: request_id, and document_id .*one entry per table row/);
		for (const text of texts) expect(text).not.toBe(description.description);
	});

	it('the descriptions and the tool options do not show on the node itself', () => {
		const parameters = NodeHelpers.getNodeParameters(description.properties, { operation: 'submit' }, true, false, { typeVersion: 1 } as never, description) as IDataObject;
		expect(parameters.toolDescription).toBeUndefined();
		expect(parameters.toolAnswer).toBeUndefined();
	});
});

describe('what the model gets back', () => {
	it('one output: a document that needs review stays in it, flagged with its reasons; compact: no coordinates, extras or review form', async () => {
		const requestId = await submitted('blurry-invoice.pdf');
		const result = await run(emu.get(), [tool({ operation: 'getResult', requestId, options: { ...FAST, reviewThreshold: 0.8, include: ['tables', 'signatures'] } })]);
		expect(result.error).toBeUndefined();
		const outputs = outputsOf(result);
		expect(outputs).toHaveLength(1);
		const [answer] = outputs[0];
		expect(answer.json).toMatchObject({ request_id: requestId, document_id: 'doc-1', document_type: 'INVOICE', needs_review: true });
		expect((answer.json.review_reasons as string[]).length).toBeGreaterThan(0);
		expect((answer.json.fields as IDataObject)['invoice.total_amount']).toBe(4610000);
		expect(Object.values(answer.json.low_confidence as IDataObject).every((p) => (p as number) < 0.9)).toBe(true);
		expect(answer.json.signatures).toEqual(expect.any(Number));
		const text = JSON.stringify(answer.json);
		for (const absent of ['review_form', 'bbox', 'extra', 'original', 'validation', '"confidence"']) expect(text).not.toContain(absent);
		expect(answer.pairedItem).toEqual({ item: 0 });
	});

	it('the answer stays within Max Answer Length, and says what it cut', async () => {
		const requestId = await submitted('twopage-invoice.pdf');
		const full = await run(emu.get(), [tool({ operation: 'getResult', requestId, options: { ...FAST, include: ['tables'] } })]);
		const whole = JSON.stringify(outputsOf(full)[0].map((item) => item.json)).length;
		const limit = Math.floor(whole / 2);
		const result = await run(emu.get(), [tool({ operation: 'getResult', requestId, toolMaxCharacters: limit, options: { ...FAST, include: ['tables'] } })]);
		const answer = outputsOf(result)[0].map((item) => item.json);
		expect(JSON.stringify(answer).length).toBeLessThanOrEqual(limit);
		expect(answer[0].tables_not_shown).toEqual(expect.any(Number));
		expect(answer[0].request_id).toBe(requestId);
	});

	it('an error is an answer that says what to do next (the model gets no error description from n8n)', async () => {
		emu.get().configure({ pendingPolls: 1000 });
		const requestId = await submitted('invoice.pdf');
		const result = await run(emu.get(), [tool({ operation: 'getResult', requestId, options: { pollInterval: 0.05, timeout: 0.3 } })]);
		expect(result.error).toBeUndefined();
		const [answer] = outputsOf(result)[0];
		expect(answer.json.error).toMatch(new RegExp(`No result for request_id "${requestId}"`));
		expect(answer.json.what_to_do).toMatch(/still processing.*Get Result operation and this request_id/);
	});

	it('a tool whose input has no file (an agent passes none) says so; the key appears nowhere', async () => {
		const result = await run(emu.get(), [tool({ operation: 'submit', docType: 'ID', options: FAST })], [{ json: { url: 'x' } }]);
		const [answer] = outputsOf(result)[0];
		expect(answer.json.error).toBe('The input item has no binary field "data"');
		expect(everythingVisible(result)).not.toContain(credentialsFor(emu.get()).greenNodeOcrApi.apiKey);
	});

	it('Everything gives every key but coordinates and the review form', async () => {
		const result = await run(emu.get(), [tool({ operation: 'submit', docType: 'ID', toolAnswer: 'full', options: { ...FAST, reviewThreshold: 0.99 } })], [jpegItem('blurry-id.jpg')]);
		const [answer] = outputsOf(result)[0];
		expect(answer.json.confidence).toEqual(expect.any(Object));
		expect(answer.json.review_form).toBeUndefined();
		expect(JSON.stringify(answer.json)).not.toContain('bbox');
	});
});

describe('boundAnswer', () => {
	const doc = (n: number) => ({ request_id: 'r', document_id: `d${n}`, fields: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`field_${i}`, 'x'.repeat(30)])) });

	it('cuts fields before documents, then documents from the end with a note; the JSON stays under the limit', () => {
		const items = [doc(1), doc(2), doc(3)];
		const cut = boundAnswer(items, 1200);
		expect(JSON.stringify(cut).length).toBeLessThanOrEqual(1200);
		expect(cut[0].fields_not_shown).toEqual(expect.any(Number));
		const few = boundAnswer(Array.from({ length: 40 }, (_, i) => doc(i)), 1500);
		expect(JSON.stringify(few).length).toBeLessThanOrEqual(1500);
		expect(String(few.at(-1)?.note)).toMatch(/of 40 entries not shown/);
		expect(boundAnswer(items, 100000)).toEqual(items);
	});
});
