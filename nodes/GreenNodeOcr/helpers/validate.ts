import { foldVietnamese, parseVietnameseAmount } from './vietnameseNumbers';
import { nameHas, nameWords, numberReadings, parseDate } from './normalize';

/**
 * Checks of extracted fields whose name (or shape) says what they are: citizen ID numbers (CCCD),
 * tax codes (MST), dates, and an amount in words against the amount in figures. Each check gives
 * `{ valid, reason, check }`; fields without a check are left out.
 */

export type CheckName = 'cccd' | 'tax_code' | 'date' | 'amount_in_words';
export interface CheckResult {
	valid: boolean;
	reason: string;
}
export interface FieldCheck extends CheckResult {
	check: CheckName;
}

/** The 63 province codes that open a CCCD number (Circular 07/2016/TT-BCA). */
export const CCCD_PROVINCES: Readonly<Record<string, string>> = {
	'001': 'Hà Nội', '002': 'Hà Giang', '004': 'Cao Bằng', '006': 'Bắc Kạn', '008': 'Tuyên Quang',
	'010': 'Lào Cai', '011': 'Điện Biên', '012': 'Lai Châu', '014': 'Sơn La', '015': 'Yên Bái',
	'017': 'Hòa Bình', '019': 'Thái Nguyên', '020': 'Lạng Sơn', '022': 'Quảng Ninh', '024': 'Bắc Giang',
	'025': 'Phú Thọ', '026': 'Vĩnh Phúc', '027': 'Bắc Ninh', '030': 'Hải Dương', '031': 'Hải Phòng',
	'033': 'Hưng Yên', '034': 'Thái Bình', '035': 'Hà Nam', '036': 'Nam Định', '037': 'Ninh Bình',
	'038': 'Thanh Hóa', '040': 'Nghệ An', '042': 'Hà Tĩnh', '044': 'Quảng Bình', '045': 'Quảng Trị',
	'046': 'Thừa Thiên Huế', '048': 'Đà Nẵng', '049': 'Quảng Nam', '051': 'Quảng Ngãi', '052': 'Bình Định',
	'054': 'Phú Yên', '056': 'Khánh Hòa', '058': 'Ninh Thuận', '060': 'Bình Thuận', '062': 'Kon Tum',
	'064': 'Gia Lai', '066': 'Đắk Lắk', '067': 'Đắk Nông', '068': 'Lâm Đồng', '070': 'Bình Phước',
	'072': 'Tây Ninh', '074': 'Bình Dương', '075': 'Đồng Nai', '077': 'Bà Rịa - Vũng Tàu', '079': 'Hồ Chí Minh',
	'080': 'Long An', '082': 'Tiền Giang', '083': 'Bến Tre', '084': 'Trà Vinh', '086': 'Vĩnh Long',
	'087': 'Đồng Tháp', '089': 'An Giang', '091': 'Kiên Giang', '092': 'Cần Thơ', '093': 'Hậu Giang',
	'094': 'Sóc Trăng', '095': 'Bạc Liêu', '096': 'Cà Mau',
};

/** First year of the century a CCCD's 4th digit stands for (0/1 1900s … 8/9 1800s); odd = female. */
const CENTURY = [1900, 1900, 2000, 2000, 2100, 2100, 2200, 2200, 1800, 1800];

export const CCCD_NAMES = ['id_number', 'cccd', 'can_cuoc', 'citizen_id', 'dinh_danh', 'identity_number', 'personal_id', 'cmnd', 'id_no', 'id_card'];
export const TAX_NAMES = ['mst', 'ma_so_thue', 'tax_code', 'taxcode', 'tax_id', 'tax_number', 'tax_no', 'ma_thue'];
const DATE_NAMES = ['date', 'dob', 'ngay', 'birthday', 'expiry', 'expiration', 'expire', 'expires', 'valid_until', 'thoi_han', 'han_su_dung', 'co_gia_tri_den'];
export const DOB_NAMES = ['dob', 'date_of_birth', 'ngay_sinh', 'birth_date', 'birthday', 'sinh_ngay', 'nam_sinh', 'year_of_birth'];
export const SEX_NAMES = ['sex', 'gender', 'gioi_tinh'];
export const WORDS_NAMES = ['in_words', 'in_word', 'words', 'bang_chu'];
const TOTAL_NAMES = ['total_payment', 'tong_tien_thanh_toan', 'tong_thanh_toan', 'grand_total', 'total_amount', 'tong_tien', 'tong_cong', 'total', 'amount', 'so_tien', 'thanh_tien'];

