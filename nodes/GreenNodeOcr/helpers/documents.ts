import type { IDataObject } from 'n8n-workflow';

import { invoiceChecksWithLines, requestChecks, tableChecks, type Check, type DocumentFields, type TableRowItem } from './crossChecks';
import { nameWords, normalizeFields } from './normalize';
import { classifyResult } from './result';
import { checkFields, type FieldCheck } from './validate';
import { asObject } from './values';

/**
 * Turns one Get Result `data` object into one flat item per document.
 *
 * Field keys: always "group.name" ("eid.dob"); a group without a name gives the bare field name,
 * a field without a name its 1-based position, nested groups chain with dots ("seller.bank.name")
 * and lists of lists get the 1-based row ("items.2.quantity"). A key met again in the same
 * document gets " (2)", " (3)"…, so keys never collide and do not depend on anything but order.
 *
 * Checks: `validation` holds the check of each field alone; `checks` lists every check, those of
 * fields alone and those of fields against each other (crossChecks.ts), the two sides of one card
 * read together (the items name each other in `paired_document_id`).
 *
 * Review: with `reviewThreshold` > 0 (0–1, or a percentage above 1) or `fieldThresholds`, a document
 * needs review when a field's confidence is below its threshold (its own in `fieldThresholds`, else
 * `reviewThreshold`), a check fails, `is_correct_classification` is false or the document has no
 * content; `review_reasons` says which. Without either review is off: `needs_review` is false and
 * `review_reasons` empty (the facts stay visible in `confidence`, `validation`, `checks`,
 * `is_correct_classification` and `empty`). Document keys this module does not know (`schema`,
 * `is_correct`…) are passed through under `extra`.
 */

export interface FieldThreshold {
	/** A field name, with or without its group ("invoice.total_amount" or "total_amount"). */
	field: string;
	threshold: number;
}

export interface DocumentItemOptions {
	normalize: boolean;
	validate: boolean;
	reviewThreshold: number;
	fieldThresholds?: FieldThreshold[];
	/** The clock for "not in the future", in ms; now when absent. */
	now?: number;
}

export interface DocumentItem {
	request_id: string | null;
	document_id: string | null;
	document_type: string | null;
	document_type_title: string | null;
	status?: string;
	/** Only on the item of a request without documents: GreenNode's progress counters. */
	progress?: IDataObject;
	is_correct_classification?: boolean;
	page?: number;
	file_id?: string;
	fields: Record<string, string | number>;
	/** Original text of the fields that normalisation turned into numbers or dates. */
	original?: Record<string, string>;
	/** Field confidence, 0–1. */
	confidence: Record<string, number>;
	validation?: Record<string, FieldCheck>;
	/** Every check, of fields alone and against each other, with Validate Fields on. */
	checks?: Check[];
	/** The other side of the same card, a document of the same request. */
	paired_document_id?: string;
	needs_review: boolean;
	review_reasons: string[];
	empty?: true;
	extra?: IDataObject;
}

const ID_KEYS = ['document_id', 'id', 'doc_id', 'documentId'];
const KNOWN_KEYS = new Set([...ID_KEYS, 'request_id', 'document_type', 'document_type_title', 'status', 'is_correct_classification', 'page', 'file_id', 'ocr_data']);

function text(value: unknown): string | null {
	return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
}

/** A confidence as 0–1: numbers above 1 (up to 100) are read as percentages. */
export function toProbability(value: unknown): number | undefined {
	const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > 100) return undefined;
	return n > 1 ? n / 100 : n;
}

function fieldValue(value: unknown): string | number {
	if (value === null || value === undefined) return '';
	if (typeof value === 'string' || typeof value === 'number') return value;
	if (typeof value === 'object') return JSON.stringify(value);
	return String(value);
}

const join = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);

interface Collected {
	fields: Record<string, string | number>;
	confidence: Record<string, number>;
}

function add(out: Collected, key: string, value: unknown, prob: unknown): void {
	let unique = key;
	for (let n = 2; unique in out.fields; n++) unique = `${key} (${n})`;
	out.fields[unique] = fieldValue(value);
	const p = toProbability(prob);
	if (p !== undefined) out.confidence[unique] = p;
}

/** Walks a list: objects share the list's key, a list inside it adds its 1-based row. */
function walkList(list: unknown[], key: string, out: Collected): void {
	list.forEach((child, i) => (Array.isArray(child) ? walkList(child, join(key, String(i + 1)), out) : walk(child, key, i, out)));
}

