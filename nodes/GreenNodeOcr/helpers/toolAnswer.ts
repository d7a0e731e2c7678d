import type { IDataObject } from 'n8n-workflow';

import { asObject } from './values';

/**
 * What an AI model gets back when the node runs as a tool: n8n hands it the JSON of the output
 * items, all of it, unbounded. A compact answer keeps what a model acts on (ids, type, fields, the
 * confidence of doubtful fields, failed checks, review flag and reasons, status) and drops what it
 * cannot use (coordinates, GreenNode's extras, the review form, the OCR read). `boundAnswer` then
 * keeps the whole answer under a number of characters, cutting the least useful parts first and
 * saying what was cut, so the JSON stays valid.
 */

/** Confidences below this are kept in a compact answer ("doubtful"); the others are left out. */
const DOUBTFUL = 0.9;

const DOCUMENT_KEYS = ['request_id', 'document_id', 'document_type', 'document_type_title', 'status', 'page', 'paired_document_id', 'empty', 'reused'];

function compactDocument(json: IDataObject): IDataObject {
	const out: IDataObject = {};
	for (const key of DOCUMENT_KEYS) if (json[key] !== undefined && json[key] !== null) out[key] = json[key];
	out.fields = json.fields;
	const confidence = asObject(json.confidence);
	if (confidence) {
		const doubtful = Object.fromEntries(Object.entries(confidence).filter(([, p]) => typeof p === 'number' && p < DOUBTFUL));
		if (Object.keys(doubtful).length > 0) out.low_confidence = doubtful;
	}
	if (Array.isArray(json.checks)) {
		const failed = (json.checks as IDataObject[]).filter((check) => check?.valid === false).map((check) => ({ code: check.code, fields: check.fields, reason: check.reason }));
		if (failed.length > 0) out.failed_checks = failed;
	}
	out.needs_review = json.needs_review === true;
	if (Array.isArray(json.review_reasons) && json.review_reasons.length > 0) out.review_reasons = json.review_reasons;
	if (json.progress !== undefined) out.progress = json.progress;
	if (Array.isArray(json.tables)) out.tables = json.tables;
	for (const part of ['signatures', 'stamps']) {
		if (Array.isArray(json[part])) out[part] = (json[part] as unknown[]).length;
	}
	if (json.review !== undefined) out.review = json.review;
	return out;
}

/** Drops coordinates (`bbox`, `box`, `coordinates`, `polygon`…) from any other answer. */
export function withoutCoordinates(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(withoutCoordinates);
	const object = asObject(value);
	if (!object) return value;
	const out: IDataObject = {};
	for (const [key, inner] of Object.entries(object)) {
		if (/^(bbox|box|boxes|coordinates?|polygon|points|position|location)$/i.test(key)) continue;
		out[key] = withoutCoordinates(inner) as IDataObject;
	}
	return out;
}

/** One item's JSON as a model should see it. */
export function compactJson(json: IDataObject): IDataObject {
	if (json.error !== undefined) return json;
	const isDocument = asObject(json.fields) !== undefined && 'needs_review' in json;
	return isDocument ? compactDocument(json) : (withoutCoordinates(json) as IDataObject);
}

const size = (items: IDataObject[]) => JSON.stringify(items).length;

/**
 * Keeps the answer within `maxCharacters` (of its JSON): first the table rows of each item are cut
 * (halving until it fits), then the fields of each item, then whole items from the end; each cut
 * is said in the item (`tables_not_shown`, `fields_not_shown`) or in a last item.
 */
export function boundAnswer(items: IDataObject[], maxCharacters: number): IDataObject[] {
	let out = items.map((item) => ({ ...item }));
	if (size(out) <= maxCharacters) return out;
	const cut = (key: string, note: string) => {
		let keep = Math.max(0, ...out.map((item) => listLength(item[key])));
		while (size(out) > maxCharacters && keep > 0) {
			keep = Math.floor(keep / 2);
			out = out.map((item, i) => cutTo(items[i], item, key, keep, note));
		}
	};
	cut('tables', 'tables_not_shown');
	cut('fields', 'fields_not_shown');
	if (size(out) <= maxCharacters) return out;
	const all = out.length;
	const note = (shown: number): IDataObject => ({
		note: `${all - shown} of ${all} entries not shown: the answer is limited to ${maxCharacters} characters. Ask for one document (request_id and document_id), or raise the tool's Max Answer Length.`,
	});
	while (out.length > 1 && size([...out, note(out.length)]) > maxCharacters) out.pop();
	out.push(note(out.length));
	if (size(out) > maxCharacters) {
		return [{ note: `The answer (${size(items)} characters) does not fit in ${maxCharacters} characters, even cut down. Ask for one document, or raise the tool's Max Answer Length.`, request_id: items[0]?.request_id ?? null }];
	}
	return out;
}

function listLength(value: unknown): number {
	if (Array.isArray(value)) return value.length;
	const object = asObject(value);
	return object ? Object.keys(object).length : 0;
}

function cutTo(original: IDataObject, item: IDataObject, key: string, keep: number, note: string): IDataObject {
	const value = original[key];
	const total = listLength(value);
	if (total <= keep) return item;
	const next = { ...item };
	next[key] = Array.isArray(value) ? value.slice(0, keep) : Object.fromEntries(Object.entries(asObject(value) as IDataObject).slice(0, keep));
	next[note] = total - keep;
	return next;
}