const PASSPORT = /^[A-Z]{1,2}\d{7,8}$/i;
const NOT_TOTALS = ['tax', 'thue', 'vat', 'discount', 'chiet_khau', 'before', 'truoc', 'chua'];

export interface Companion {
	field: string;
	value: string;
}

function birthYearOf(text: string): number | undefined {
	const date = parseDate(text);
	if (date?.valid) return date.year;
	const year = /^\s*(\d{4})\s*$/.exec(text);
	return year ? Number(year[1]) : undefined;
}

function sexOf(text: string): 'male' | 'female' | undefined {
	const word = foldVietnamese(text).replace(/[^a-z]/g, '');
	if (['nam', 'male', 'm'].includes(word)) return 'male';
	if (['nu', 'female', 'f'].includes(word)) return 'female';
	return undefined;
}

/** Checks a 12-digit CCCD number, and its agreement with a date of birth and a sex when given. */
export function checkCccd(value: string, context: { dob?: Companion; sex?: Companion; now?: number } = {}): CheckResult {
	const digits = String(value).replace(/[\s.]/g, '');
	if (/^\d{9}$/.test(digits)) return { valid: true, reason: 'a 9-digit identity card (CMND) number: only its length can be checked' };
	if (!/^\d{12}$/.test(digits)) return { valid: false, reason: `"${value}" is not 12 digits, as a citizen ID (CCCD) number is` };
	const province = CCCD_PROVINCES[digits.slice(0, 3)];
	if (!province) return { valid: false, reason: `${digits.slice(0, 3)} is not one of the 63 province codes a CCCD number starts with` };
	const code = Number(digits[3]);
	const century = CENTURY[code];
	const female = code % 2 === 1;
	const year = century + Number(digits.slice(4, 6));
	const facts = `${digits.slice(0, 3)} = ${province}; ${code} = ${female ? 'female' : 'male'} born ${century}–${century + 99}; born ${year}`;
	const problems: string[] = [];
	const notes: string[] = [];
	const thisYear = new Date(context.now ?? Date.now()).getFullYear();
	if (year > thisYear) problems.push(`birth year ${year} is in the future`);
	if (context.dob) {
		const dobYear = birthYearOf(context.dob.value);
		if (dobYear === undefined) notes.push(`${context.dob.field} "${context.dob.value}" is not a readable date, not compared`);
		else if (dobYear % 100 !== year % 100) problems.push(`digits 5–6 (${digits.slice(4, 6)}) say born ${year}, but ${context.dob.field} is ${context.dob.value}`);
		else if (dobYear !== year) problems.push(`century digit ${code} means born ${century}–${century + 99}, but ${context.dob.field} is ${context.dob.value} (${dobYear})`);
		else notes.push(`agrees with ${context.dob.field}`);
	}
	if (context.sex) {
		const sex = sexOf(context.sex.value);
		if (sex === undefined) notes.push(`${context.sex.field} "${context.sex.value}" not recognised, not compared`);
		else if ((sex === 'female') !== female) problems.push(`digit 4 (${code}) means ${female ? 'female' : 'male'}, but ${context.sex.field} is ${context.sex.value}`);
		else notes.push(`agrees with ${context.sex.field}`);
	}
	if (problems.length > 0) return { valid: false, reason: [...problems, facts].join('; ') };
	return { valid: true, reason: [facts, ...notes].join('; ') };
}