/** Walks one entry: a field, a group (nested or not), or a bare scalar. */
function walk(node: unknown, prefix: string, position: number, out: Collected): void {
	const obj = asObject(node);
	if (!obj) {
		if (node !== null && node !== undefined) add(out, join(prefix, String(position + 1)), node, undefined);
		return;
	}
	const name = text(obj.name)?.trim() || '';
	const prob = obj.extracted_prob ?? obj.prob ?? obj.confidence;
	if ('extracted_value' in obj || (!('value' in obj) && 'text' in obj)) {
		add(out, join(prefix, name || String(position + 1)), obj.extracted_value ?? obj.text, prob);
		return;
	}
	const value = obj.value;
	const key = join(prefix, name || (prefix ? String(position + 1) : ''));
	if (Array.isArray(value)) walkList(value, key, out);
	else if (asObject(value)) {
		const inner = value as IDataObject;
		if ('extracted_value' in inner && !text(inner.name)) add(out, key || '1', inner.extracted_value, inner.extracted_prob ?? prob);
		else walk(inner, key, 0, out);
	}
	else if (value !== null && value !== undefined && value !== '') add(out, key || String(position + 1), value, prob);
}

/** Flattens `ocr_data` into fields and confidences keyed as described above. */
export function flattenOcrData(ocrData: unknown): Collected {
	const out: Collected = { fields: {}, confidence: {} };
	const groups = Array.isArray(ocrData) ? ocrData : asObject(ocrData) ? [ocrData] : [];
	groups.forEach((group, i) => (Array.isArray(group) ? walkList(group, String(i + 1), out) : walk(group, '', i, out)));
	return out;
}

function round(n: number): string {
	return String(Number(n.toFixed(4)));
}

/** A threshold as 0–1 (a percentage above 1), 0 or less as none. */
function asThreshold(value: unknown): number {
	let threshold = Number(value) || 0;
	if (threshold > 1) threshold /= 100;
	return threshold > 0 ? threshold : 0;
}

interface Review {
	on: boolean;
	threshold: number;
	/** The field's own threshold, when Field Thresholds names it. */
	fieldThreshold: (key: string) => number | undefined;
}

const none = () => undefined;

/** The words of a field name's endings: "invoice.total_amount (2)" gives "invoice_total_amount" and "total_amount". */
function suffixes(key: string): string[] {
	const segments = key.replace(/\s*\(\d+\)$/, '').split('.');
	return segments.map((_, i) => nameWords(segments.slice(i).join('.')).join('_'));
}

function reviewOf(options: Pick<DocumentItemOptions, 'reviewThreshold' | 'fieldThresholds'>): Review {
	const threshold = asThreshold(options.reviewThreshold);
	const named = new Map<string, number>();
	for (const { field, threshold: value } of options.fieldThresholds ?? []) {
		const words = nameWords(String(field)).join('_');
		if (words !== '' && !named.has(words)) named.set(words, Math.max(0, asThreshold(value)));
	}
	const fieldThreshold =
		named.size === 0
			? none
			: (key: string) => {
					for (const suffix of suffixes(key)) if (named.has(suffix)) return named.get(suffix);
					return undefined;
				};
	return { on: threshold > 0 || named.size > 0, threshold, fieldThreshold };
}

/** The codes of the checks of fields alone: their reasons come from `validation`. */
const FIELD_CODES = new Set<string>(['cccd', 'tax_code', 'date', 'amount_in_words']);

const checkReason = (check: Check) => `${check.fields.join(', ')} failed the ${check.code} check: ${check.reason}`;

/** The fields read with less confidence than their threshold: their own in Field Thresholds (`own`), else Review Threshold. */
function lowConfidences(item: DocumentItem, review: Review): Array<{ key: string; p: number; threshold: number; own: boolean }> {
	const low: Array<{ key: string; p: number; threshold: number; own: boolean }> = [];
	for (const [key, p] of Object.entries(item.confidence)) {
		const own = review.fieldThreshold(key);
		const threshold = own ?? review.threshold;
		if (p < threshold) low.push({ key, p, threshold, own: own !== undefined });
	}
	return low;
}

/** The review reasons of a document's confidences and checks (the others come first). */
function reviewReasons(item: DocumentItem, review: Review, first: string[]): string[] {
	const reasons = [...first];
	for (const { key, p, threshold, own } of lowConfidences(item, review)) {
		reasons.push(`confidence of ${key} is ${round(p)}, below ${own ? 'its field threshold ' : ''}${round(threshold)}`);
	}
	for (const [key, check] of Object.entries(item.validation ?? {})) {
		if (!check.valid) reasons.push(`${key} failed the ${check.check} check: ${check.reason}`);
	}
	for (const check of item.checks ?? []) {
		if (!check.valid && !FIELD_CODES.has(check.code)) reasons.push(checkReason(check));
	}
	return reasons;
}

