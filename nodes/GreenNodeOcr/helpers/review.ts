import type { IDataObject } from 'n8n-workflow';

import { applyTableChecks, checkDocuments, fieldDoubts, type DocumentItem } from './documents';
import { normalizeValue } from './normalize';
import {
	answerValues,
	encodeState,
	fieldText,
	NOTE_FIELD,
	NOTE_LABEL,
	reviewFormFields,
	shownValue,
	type FormField,
	type ReviewChange,
	type ReviewOptions,
	type ReviewState,
} from './reviewForm';

/**
 * The review loop's two ends: the form of a document that needs review (`reviewForm`), and the
 * document again from the form's answer (`applyAnswer`): the reviewer's values normalised and
 * checked again, every field the reviewer saw at confidence 1, review worked out again, and an
 * audit of what changed. Pure: the signing key and the clock are given.
 */

export type TablesItem = DocumentItem & { tables?: unknown };

export interface ReviewRecord {
	/** Reviews done, this one included. */
	round: number;
	reviewed_at: string;
	note?: string;
	/** Every change of every round so far. */
	changes: ReviewChange[];
	/** Fields the reviewer saw and kept as they were, in this round. */
	confirmed: string[];
}

export type ReviewedItem = TablesItem & {
	review: ReviewRecord;
	/** The document as the OCR read it. */
	read: { fields: Record<string, string | number>; original?: Record<string, string>; confidence: Record<string, number> };
	review_form?: FormField[];
};

/** The state a form carries for a document (`partner`: the other side of its card, when paired). */
export function stateOf(item: TablesItem, options: ReviewOptions, madeAt: Date, partner?: DocumentItem, history?: Pick<ReviewState, 'read' | 'changes' | 'round'>): ReviewState {
	const state: ReviewState = {
		request_id: item.request_id,
		document_id: item.document_id,
		document_type: item.document_type,
		document_type_title: item.document_type_title,
		text: fieldText(item),
		confidence: item.confidence,
		options,
		changes: history?.changes ?? [],
		round: history?.round ?? 0,
		made_at: madeAt.toISOString(),
	};
	if (item.status !== undefined) state.status = item.status;
	if (item.is_correct_classification !== undefined) state.is_correct_classification = item.is_correct_classification;
	if (item.page !== undefined) state.page = item.page;
	if (item.file_id !== undefined) state.file_id = item.file_id;
	if (history?.read) state.read = history.read;
	if (partner) state.pair = { document_id: partner.document_id, document_type: partner.document_type, text: fieldText(partner) };
	if (Array.isArray(item.tables) && item.tables.length > 0) state.tables = item.tables as IDataObject[];
	return state;
}

/** The review form of a document that needs review. */
export function reviewForm(item: TablesItem, options: ReviewOptions, key: Buffer, madeAt: Date, partner?: DocumentItem, history?: Pick<ReviewState, 'read' | 'changes' | 'round'>): FormField[] {
	const state = stateOf(item, options, madeAt, partner, history);
	return reviewFormFields(state, fieldDoubts(item, options), encodeState(state, key));
}

/** An answer the reviewer cannot have given: the message says which field and what came. */
export class AnswerError extends Error {}

function givenText(key: string, value: unknown): string | null {
	if (value === null || value === undefined) return null;
	if (typeof value === 'string') return value.trim();
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	if (typeof value === 'boolean') return String(value);
	throw new AnswerError(`The answer for field "${key}" is ${Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : String(value)}, not a value`);
}

const KIND_WORDS = { number: 'a number', date: 'a date' } as const;

/**
 * The document after a review: `answer` is the form's answer (its field values by label or name).
 * Fields the answer does not name stay as they were, unconfirmed.
 */
