import { foldVietnamese } from './vietnameseNumbers';

/**
 * Turns Vietnamese number and date text into numbers and ISO dates, keeping the original text.
 * Text that is not clearly a number or a date stays text. The rules, Vietnamese first:
 * - "." groups thousands and "," is the decimal mark: "4.610.000" is 4610000, "1,5" is 1.5,
 *   "1.000,50" is 1000.5. English style is read when it cannot be Vietnamese: "4,610,000" (two
 *   commas), "1,000.50" (comma before dot), "0.5" and "1.25" (a dot not followed by a group of
 *   exactly three digits cannot group thousands, so it is a decimal point).
 * - "1,000" and "12,345" (one comma, then exactly three digits) are ambiguous (1 or 1000) and
 *   stay text, with a note.
 * - Identifiers stay text: a leading zero ("0123", "079303009457"), ten or more digits without
 *   separators (tax codes, phones, accounts), or a field name saying it is an identifier.
 * - "đ", "₫", "đồng", "VNĐ", "VND" around a number are dropped; a leading "-" or "−" is a minus.
 *   "10%", "(1.500)" and other currencies stay text.
 * - Dates: dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd and "ngày 15 tháng 03 năm 2024" become
 *   yyyy-mm-dd; a date that does not exist ("31/02/2024") stays text with a note; two-digit
 *   years, month/year and date-times stay text.
 */

export type NormalizedKind = 'number' | 'date' | 'text';

export interface NormalizedValue {
	value: string | number;
	kind: NormalizedKind;
	original: string;
	/** Why text that looks like a number or a date was left as text. */
	note?: string;
}

/** Field names repeat in every document: their words are worked out once. */
const wordsOfName = new Map<string, { words: string[]; joined: string }>();

function words(name: string): { words: string[]; joined: string } {
	let known = wordsOfName.get(name);
	if (!known) {
		const list = foldVietnamese(name.replace(/([a-z])([A-Z])/g, '$1_$2'))
			.split(/[^a-z0-9]+/)
			.filter((word) => word !== '');
		known = { words: list, joined: `_${list.join('_')}_` };
		if (wordsOfName.size >= 2000) wordsOfName.clear();
		wordsOfName.set(name, known);
	}
	return known;
}

const wrappedPhrases = new WeakMap<readonly string[], string[]>();

/** `_phrase_` of each phrase, worked out once for each list of phrases. */
function wrapped(phrases: readonly string[]): string[] {
	let list = wrappedPhrases.get(phrases);
	if (!list) {
		list = phrases.map((phrase) => `_${phrase}_`);
		wrappedPhrases.set(phrases, list);
	}
	return list;
}

/** Lower-case words of a field name: "eid.id_number (2)" gives ["eid", "id", "number", "2"]. */
export function nameWords(name: string): string[] {
	return [...words(name).words];
}

/** The answers of `nameHas`, for each list of phrases: field names repeat in every document. */
const nameHasAnswers = new WeakMap<readonly string[], Map<string, boolean>>();

/** True when one of the phrases (words joined by "_") occurs in the field name's words. */
export function nameHas(name: string, phrases: readonly string[]): boolean {
	let answers = nameHasAnswers.get(phrases);
	if (!answers) nameHasAnswers.set(phrases, (answers = new Map()));
	let answer = answers.get(name);
	if (answer === undefined) {
		const joined = words(name).joined;
		answer = wrapped(phrases).some((phrase) => joined.includes(phrase));
		if (answers.size >= 2000) answers.clear();
		answers.set(name, answer);
	}
	return answer;
}

const IDENTIFIER_NAMES = [
	'id', 'cccd', 'cmnd', 'cmt', 'passport', 'ho_chieu', 'dinh_danh', 'mst', 'tax_code', 'taxcode', 'tax_id',
	'tax_number', 'tax_no', 'ma', 'code', 'phone', 'tel', 'mobile', 'fax', 'sdt', 'dien_thoai', 'so_tk', 'stk',
	'account', 'tai_khoan', 'serial', 'ky_hieu', 'mau_so', 'so_hoa_don', 'number', 'zip', 'postal', 'barcode',
];

/**
 * True for field names that hold identifiers (ID and tax codes, phones, accounts, serials, "mã…",
 * "…_number", "…_no"): their values are never numbers. Tax amounts ("tax", "tien_thue") are not.
 * Only the last part of a dotted key counts: "account.balance" is an amount.
 */