/** The MST check digit of nine digits: 10 - (weighted sum mod 11); undefined when that is 10. */
export function taxCheckDigit(first9: string): number | undefined {
	const weights = [31, 29, 23, 19, 17, 13, 7, 5, 3];
	const sum = weights.reduce((total, weight, i) => total + weight * Number(first9[i]), 0);
	const check = 10 - (sum % 11);
	return check === 10 ? undefined : check;
}

/**
 * Checks a tax code: 10 digits with their check digit, or a branch "0100109106-001" whose first 10
 * must pass. A 12-digit code is a personal identification number (used as the tax code of
 * individuals since 1 July 2025) and gets the CCCD structure check.
 */
export function checkTaxCode(value: string): CheckResult {
	const compact = String(value).replace(/\s+/g, '');
	if (/^\d{12}$/.test(compact)) {
		const cccd = checkCccd(compact);
		return { valid: cccd.valid, reason: `12-digit personal identification number used as a tax code: ${cccd.reason}` };
	}
	const m = /^(\d{10})(?:-?(\d{3}))?$/.exec(compact);
	if (!m) return { valid: false, reason: `"${value}" is not a tax code: 10 digits, or 10-3 digits for a branch` };
	const [, main, branch] = m;
	const expected = taxCheckDigit(main.slice(0, 9));
	if (expected === undefined) return { valid: false, reason: `no check digit can follow ${main.slice(0, 9)} (its weighted sum is a multiple of 11)` };
	if (Number(main[9]) !== expected) return { valid: false, reason: `check digit is ${main[9]}, but the first nine digits call for ${expected}` };
	if (branch === '000') return { valid: false, reason: 'branch number 000 is not used (branches count from 001)' };
	return { valid: true, reason: `check digit ${expected} matches${branch ? `; branch ${branch} of ${main}` : ''}` };
}

/** Checks that a date exists; "Không thời hạn" (no expiry) and a bare year pass. */
export function checkDate(value: string): CheckResult {
	const date = parseDate(value);
	if (date) return date.valid ? { valid: true, reason: `${date.iso} exists` } : { valid: false, reason: `${value} is not a real date: ${date.reason}` };
	const folded = foldVietnamese(value).replace(/[^a-z0-9]+/g, ' ').trim();
	if (/^(khong|vo) thoi han$/.test(folded)) return { valid: true, reason: 'no expiry date' };
	if (/^\d{4}$/.test(folded)) return { valid: true, reason: 'a year only' };
	return { valid: false, reason: `"${value}" is not a date in a known form (dd/mm/yyyy)` };
}

type Compared = CheckResult & { expected: number | null; found: number | null };

function compareAmountInWords(words: string, figures: string | number, figuresField: string): Compared {
	const spoken = parseVietnameseAmount(words);
	if (spoken === undefined) return { valid: false, reason: `"${words}" could not be read as an amount in words`, expected: null, found: null };
	const readings = typeof figures === 'number' ? [figures] : numberReadings(figures);
	if (readings.length === 0) return { valid: false, reason: `${figuresField} "${figures}" is not a number`, expected: null, found: spoken };
	const matching = readings.find((reading) => Math.abs(reading) === spoken);
	if (matching !== undefined) return { valid: true, reason: `the words say ${spoken}, equal to ${figuresField} ${figures}`, expected: matching, found: spoken };
	return { valid: false, reason: `the words say ${spoken}, but ${figuresField} is ${figures}`, expected: readings[0], found: spoken };
}

/** Compares an amount in words with the amount in figures. */
export function checkAmountInWords(words: string, figures: string | number, figuresField = 'the amount in figures'): CheckResult {
	const { valid, reason } = compareAmountInWords(words, figures, figuresField);
	return { valid, reason };
}

const groupOf = (key: string) => (key.includes('.') ? key.slice(0, key.lastIndexOf('.')) : '');
/** Each total name as a list of its own, and the names that are no amount: built once (nameHas remembers by list). */
const TOTAL_PHRASES = TOTAL_NAMES.map((phrase) => [phrase]);
const NOT_AMOUNT_NAMES = [...DATE_NAMES, ...NOT_TOTALS];

