import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeError } from 'n8n-workflow';

import { boundAnswer, compactJson, withoutCoordinates } from '../helpers/toolAnswer';

/**
 * The node as a tool of n8n's AI Agent or MCP Server Trigger (its copy "GreenNode OCR Tool"). n8n
 * gives the model the node's general description for every operation unless the node has a
 * resource, so each operation has a description of its own here (the tool copy's "Description",
 * shown only there). The model gets the JSON of output 0 only, unbounded: in tool mode the node
 * answers on one output, compact and within Max Answer Length, and an error is an answer that says
 * what to do next (n8n would pass the model the error's message alone).
 */

const TOOL_DESCRIPTIONS: Record<string, string> = {
	submit:
		'Reads a document (PDF or image: invoice, ID card…) with GreenNode OCR and returns what it extracted. ' +
		'Input: url, the http(s) address of the file (when the tool reads files by URL). ' +
		'Output: one entry per document with request_id, document_id, document_type, fields (field name → value; amounts as numbers, dates as YYYY-MM-DD), ' +
		'low_confidence (fields read with less than 90% confidence), failed_checks (arithmetic or format checks that failed), needs_review and review_reasons (why a person should check it). ' +
		'If the answer says the document is still processing, fetch it later with the request_id.',
	getResult:
		'Gets the OCR result of a document submitted to GreenNode OCR earlier. Input: request_id (returned when the document was submitted). ' +
		'Output: one entry per document with document_id, document_type, fields (field name → value), low_confidence, failed_checks, needs_review and review_reasons; ' +
		'while GreenNode is still processing, an entry with status PROCESSING and progress: try again later.',
	getTable:
		'Gets the tables of a document read by GreenNode OCR (for example the line items of an invoice). Input: request_id, and document_id (empty for every document of the request). ' +
		'Output: one entry per table row, keyed by the column headers, with table, page and row numbers.',
	getSignature:
		'Lists the handwritten signatures found in a document read by GreenNode OCR. Input: request_id and document_id. Output: the signatures with their page; empty when there is none.',
	getStamp:
		'Lists the stamps (seals) found in a document read by GreenNode OCR. Input: request_id and document_id. Output: the stamps with their page and text; empty when there is none.',
	getFile:
		'Downloads a result image (a page, a signature or a stamp) of GreenNode OCR. Input: request_id and file_id. Output: the file name, MIME type and size; the image itself is kept in the workflow, not passed to the model.',
	applyReview:
		'Applies a person\'s answer to a document\'s review form. Input: the form answer. Output: the corrected document, checked again, with an audit of what changed.',
};

export const toolProperties: INodeProperties[] = [
	...Object.entries(TOOL_DESCRIPTIONS).map(
		([operation, text]): INodeProperties => ({
			displayName: 'Description',
			name: 'toolDescription',
			type: 'string',
			typeOptions: { rows: 4 },
			default: text,
			displayOptions: { show: { '@tool': [true], operation: [operation] } },
			description: 'What the AI model is told this tool does, needs and returns. It decides whether the model calls it well.',
		}),
	),
	{
		displayName: 'Answer to the Model',
		name: 'toolAnswer',
		type: 'options',
		default: 'compact',
		displayOptions: { show: { '@tool': [true] } },
		options: [
			{
				name: 'Compact',
				value: 'compact',
				description: 'Fields, doubtful confidences, failed checks, review flag and reasons, IDs: no coordinates, raw extras or review form',
			},
			{ name: 'Everything', value: 'full', description: 'Every key the node outputs, without coordinates' },
		],
	},
	{
		displayName: 'Max Answer Length',
		name: 'toolMaxCharacters',
		type: 'number',
		typeOptions: { minValue: 500 },
		default: 12000,
		displayOptions: { show: { '@tool': [true] } },
		description: 'The most characters of JSON the model gets; table rows, then fields, then whole documents are cut (and the answer says so) beyond it',
	},
];

/** Whether the node runs as n8n's tool copy of it (AI Agent, MCP Server Trigger). */
export function isToolRun(this: IExecuteFunctions): boolean {
	return this.getNode().type.endsWith('Tool');
}

function errorAnswer(error: Error): IDataObject {
	const answer: IDataObject = { error: error.message };
	const next = error instanceof NodeError ? error.description : undefined;
	if (next) answer.what_to_do = next;
	return answer;
}

/** The one output of a tool run: compact (or everything without coordinates), bounded, errors as answers. */
export function toolOutput(this: IExecuteFunctions, output: INodeExecutionData[] | Error): INodeExecutionData[] {
	const items = output instanceof Error ? [{ json: errorAnswer(output), pairedItem: { item: 0 } }] : output;
	const mode = this.getNodeParameter('toolAnswer', 0, 'compact') as string;
	const limit = Number(this.getNodeParameter('toolMaxCharacters', 0, 12000)) || 12000;
	const answers = items.map((item) => {
		const json = item.json.error !== undefined && item.json.what_to_do === undefined && typeof item.json.details === 'string'
			? { error: item.json.error, what_to_do: item.json.details }
			: item.json;
		return mode === 'full' ? (withoutCoordinates(withoutReviewForm(json)) as IDataObject) : compactJson(json);
	});
	return boundAnswer(answers, Math.max(500, limit)).map((json, index) => ({ json, pairedItem: items[index]?.pairedItem ?? { item: 0 } }));
}

function withoutReviewForm(json: IDataObject): IDataObject {
	const { review_form: _form, ...rest } = json;
	return rest;
}
