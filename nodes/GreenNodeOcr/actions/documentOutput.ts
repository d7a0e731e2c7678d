import type { IBinaryData, IDataObject, IDisplayOptions, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

type Show = NonNullable<IDisplayOptions['show']>;

import { mapWithConcurrency } from '../helpers/concurrency';
import { applyTableChecks, toDocumentItems, type DocumentItem } from '../helpers/documents';
import { reviewForm } from '../helpers/review';
import { reviewSigningKey } from '../helpers/reviewForm';
import { tableRows } from '../helpers/table';
import { resolveCredentials } from '../transport/credentials';
import { getDocumentPart, type DocumentPart, type RequestSettings } from '../transport/endpoints';
import { storeResultImage } from './resultImage';
import { readBoolean, readChoice, readFieldThresholds, readList, readOptions, readThreshold } from './settings';

/**
 * The `documents` output of Submit (with Wait for Result) and Get Result: one flat item per document,
 * values normalised and checked, with the parts asked for in Include fetched in the same run.
 */

/** What Include can add to a document: the parts with an endpoint of their own, and the page image. */
export const PARTS = ['tables', 'signatures', 'stamps', 'images'] as const satisfies ReadonlyArray<DocumentPart | 'images'>;
export type Part = (typeof PARTS)[number];

export function outputField(show: Show): INodeProperties {
	return {
		displayName: 'Output',
		name: 'output',
		type: 'options',
		default: 'documents',
		displayOptions: { show },
		options: [
			{
				name: 'One Item per Document',
				value: 'documents',
				description: 'Flat fields, normalised values, checks and review flags for each document: ready for a spreadsheet',
			},
			{ name: 'Raw', value: 'raw', description: 'The answer of GreenNode as it is, one item per request' },
		],
	};
}

/**
 * Options that shape the documents output, for the Options of Submit and Get Result; `show` adds
 * conditions (Submit shows them only with Wait for Result on).
 */
export function documentOptions(show: Show = {}): INodeProperties[] {
	return DOCUMENT_OPTIONS.map((option) => ({ ...option, displayOptions: { show: { '/output': ['documents'], ...show } } }));
}

const DOCUMENT_OPTIONS: INodeProperties[] = [
	{
		displayName: 'Include',
		name: 'include',
		type: 'multiOptions',
		default: [],
		options: [
			{ name: 'Page Images', value: 'images', description: 'The page image of each document as a binary field "image"' },
			{ name: 'Signatures', value: 'signatures', description: 'The signatures found in each document' },
			{ name: 'Stamps', value: 'stamps', description: 'The stamps (seals) found in each document' },
			{ name: 'Tables', value: 'tables', description: 'The tables of each document as rows keyed by their header' },
		],
		description: 'Parts to fetch for every document in the same run (bounded by Concurrency, with the same retries)',
	},
	{
		displayName: 'Normalize Values',
		name: 'normalize',
		type: 'boolean',
		default: true,
		description:
			'Whether Vietnamese numbers and dates become numbers and ISO dates (4.610.000 → 4610000, 15/03/2024 → 2024-03-15), with the original text kept in "original"',
	},
	{
		displayName: 'Validate Fields',
		name: 'validate',
		type: 'boolean',
		default: true,
		description:
			'Whether to check citizen ID numbers (CCCD), tax codes (MST), dates and amounts in words, and fields against each other: an invoice\'s total, VAT and lines, an ID card\'s dates',
	},
	{
		displayName: 'Review Threshold',
		name: 'reviewThreshold',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
		default: 0,
		description:
			'Above 0, a second output "Needs Review" gets each document with a field below this confidence, a failed check, a doubtful classification or no content. 0 turns it off (unless Field Thresholds are set).',
	},
	{
		displayName: 'Field Thresholds',
		name: 'fieldThresholds',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Field Threshold',
		default: {},
		description:
			'A confidence of their own for some fields, such as 0.95 for total_amount: a document goes to Needs Review when such a field is below it, even with Review Threshold lower or 0',
		options: [
			{
				displayName: 'Field Threshold',
				name: 'values',
				values: [
					{
						displayName: 'Field',
						name: 'field',
						type: 'string',
						default: '',
						placeholder: 'e.g. total_amount',
						description: 'The field name, with or without its group: total_amount or invoice.total_amount',
					},
					{
						displayName: 'Threshold',
						name: 'threshold',
						type: 'number',
						typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
						default: 0.9,
						description: 'The lowest confidence (0–1) at which this field needs no review',
					},
				],
			},
		],
	},
];

const OUTPUTS = ['documents', 'raw'] as const;

export interface OutputSettings {
	output: (typeof OUTPUTS)[number];
	include: Part[];
	normalize: boolean;
	validate: boolean;
	reviewThreshold: number;
	fieldThresholds: Array<{ field: string; threshold: number }>;
}

export function readOutputSettings(
	this: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject = readOptions.call(this, itemIndex),
): OutputSettings {
	return {
		output: readChoice.call(this, this.getNodeParameter('output', itemIndex, 'documents'), 'Output', OUTPUTS, 'documents', itemIndex) as OutputSettings['output'],
		include: readList.call(this, options.include, 'Include', PARTS, itemIndex) as Part[],
		normalize: readBoolean.call(this, options.normalize, 'Normalize Values', true, itemIndex),
		validate: readBoolean.call(this, options.validate, 'Validate Fields', true, itemIndex),
		reviewThreshold: readThreshold.call(this, options.reviewThreshold, itemIndex),
		fieldThresholds: readFieldThresholds.call(this, options.fieldThresholds, itemIndex),
	};
}

export interface Finished {
	itemIndex: number;
	data: IDataObject;
	output: OutputSettings;
	request: RequestSettings;
}

/** A document a person can correct: one that needs review and has an ID (not a request still running). */
const needsForm = (document: DocumentItem) => document.needs_review && document.document_id !== null;

type Task = { finished: Finished; json: IDataObject; binary: Record<string, IBinaryData>; part: Part };

async function fetchPart(this: IExecuteFunctions, task: Task): Promise<void> {
	const { finished, json, part } = task;
	const ids = { requestId: json.request_id ?? finished.data.request_id, documentId: json.document_id };
	if (part === 'images') {
		if (typeof json.file_id !== 'string' || json.file_id === '') return;
		const stored = await storeResultImage.call(this, finished.itemIndex, { requestId: String(ids.requestId), fileId: json.file_id }, finished.request);
		task.binary.image = stored.binary;
		return;
	}
	const data = await getDocumentPart.call(this, part, finished.itemIndex, ids, finished.request);
	json[part] =
		part === 'tables'
			? tableRows(data, { normalize: finished.output.normalize }).map((row) => ({ table: row.table, page: row.page, row: row.row, ...row.values }))
			: ((Array.isArray(data[part]) ? data[part] : []) as IDataObject[]);
}

/**
 * The output items of finished results, by input item: raw answers as they are, or one item per
 * document with its parts. A part that cannot be fetched makes its input item an error.
 */
export async function documentOutputs(
	this: IExecuteFunctions,
	finished: Finished[],
	concurrency: number,
): Promise<Map<number, INodeExecutionData[] | Error>> {
	const outputs = new Map<number, INodeExecutionData[] | Error>();
	const tasks: Task[] = [];
	const built = new Map<number, Array<{ json: IDataObject; binary: Record<string, IBinaryData> }>>();
	for (const item of finished) {
		if (item.output.output === 'raw') {
			outputs.set(item.itemIndex, [{ json: item.data }]);
			continue;
		}
		const documents = toDocumentItems(item.data, item.output).map((document) => ({
			json: document as unknown as IDataObject,
			binary: {} as Record<string, IBinaryData>,
		}));
		built.set(item.itemIndex, documents);
		for (const document of documents) {
			for (const part of item.output.include) tasks.push({ finished: item, json: document.json, binary: document.binary, part });
		}
	}
	await mapWithConcurrency(tasks, concurrency, async (task) => {
		if (outputs.get(task.finished.itemIndex) instanceof Error) return;
		try {
			await fetchPart.call(this, task);
		} catch (error) {
			outputs.set(task.finished.itemIndex, error as Error);
		}
	});
	for (const item of finished) {
		if (!item.output.include.includes('tables') || outputs.get(item.itemIndex) instanceof Error) continue;
		for (const document of built.get(item.itemIndex) ?? []) applyTableChecks(document.json as unknown as DocumentItem, item.output);
	}
	for (const item of finished) {
		const documents = (built.get(item.itemIndex) ?? []).map(({ json }) => json as unknown as DocumentItem);
		if (outputs.get(item.itemIndex) instanceof Error || !documents.some(needsForm)) continue;
		const key = reviewSigningKey((await resolveCredentials.call(this, item.itemIndex)).apiKey);
		const madeAt = new Date();
		for (const document of documents.filter(needsForm)) {
			const partner = documents.find((other) => other !== document && other.document_id === document.paired_document_id);
			(document as DocumentItem & { review_form?: unknown }).review_form = reviewForm(document, item.output, key, madeAt, partner);
		}
	}
	for (const [itemIndex, documents] of built) {
		if (outputs.get(itemIndex) instanceof Error) continue;
		outputs.set(
			itemIndex,
			documents.map(({ json, binary }) => (Object.keys(binary).length > 0 ? { json, binary } : { json })),
		);
	}
	return outputs;
}

/** Turns finished results into the outcomes of their input items (after `documentOutputs`). */
export async function settleOutputs(
	this: IExecuteFunctions,
	finished: Finished[],
	concurrency: number,
	outcomes: Map<number, { items: INodeExecutionData[] } | { error: Error }>,
): Promise<void> {
	for (const [itemIndex, output] of await documentOutputs.call(this, finished, concurrency)) {
		outcomes.set(itemIndex, output instanceof Error ? { error: output } : { items: output });
	}
}