export function applyAnswer(state: ReviewState, answer: IDataObject, key: Buffer, now: Date): ReviewedItem {
	const at = now.toISOString();
	const round = state.round + 1;
	const values = answerValues(state, answer);
	const text = { ...state.text };
	const confidence = { ...state.confidence };
	const changes: ReviewChange[] = [];
	const confirmed: string[] = [];
	const reasons: string[] = [];
	for (const field of Object.keys(state.text)) {
		const typed = givenText(field, values.get(field));
		if (typed === null) continue;
		// n8n's form JSON parser writes "<" and ">" in default values as "&lt;" and "&gt;"
		const given = typed.replace(/&lt;/g, '<').replace(/&gt;/g, '>');
		confidence[field] = 1;
		const before = shownValue(field, state.text[field], state.options.normalize);
		if (given === before.value) {
			confirmed.push(field);
			continue;
		}
		text[field] = given;
		const read = state.options.normalize ? normalizeValue(state.text[field], field) : undefined;
		changes.push({ field, read: read ? read.value : state.text[field], given, at, round });
		if (read && read.kind !== 'text' && given !== '') {
			const now = normalizeValue(given, field);
			if (now.kind !== read.kind) {
				reasons.push(`${field}: "${given}" given in review is not ${KIND_WORDS[read.kind]}${now.note ? ` (${now.note})` : ''}; it was read as ${read.value}`);
			}
		}
	}

	const item: TablesItem = {
		request_id: state.request_id,
		document_id: state.document_id,
		document_type: state.document_type,
		document_type_title: state.document_type_title,
		fields: text,
		confidence,
		needs_review: false,
		review_reasons: [],
	};
	if (state.status !== undefined) item.status = state.status;
	if (state.is_correct_classification !== undefined) item.is_correct_classification = state.is_correct_classification;
	if (state.page !== undefined) item.page = state.page;
	if (state.file_id !== undefined) item.file_id = state.file_id;
	const documents: DocumentItem[] = [item];
	let partner: DocumentItem | undefined;
	if (state.pair) {
		partner = { ...state.pair, request_id: state.request_id, document_type_title: null, fields: { ...state.pair.text }, confidence: {}, needs_review: false, review_reasons: [] };
		documents.push(partner);
	}
	const options = { ...state.options, now: now.getTime() };
	checkDocuments(documents, [reasons, []], options);
	if (state.tables) {
		item.tables = state.tables;
		applyTableChecks(item, options);
	}
	if (Object.keys(item.fields).length === 0) item.empty = true;

	const readState = state.read ?? { text: state.text, confidence: state.confidence };
	const readItem: DocumentItem = { ...item, fields: { ...readState.text }, confidence: readState.confidence };
	checkDocuments([readItem], [[]], { ...options, validate: false, reviewThreshold: 0, fieldThresholds: [] });
	const note = givenText(NOTE_LABEL, answer[NOTE_FIELD] ?? answer[NOTE_LABEL]);
	const review: ReviewRecord = { round, reviewed_at: at, changes: [...state.changes, ...changes], confirmed };
	if (note) review.note = note;
	const reviewed: ReviewedItem = {
		...item,
		review,
		read: { fields: readItem.fields, ...(readItem.original && Object.keys(readItem.original).length > 0 ? { original: readItem.original } : {}), confidence: readState.confidence },
	};
	if (reviewed.needs_review) {
		reviewed.review_form = reviewForm(item, state.options, key, now, partner, { read: readState, changes: review.changes, round });
	}
	return reviewed;
}

/**
 * A document whose form came back unanswered (the waiting node's Limit Wait Time ran out): as it
 * was, to Needs Review again with that reason and a fresh form.
 */
export function unanswered(state: ReviewState, key: Buffer, now: Date): ReviewedItem {
	const item = applyAnswer(state, {}, key, now);
	const reason = `the review form was not answered (made ${state.made_at}, given up ${now.toISOString()})`;
	item.review_reasons = [reason, ...item.review_reasons];
	item.needs_review = true;
	// no review happened now: the record is that of the reviews before, if any
	if (state.round === 0) delete (item as Partial<ReviewedItem>).review;
	else item.review = { round: state.round, reviewed_at: state.made_at, changes: state.changes, confirmed: [] };
	const again: ReviewState = { ...state, made_at: now.toISOString() };
	item.review_form = reviewFormFields(again, fieldDoubts(item, state.options), encodeState(again, key));
	return item;
}