const baseName = (key: string) => key.slice(key.lastIndexOf('.') + 1).replace(/\s*\(\d+\)$/, '');

/** The first non-empty field whose name `pick` accepts, from the group of `key` when one is there. */
function companion(fields: Record<string, string | number>, key: string, pick: (name: string) => boolean): Companion | undefined {
	const candidates = Object.keys(fields).filter((name) => name !== key && pick(baseName(name)) && String(fields[name]).trim() !== '');
	const chosen = candidates.find((name) => groupOf(name) === groupOf(key)) ?? candidates[0];
	return chosen === undefined ? undefined : { field: chosen, value: String(fields[chosen]) };
}

function figuresFor(fields: Record<string, string | number>, key: string): Companion | undefined {
	const stem = nameWords(baseName(key)).filter((word) => !['in', 'word', 'words', 'bang', 'chu', 'viet', 'by'].includes(word)).join('_');
	const isWords = (name: string) => nameHas(name, WORDS_NAMES);
	const exact = companion(fields, key, (name) => !isWords(name) && stem !== '' && nameWords(name).join('_') === stem);
	if (exact) return exact;
	for (const phrase of TOTAL_PHRASES) {
		const found = companion(fields, key, (name) => !isWords(name) && nameHas(name, phrase) && !nameHas(name, NOT_AMOUNT_NAMES));
		if (found) return found;
	}
	return undefined;
}

/**
 * A field's check with what it read: the field itself and the fields it was compared with, and
 * for an amount in words the amount in figures (`expected`) and what the words say (`found`).
 */
export interface FieldCheckDetail extends FieldCheck {
	fields: string[];
	expected: string | number | null;
	found: string | number | null;
}

/** Runs every check that applies, with what each read; only fields that have a check appear. */
export function checkFields(fields: Record<string, string | number>): Record<string, FieldCheckDetail> {
	const out: Record<string, FieldCheckDetail> = {};
	for (const [key, raw] of Object.entries(fields)) {
		const value = String(raw ?? '').trim();
		if (value === '') continue;
		const name = baseName(key);
		if (nameHas(name, CCCD_NAMES) && !nameHas(name, TAX_NAMES)) {
			if (PASSPORT.test(value)) continue; // a passport number in an id field: nothing to check
			const dob = companion(fields, key, (n) => nameHas(n, DOB_NAMES));
			const sex = companion(fields, key, (n) => nameHas(n, SEX_NAMES));
			const read = [key, ...(dob ? [dob.field] : []), ...(sex ? [sex.field] : [])];
			out[key] = { check: 'cccd', ...checkCccd(value, { dob, sex }), fields: read, expected: null, found: value };
		} else if (nameHas(name, TAX_NAMES) || /^\d{10}-\d{3}$/.test(value)) {
			out[key] = { check: 'tax_code', ...checkTaxCode(value), fields: [key], expected: null, found: value };
		} else if (nameHas(name, WORDS_NAMES)) {
			const figures = figuresFor(fields, key);
			if (figures) {
				const { valid, reason, expected, found } = compareAmountInWords(value, fields[figures.field], figures.field);
				out[key] = { check: 'amount_in_words', valid, reason, fields: [key, figures.field], expected, found };
			}
		} else if (nameHas(name, DATE_NAMES) || parseDate(value) !== undefined) {
			out[key] = { check: 'date', ...checkDate(value), fields: [key], expected: null, found: value };
		}
	}
	return out;
}

/** Runs every check that applies; only fields that have a check appear in the answer. */
export function validateFields(fields: Record<string, string | number>): Record<string, FieldCheck> {
	const out: Record<string, FieldCheck> = {};
	for (const [key, { check, valid, reason }] of Object.entries(checkFields(fields))) out[key] = { check, valid, reason };
	return out;
}