/**
 * Why each field of a document is doubtful, in words: its confidence below its threshold, and each
 * failed check that read it (of the field alone or against others). Fields without doubt are absent;
 * the map keeps the order of the review reasons.
 */
export function fieldDoubts(item: DocumentItem, options: Pick<DocumentItemOptions, 'reviewThreshold' | 'fieldThresholds'>): Map<string, string[]> {
	const review = reviewOf(options);
	const doubts = new Map<string, string[]>();
	const add = (key: string, why: string) => {
		if (!(key in item.fields)) return;
		const list = doubts.get(key) ?? [];
		if (!list.includes(why)) list.push(why);
		doubts.set(key, list);
	};
	const percent = (p: number) => `${round(p * 100)}%`;
	for (const { key, p, threshold } of lowConfidences(item, review)) add(key, `read with ${percent(p)} confidence, below ${percent(threshold)}`);
	const own = item.document_id === null ? undefined : ` (${item.document_id})`;
	for (const check of item.checks ?? []) {
		if (check.valid) continue;
		for (const field of check.fields) add(own && field.endsWith(own) ? field.slice(0, -own.length) : field, check.reason);
	}
	return doubts;
}

function documentFields(item: DocumentItem): DocumentFields {
	return { documentId: item.document_id, documentType: item.document_type, fields: item.fields, original: item.original };
}

/**
 * Normalises, checks and reviews documents whose `fields` hold the text as read (or as a person gave
 * it): each document alone, then against each other (the two sides of one card). `firstReasons`
 * come before the reasons of confidences and checks when review is on. Changes the items in place.
 */
export function checkDocuments(items: DocumentItem[], firstReasons: string[][], options: DocumentItemOptions): void {
	const review = reviewOf(options);
	for (const item of items) {
		const raw: Record<string, string> = {};
		for (const [key, value] of Object.entries(item.fields)) raw[key] = String(value);
		if (options.normalize) {
			const normalized = normalizeFields(item.fields);
			item.fields = normalized.fields;
			item.original = normalized.original;
		}
		if (options.validate) {
			const checked = checkFields(raw);
			const validation: Record<string, FieldCheck> = {};
			const checks: Check[] = [];
			for (const [key, { check, valid, reason, fields: read, expected, found }] of Object.entries(checked)) {
				validation[key] = { check, valid, reason };
				checks.push({ code: check, valid, fields: read, expected, found, reason });
			}
			item.validation = validation;
			item.checks = checks;
		}
	}
	// one document alone has no other side to pair with: without checks there is nothing to do
	const cross = options.validate || items.length > 1 ? requestChecks(items.map(documentFields), { now: options.now ?? Date.now(), pairsOnly: !options.validate }) : undefined;
	items.forEach((item, i) => {
		const partner = cross ? cross.pairs[i] : -1;
		if (partner >= 0) item.paired_document_id = items[partner].document_id as string;
		if (item.checks && cross) item.checks.push(...cross.checks[i]);
		if (review.on) {
			item.review_reasons = reviewReasons(item, review, firstReasons[i] ?? []);
			item.needs_review = item.review_reasons.length > 0;
		}
	});
}

