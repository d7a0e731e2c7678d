import { createHmac, timingSafeEqual } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

import type { DocumentItem, FieldThreshold } from './documents';
import { normalizeValue } from './normalize';
import { asObject } from './values';

/**
 * The review form of a document, in n8n's JSON form format (the one n8n's Form node and the "Send
 * and Wait for Response" of Send Email, Gmail, Slack, Telegram… take with *Define Form: Using JSON*),
 * and the signed state its hidden field carries, so that the form's answer alone is enough for
 * Apply Review. Pure: the signing key is given.
 *
 * The form: one field per extracted field, the doubtful ones first with why in the label, the value
 * as it stands as the default (dates as date fields), an optional note, and the hidden state. Its
 * answer names each field by its label (Send and Wait, Wait, Form before version 2.4) or by its
 * field name (Form 2.4+): the label starts with the field name, so both are read.
 */

export const REVIEW_FIELD = 'greennode_review';
export const NOTE_FIELD = 'greennode_review_note';
export const NOTE_LABEL = 'Note for the record (optional)';
const TOKEN_VERSION = 'gnr1';
/** Between a field's name and why it is doubtful, in its label. */
export const LABEL_SEPARATOR = ' — ';

export interface FormField {
	fieldLabel?: string;
	fieldName?: string;
	fieldType: 'text' | 'textarea' | 'date' | 'hiddenField';
	defaultValue?: string;
	fieldValue?: string;
	requiredField?: boolean;
}

export interface ReviewChange {
	field: string;
	/** The value before this review, as the document had it. */
	read: string | number;
	/** What the reviewer gave. */
	given: string;
	at: string;
	round: number;
}

export interface ReviewOptions {
	normalize: boolean;
	validate: boolean;
	reviewThreshold: number;
	fieldThresholds: FieldThreshold[];
}

/** What the hidden field carries: the document as it stands, its OCR read, and the reviews so far. */
export interface ReviewState {
	request_id: string | null;
	document_id: string | null;
	document_type: string | null;
	document_type_title: string | null;
	status?: string;
	is_correct_classification?: boolean;
	page?: number;
	file_id?: string;
	/** The text of each field as it stands (before normalisation), in document order. */
	text: Record<string, string>;
	confidence: Record<string, number>;
	/** The OCR read, once a review has changed the document. */
	read?: { text: Record<string, string>; confidence: Record<string, number> };
	options: ReviewOptions;
	/** The other side of the same card, for the checks that read both. */
	pair?: { document_id: string | null; document_type: string | null; text: Record<string, string> };
	/** The rows of the document's tables (Include → Tables), for the checks of its lines. */
	tables?: IDataObject[];
	changes: ReviewChange[];
	/** Reviews done so far. */
	round: number;
	made_at: string;
}

/** The key that signs review states, derived from the credential's API key (which it does not reveal). */
export function reviewSigningKey(apiKey: string): Buffer {
	return createHmac('sha256', apiKey).update('n8n-nodes-greennode-ocr review form').digest();
}

const base64url = (buffer: Buffer) => buffer.toString('base64url');

function signature(key: Buffer, payload: string): Buffer {
	return createHmac('sha256', key).update(`${TOKEN_VERSION}.${payload}`).digest();
}

export function encodeState(state: ReviewState, key: Buffer): string {
	const payload = base64url(Buffer.from(JSON.stringify(state), 'utf8'));
	return `${TOKEN_VERSION}.${payload}.${base64url(signature(key, payload))}`;
}

export type Decoded = { ok: true; state: ReviewState } | { ok: false; problem: 'damaged' | 'signature'; detail: string };

const isTextMap = (value: unknown): value is Record<string, string> =>
	asObject(value) !== undefined && Object.values(value as object).every((v) => typeof v === 'string');
const isNumberMap = (value: unknown): value is Record<string, number> =>
	asObject(value) !== undefined && Object.values(value as object).every((v) => typeof v === 'number');