export function isIdentifierField(name: string): boolean {
	const base = name.slice(name.lastIndexOf('.') + 1);
	const words = nameWords(base);
	return nameHas(base, IDENTIFIER_NAMES) || (words.length > 1 && words[words.length - 1] === 'no');
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
	return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in a month of a year (1-based month). */
export function daysInMonth(year: number, month: number): number {
	return month === 2 && !isLeapYear(year) ? 28 : DAYS_IN_MONTH[month - 1];
}

export type ParsedDate =
	| { valid: true; iso: string; year: number; month: number; day: number }
	| { valid: false; reason: string };

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Reads a date in the forms listed above; undefined when the text is not shaped like a date. */
export function parseDate(text: string): ParsedDate | undefined {
	// Every form has a four-digit year: most values (names, addresses, codes) are ruled out before folding.
	if (!/\d{4}/.test(text)) return undefined;
	const t = foldVietnamese(text).trim().replace(/\.$/, '');
	let m = /^(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4})$/.exec(t);
	let day: number, month: number, year: number;
	if (m) [day, month, year] = [Number(m[1]), Number(m[3]), Number(m[4])];
	else if ((m = /^(\d{4})([/-])(\d{1,2})\2(\d{1,2})$/.exec(t))) [year, month, day] = [Number(m[1]), Number(m[3]), Number(m[4])];
	else if ((m = /^(?:ngay\s+)?(\d{1,2})\s+thang\s+(\d{1,2})\s*,?\s+nam\s+(\d{4})$/.exec(t)))
		[day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
	else return undefined;
	if (month < 1 || month > 12) return { valid: false, reason: `month ${month} does not exist` };
	if (day < 1 || day > daysInMonth(year, month)) {
		return { valid: false, reason: `day ${day} does not exist in ${pad(month)}/${year} (${daysInMonth(year, month)} days)` };
	}
	return { valid: true, iso: `${pad(year, 4)}-${pad(month)}-${pad(day)}`, year, month, day };
}

const CURRENCY = /^(?:vnd|vnđ|đ|₫|đồng)\s*|\s*(?:vnd|vnđ|đ|₫|đồng)$/giu;

/** Reads `digits` as thousands groups separated by `sep`: a first group of 1–3 digits, not 0. */
function grouped(digits: string, sep: string): string | undefined {
	const groups = digits.split(sep);
	if (groups.length < 2 || !/^[1-9]\d{0,2}$/.test(groups[0])) return undefined;
	return groups.slice(1).every((group) => /^\d{3}$/.test(group)) ? groups.join('') : undefined;
}

export type ParsedNumber = { value: number } | { ambiguous: number[]; reason: string } | undefined;

/** Reads number text by the rules above, without the identifier checks. */
export function parseNumber(text: string): ParsedNumber {
	let t = text.normalize('NFC').trim().replace(CURRENCY, '').trim();
	let sign = 1;
	const signed = /^([-−+])\s*(.*)$/.exec(t);
	if (signed) [sign, t] = [signed[1] === '+' ? 1 : -1, signed[2]];
	t = t.replace(/[\u00a0\u202f]/g, ' ');
	if (!/^\d[\d., ]*$/.test(t) || !/\d$/.test(t)) return undefined;
	let plain: string | undefined;
	const dots = t.split('.').length - 1;
	const commas = t.split(',').length - 1;
	if (t.includes(' ')) plain = dots + commas === 0 ? grouped(t, ' ') : undefined;
	else if (dots === 0 && commas === 0) plain = t;
	else if (dots > 0 && commas > 0) {
		const [thousands, decimal] = t.lastIndexOf(',') > t.lastIndexOf('.') ? ['.', ','] : [',', '.'];
		if (t.split(decimal).length !== 2) return undefined;
		const [whole, fraction] = t.split(decimal);
		const joined = grouped(whole, thousands);
		plain = joined === undefined ? undefined : `${joined}.${fraction}`;
	} else {
		const sep = dots > 0 ? '.' : ',';
		const [whole, fraction] = t.split(sep);
		const asThousands = grouped(t, sep);
		if (sep === ',' && (dots + commas > 1)) plain = asThousands;
		else if (sep === '.' && dots > 1) plain = asThousands;
		else if (sep === '.' && asThousands !== undefined) plain = asThousands;
		else if (sep === ',' && asThousands !== undefined) {
			return {
				ambiguous: [sign * Number(`${whole}.${fraction}`), sign * Number(asThousands)],
				reason: `"${text.trim()}" could be ${Number(`${whole}.${fraction}`)} (Vietnamese decimal comma) or ${Number(asThousands)} (English thousands)`,
			};
		} else plain = /^\d+$/.test(whole) && /^\d+$/.test(fraction) ? `${whole}.${fraction}` : undefined;
	}
	if (plain === undefined || !/^\d+(\.\d+)?$/.test(plain)) return undefined;
	const value = sign * Number(plain);
	if (!Number.isFinite(value) || Math.abs(value) > Number.MAX_SAFE_INTEGER) return undefined;
	return { value: value === 0 ? 0 : value };
}

/** The readings a number text allows: one, two when ambiguous ("1,000"), none when not a number. */
export function numberReadings(text: string): number[] {
	const parsed = parseNumber(text);
	if (!parsed) return [];
	return 'value' in parsed ? [parsed.value] : parsed.ambiguous;
}

/** Normalises one text value; the field name, when given, keeps identifiers as text. */
export function normalizeValue(text: string, fieldName = ''): NormalizedValue {
	const original = text;
	const asText = (note?: string): NormalizedValue => (note ? { value: text, kind: 'text', original, note } : { value: text, kind: 'text', original });
	if (typeof text !== 'string' || text.trim() === '') return asText();
	if (fieldName && isIdentifierField(fieldName)) return asText();
	const date = parseDate(text);
	if (date) return date.valid ? { value: date.iso, kind: 'date', original } : asText(`not a real date: ${date.reason}`);
	const digits = text.trim().replace(/^[-−+]\s*/, '');
	if (/^0\d/.test(digits)) return asText();
	if (/^\d{10,}$/.test(digits)) return asText();
	const parsed = parseNumber(text);
	if (!parsed) return asText();
	if ('ambiguous' in parsed) return asText(`ambiguous number: ${parsed.reason}`);
	return { value: parsed.value, kind: 'number', original };
}

/** Normalises every field; `original` holds the text of each field that changed kind. */
export function normalizeFields(fields: Record<string, string | number>): {
	fields: Record<string, string | number>;
	original: Record<string, string>;
} {
	const out: Record<string, string | number> = {};
	const original: Record<string, string> = {};
	for (const [name, raw] of Object.entries(fields)) {
		if (typeof raw !== 'string') {
			out[name] = raw;
			continue;
		}
		const result = normalizeValue(raw, name);
		out[name] = result.value;
		if (result.kind !== 'text') original[name] = raw;
	}
	return { fields: out, original };
}