/** One item per document of a Get Result `data` object (or of a whole `{ data }` answer). */
export function toDocumentItems(data: unknown, options: DocumentItemOptions): DocumentItem[] {
	let root = asObject(data) ?? {};
	if (!Array.isArray(root.documents) && asObject(root.data)) root = asObject(root.data) as IDataObject;
	const documents = Array.isArray(root.documents) ? root.documents : [];
	const review = reviewOf(options);

	const objects = documents.map(asObject).filter((doc): doc is IDataObject => doc !== undefined);
	if (objects.length === 0) return [requestItem(root, review.on)];
	const firstReasons: string[][] = [];
	const items = objects.map((doc) => {
		const { fields, confidence } = flattenOcrData(doc.ocr_data);
		const item: DocumentItem = {
			request_id: text(root.request_id) ?? text(doc.request_id),
			document_id: text(ID_KEYS.map((key) => doc[key]).find((value) => text(value) !== null)),
			document_type: text(doc.document_type),
			document_type_title: text(doc.document_type_title),
			fields,
			confidence,
			needs_review: false,
			review_reasons: [],
		};
		if (typeof doc.status === 'string') item.status = doc.status;
		if (typeof doc.is_correct_classification === 'boolean') item.is_correct_classification = doc.is_correct_classification;
		const page = Number(doc.page);
		if (doc.page !== undefined && doc.page !== null && Number.isFinite(page)) item.page = page;
		if (text(doc.file_id) !== null) item.file_id = text(doc.file_id) as string;

		const empty = Object.keys(item.fields).length === 0;
		const reasons: string[] = [];
		if (review.on) {
			if (empty) reasons.push(`no OCR content (ocr_data is ${doc.ocr_data === null ? 'null' : doc.ocr_data === undefined ? 'missing' : 'empty'})`);
			if (doc.is_correct_classification === false) {
				reasons.push(`the document may be misclassified${item.document_type ? ` as ${item.document_type}` : ''} (is_correct_classification is false)`);
			}
		}
		firstReasons.push(reasons);

		return item;
	});

	checkDocuments(items, firstReasons, options);
	items.forEach((item, i) => {
		if (Object.keys(item.fields).length === 0) item.empty = true;
		const extra: IDataObject = {};
		for (const [key, value] of Object.entries(objects[i])) if (!KNOWN_KEYS.has(key)) extra[key] = value;
		if (Object.keys(extra).length > 0) item.extra = extra;
	});
	return items;
}

/**
 * Adds the checks of a document's item tables once Include → Tables has fetched them (`tables`):
 * each line's amount and their sum, and the invoice's total and VAT again, with one đồng of
 * rounding allowed on each line. Review follows.
 */
export function applyTableChecks(item: DocumentItem & { tables?: unknown }, options: DocumentItemOptions): void {
	if (!item.checks || !Array.isArray(item.tables) || item.tables.length === 0) return;
	const document = documentFields(item);
	const { checks, lines } = tableChecks(document, item.tables as TableRowItem[]);
	if (checks.length === 0) return;
	const review = reviewOf(options);
	const reasons = item.review_reasons;
	if (lines > 1) {
		const revised = invoiceChecksWithLines(document, { now: options.now ?? Date.now(), lines });
		item.checks = item.checks.map((check) => {
			const again = check.valid ? undefined : revised.find((candidate) => candidate.code === check.code);
			if (!again) return check;
			const at = reasons.indexOf(checkReason(check));
			if (review.on && at >= 0) {
				if (again.valid) reasons.splice(at, 1);
				else reasons[at] = checkReason(again);
			}
			return again;
		});
	}
	item.checks.push(...checks);
	if (review.on) {
		for (const check of checks) if (!check.valid) reasons.push(checkReason(check));
		item.needs_review = reasons.length > 0;
	}
}

const REQUEST_KEYS = new Set(['request_id', 'status', 'progress', 'documents']);

/**
 * The one item of a request that has no documents (still processing, failed, or finished with none):
 * its request_id, status and progress, `empty: true`, and with review on, why it needs a look.
 */
function requestItem(root: IDataObject, review: boolean): DocumentItem {
	const item: DocumentItem = {
		request_id: text(root.request_id),
		document_id: null,
		document_type: null,
		document_type_title: null,
		fields: {},
		confidence: {},
		needs_review: false,
		review_reasons: [],
		empty: true,
	};
	if (typeof root.status === 'string') item.status = root.status;
	if (asObject(root.progress)) item.progress = root.progress as IDataObject;
	if (review) {
		const state = classifyResult(root);
		item.review_reasons.push(
			state.state === 'pending'
				? `not finished yet (${state.reason}): fetch it again later with Get Result`
				: state.state === 'failed'
					? `GreenNode could not process it (${state.reason})`
					: `no documents in the result (${state.state === 'empty' ? state.reason : 'every document was ignored'})`,
		);
		item.needs_review = true;
	}
	const extra: IDataObject = {};
	for (const [key, value] of Object.entries(root)) if (!REQUEST_KEYS.has(key)) extra[key] = value;
	if (Object.keys(extra).length > 0) item.extra = extra;
	return item;
}

/** The document IDs of a Get Result `data` object, in order. */
export function documentIds(data: unknown): string[] {
	const root = asObject(data) ?? {};
	const documents = Array.isArray(root.documents) ? root.documents : [];
	return documents
		.map((doc) => text(ID_KEYS.map((key) => asObject(doc)?.[key]).find((value) => text(value) !== null)))
		.filter((id): id is string => id !== null && id !== '');
}