/** Reads a signed state; says whether it is damaged (not one of ours) or its signature does not match. */
export function decodeState(token: string, key: Buffer): Decoded {
	const parts = token.trim().split('.');
	if (parts.length !== 3 || parts[0] !== TOKEN_VERSION || !/^[\w-]+$/.test(parts[1]) || !/^[\w-]+$/.test(parts[2])) {
		return { ok: false, problem: 'damaged', detail: `it is not "${TOKEN_VERSION}.<data>.<signature>"` };
	}
	const given = Buffer.from(parts[2], 'base64url');
	const expected = signature(key, parts[1]);
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
		return { ok: false, problem: 'signature', detail: 'its signature does not match' };
	}
	let state: ReviewState;
	try {
		state = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as ReviewState;
	} catch {
		return { ok: false, problem: 'damaged', detail: 'its data is not JSON' };
	}
	const options = asObject(state?.options);
	if (!asObject(state) || !isTextMap(state.text) || !isNumberMap(state.confidence) || !options || !Array.isArray(state.changes) || typeof state.round !== 'number') {
		return { ok: false, problem: 'damaged', detail: 'its data is not a document' };
	}
	return { ok: true, state };
}

/** The text of each field as it stands: the original text of normalised values, else the value. */
export function fieldText(item: Pick<DocumentItem, 'fields' | 'original'>): Record<string, string> {
	const text: Record<string, string> = {};
	for (const [key, value] of Object.entries(item.fields)) text[key] = item.original?.[key] ?? String(value);
	return text;
}

/** What the form shows for a field's text: its normalised value when normalising, else the text. */
export function shownValue(key: string, text: string, normalize: boolean): { value: string; date: boolean } {
	if (!normalize) return { value: text, date: false };
	const normalized = normalizeValue(text, key);
	return { value: String(normalized.value), date: normalized.kind === 'date' };
}

/** Labels are read back as answer keys: n8n escapes "<" and ">" in them, so they hold neither. */
function clean(text: string): string {
	return text.replace(/</g, '‹').replace(/>/g, '›').replace(/\s+/g, ' ').trim();
}

export function fieldLabel(key: string, doubts: string[] = []): string {
	return doubts.length === 0 ? clean(key) : clean(`${key}${LABEL_SEPARATOR}${doubts.join('; ')}`);
}

/**
 * The form of a document: doubtful fields first (in the order of `doubts`), then the others in
 * document order; `token` is the signed state for the hidden field.
 */
export function reviewFormFields(state: ReviewState, doubts: Map<string, string[]>, token: string): FormField[] {
	const keys = Object.keys(state.text);
	const order = [...[...doubts.keys()].filter((key) => key in state.text), ...keys.filter((key) => !doubts.has(key))];
	const fields: FormField[] = order.map((key) => {
		const shown = shownValue(key, state.text[key], state.options.normalize);
		const long = shown.value.length > 50 || shown.value.includes('\n');
		return {
			fieldLabel: fieldLabel(key, doubts.get(key)),
			fieldName: key,
			fieldType: shown.date ? 'date' : long ? 'textarea' : 'text',
			defaultValue: shown.value,
			requiredField: false,
		};
	});
	fields.push({ fieldLabel: NOTE_LABEL, fieldName: NOTE_FIELD, fieldType: 'textarea', requiredField: false });
	fields.push({ fieldType: 'hiddenField', fieldName: REVIEW_FIELD, fieldValue: token });
	return fields;
}

export type AnswerValue = string | number | boolean | null | undefined | object;

/**
 * The reviewer's value of each field of a state, from a form answer: by field name or by a label
 * that starts with it (the longest field name that fits wins). Fields the answer does not name are absent.
 */
export function answerValues(state: ReviewState, answer: IDataObject): Map<string, AnswerValue> {
	const keys = Object.keys(state.text).sort((a, b) => b.length - a.length);
	const cleaned = new Map(keys.map((key) => [key, clean(key)]));
	const values = new Map<string, AnswerValue>();
	for (const [name, value] of Object.entries(answer)) {
		if (name === REVIEW_FIELD || name === NOTE_FIELD || name === NOTE_LABEL) continue;
		const label = name.replace(/&lt;/g, '‹').replace(/&gt;/g, '›');
		const key = label in state.text ? label : keys.find((candidate) => {
			const shown = cleaned.get(candidate) as string;
			return label === shown || label.startsWith(`${shown}${LABEL_SEPARATOR}`);
		});
		if (key !== undefined && !values.has(key)) values.set(key, value as AnswerValue);
	}
	return values;
}
