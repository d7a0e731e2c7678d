import { daysInMonth, nameHas, nameWords, parseDate, parseNumber } from './normalize';
import { CCCD_NAMES, DOB_NAMES, SEX_NAMES, TAX_NAMES, WORDS_NAMES, type CheckName } from './validate';
import { foldVietnamese } from './vietnameseNumbers';

/**
 * Checks of fields against each other, as a careful clerk makes them: the arithmetic of an invoice
 * (total, VAT, and with its tables each line and their sum), its date and the two parties' tax codes;
 * the dates of a citizen ID card (CCCD, Căn cước) against the rules for its expiry, and its
 * machine-readable zone against the printed fields. Fields are recognised by name, as the field
 * checks do; the front and back of one card, sent as two documents of one request, are read as one
 * card. Each check gives a stable `code`, the `fields` it read, what it `expected` and `found`, and
 * a `reason` that names the fields and the numbers.
 */

export type CrossCheckCode =
	| 'invoice_total'
	| 'invoice_vat'
	| 'invoice_line_amount'
	| 'invoice_lines_sum'
	| 'invoice_date_not_future'
	| 'invoice_tax_codes_differ'
	| 'id_expiry_milestone'
	| 'id_issue_after_birth'
	| 'id_issue_not_future'
	| 'id_issue_before_expiry'
	| 'id_mrz';
export type CheckCode = CheckName | CrossCheckCode;

export interface Check {
	code: CheckCode;
	valid: boolean;
	/** The fields of this document the check read. */
	fields: string[];
	/** The fields it read from the other side of the card (`paired_document_id`). */
	paired_fields?: string[];
	expected: string | number | null;
	found: string | number | null;
	reason: string;
}

/** What the checks read of a document: its type, its fields as output, the text of changed ones. */
export interface DocumentFields {
	documentId: string | null;
	documentType: string | null;
	fields: Record<string, string | number>;
	original?: Record<string, string>;
}

export interface CrossCheckOptions {
	/** The clock for "not in the future", in ms. */
	now: number;
	/** Lines of the invoice's item table, when known: each may round its VAT alone. */
	lines?: number;
	/** Only pair the sides of cards, without checking anything. */
	pairsOnly?: boolean;
}

type Role =
	| 'beforeVat'
	| 'vatRate'
	| 'vatAmount'
	| 'total'
	| 'invoiceDate'
	| 'plainDate'
	| 'issueDate'
	| 'dob'
	| 'expiry'
	| 'idNumber'
	| 'sex'
	| 'mrz'
	| 'sellerTax'
	| 'buyerTax';

const BEFORE_VAT_NAMES = [
	'total_before_vat', 'total_before_tax', 'amount_before_vat', 'amount_before_tax', 'before_vat', 'before_tax', 'subtotal', 'sub_total',
	'tien_hang', 'truoc_thue', 'chua_thue', 'chua_co_thue', 'net_amount', 'total_net', 'excluding_vat', 'excl_vat', 'without_vat', 'pre_tax',
];
const VAT_RATE_NAMES = ['vat_rate', 'tax_rate', 'thue_suat', 'vat_percent', 'vat_percentage', 'tax_percent', 'ty_le_thue', 'muc_thue'];
const VAT_AMOUNT_NAMES = ['vat_amount', 'tax_amount', 'tien_thue', 'total_vat', 'vat_total', 'total_tax', 'thue_gtgt', 'tien_vat'];
const VAT_ALONE = new Set(['vat', 'tax', 'thue', 'gtgt']);
const TOTAL_NAMES = [
	'total_amount', 'total', 'tong_tien_thanh_toan', 'tong_thanh_toan', 'tong_cong', 'tong_tien', 'total_payment', 'grand_total', 'amount_due',
	'sau_thue', 'after_tax', 'after_vat', 'total_due',
];
const NOT_TOTAL_NAMES = ['quantity', 'so_luong', 'qty', 'discount', 'chiet_khau', 'weight', 'khoi_luong', 'page', 'count', 'items'];
const INVOICE_DATE_NAMES = ['invoice_date', 'date_of_invoice', 'invoice_issue_date', 'ngay_hoa_don', 'ngay_lap', 'ngay_xuat'];
const PLAIN_DATES = new Set(['date', 'ngay', 'ngay_thang_nam']);
const ISSUE_NAMES = ['doi', 'issue_date', 'date_of_issue', 'issued_date', 'date_issued', 'issued_on', 'issuing_date', 'ngay_cap', 'ngay_thang_nam_cap'];
const EXPIRY_NAMES = [
	'doe', 'expiry', 'expiry_date', 'expire_date', 'expires', 'expiration', 'valid_date', 'valid_until', 'valid_to', 'co_gia_tri_den',
	'gia_tri_den', 'ngay_het_han', 'het_han', 'han_su_dung',
];
const MRZ_NAMES = ['mrz', 'machine_readable'];
const SELLER_NAMES = ['seller', 'vendor', 'supplier', 'nguoi_ban', 'ben_ban', 'don_vi_ban', 'ban_hang', 'nha_cung_cap', 'ban'];
const BUYER_NAMES = ['buyer', 'customer', 'purchaser', 'nguoi_mua', 'ben_mua', 'don_vi_mua', 'mua_hang', 'khach_hang', 'mua'];

const ID_WORDS = ['id', 'eid', 'cccd', 'cmnd', 'cmt', 'can_cuoc', 'cancuoc', 'citizen', 'identity', 'id_card', 'national_id'];
const NOT_ID_WORDS = ['passport', 'ho_chieu', 'driver', 'driving', 'license', 'licence', 'gplx', 'bang_lai', 'visa'];
const INVOICE_WORDS = ['invoice', 'hoa_don', 'einvoice'];

const baseOf = (key: string) => key.slice(key.lastIndexOf('.') + 1).replace(/\s*\(\d+\)$/, '');

/** Field names repeat in every document: the role of each is worked out once. */
const roles = new Map<string, Role | null>();

function classify(key: string): Role | null {
	const base = baseOf(key);
	if (nameHas(base, WORDS_NAMES)) return null;
	if (nameHas(base, MRZ_NAMES)) return 'mrz';
	if (nameHas(base, TAX_NAMES)) return nameHas(key, SELLER_NAMES) ? 'sellerTax' : nameHas(key, BUYER_NAMES) ? 'buyerTax' : null;
	if (nameHas(base, CCCD_NAMES)) return 'idNumber';
	if (nameHas(base, DOB_NAMES)) return 'dob';
	if (nameHas(base, EXPIRY_NAMES)) return 'expiry';
	if (nameHas(base, INVOICE_DATE_NAMES)) return 'invoiceDate';
	if (nameHas(base, ISSUE_NAMES)) return 'issueDate';
	if (nameHas(base, SEX_NAMES)) return 'sex';
	if (nameHas(base, BEFORE_VAT_NAMES)) return 'beforeVat';
	if (nameHas(base, VAT_RATE_NAMES)) return 'vatRate';
	const joined = nameWords(base).join('_');
	if (nameHas(base, VAT_AMOUNT_NAMES) || VAT_ALONE.has(joined)) return 'vatAmount';
	if (nameHas(base, TOTAL_NAMES) && !nameHas(base, NOT_TOTAL_NAMES)) return 'total';
	if (PLAIN_DATES.has(joined)) return 'plainDate';
	return null;
}

function roleOf(key: string): Role | null {
	let role = roles.get(key);
	if (role === undefined) {
		role = classify(key);
		if (roles.size >= 2000) roles.clear();
		roles.set(key, role);
	}
	return role;
}

interface Fact {
	key: string;
	text: string;
	value: string | number;
	/** Index of the document in the request. */
	doc: number;
}

interface Mrz {
	facts: Fact[];
	/** The 12-digit number, or the 9-digit document number when only that is there. */
	number?: string;
	dob?: string;
	sex?: 'M' | 'F';
	expiry?: string;
	unreadable: string[];
}

interface Facts {
	doc: number;
	documentId: string | null;
	roles: Partial<Record<Role, Fact[]>>;
	id: boolean;
	invoice: boolean;
	mrz?: Mrz;
}

/** ICAO 9303 check digit: weights 7, 3, 1; digits as such, A–Z as 10–35, `<` as 0. */
function mrzDigit(text: string): string {
	let sum = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		sum += (c === '<' ? 0 : c >= '0' && c <= '9' ? Number(c) : c.charCodeAt(0) - 55) * [7, 3, 1][i % 3];
	}
	return String(sum % 10);
}

/** Reads the TD1 machine-readable zone on the back of a card: number, date of birth, sex, expiry. */
function readMrz(facts: Fact[]): Mrz | undefined {
	const lines = facts.flatMap((fact) => fact.text.split(/[\r\n]+/)).map((line) => line.replace(/\s+/g, '').toUpperCase());
	const first = lines.find((line) => /^I[A-Z<]VNM[0-9<]{10}/.test(line));
	const second = lines.find((line) => /^\d{6}[0-9<][MF<][0-9<]{7}/.test(line));
	if (!first && !second) return undefined;
	const mrz: Mrz = { facts, unreadable: [] };
	if (first) {
		const documentNumber = first.slice(5, 14);
		const full = /^\d{12}/.exec(first.slice(15))?.[0];
		if (mrzDigit(documentNumber) !== first[14]) mrz.unreadable.push(`the document number ${documentNumber} fails its check digit`);
		else mrz.number = full !== undefined && full.endsWith(documentNumber) ? full : documentNumber;
	}
	if (second) {
		if (mrzDigit(second.slice(0, 6)) === second[6]) mrz.dob = second.slice(0, 6);
		else mrz.unreadable.push(`the date of birth ${second.slice(0, 6)} fails its check digit`);
		if (second[7] === 'M' || second[7] === 'F') mrz.sex = second[7];
		if (/^\d{6}$/.test(second.slice(8, 14))) {
			if (mrzDigit(second.slice(8, 14)) === second[14]) mrz.expiry = second.slice(8, 14);
			else mrz.unreadable.push(`the expiry ${second.slice(8, 14)} fails its check digit`);
		}
	}
	return mrz;
}

/** The facts of one document: its recognised fields by role, and what kind of document it is. */
function readFacts(document: DocumentFields, doc = 0): Facts {
	const found: Partial<Record<Role, Fact[]>> = {};
	const groups: string[] = [];
	for (const key in document.fields) {
		const dot = key.indexOf('.');
		if (dot > 0) {
			const group = key.slice(0, dot);
			if (!groups.includes(group)) groups.push(group);
		}
		const role = roleOf(key);
		if (role === null) continue;
		const value = document.fields[key];
		const text = (document.original?.[key] ?? String(value ?? '')).trim();
		if (text === '') continue;
		(found[role] ??= []).push({ key, text, value, doc });
	}
	const kind = kindOf(document.documentType ?? '', groups);
	const mrz = found.mrz ? readMrz(found.mrz) : undefined;
	const idNumber = found.idNumber?.[0]?.text.replace(/[\s.]/g, '');
	const id = kind.id !== false && (kind.id || (idNumber !== undefined && /^\d{12}$/.test(idNumber)) || mrz?.number !== undefined);
	const invoice = kind.invoice || found.invoiceDate !== undefined;
	return { doc, documentId: document.documentId, roles: found, id, invoice, mrz };
}

/** What the document type and field groups say: an ID card (false: another identity document), an invoice. */
const kinds = new Map<string, { id: boolean | undefined; invoice: boolean }>();

function kindOf(type: string, groups: string[]): { id: boolean | undefined; invoice: boolean } {
	const names = [type, ...groups];
	const cacheKey = names.join('|');
	let kind = kinds.get(cacheKey);
	if (!kind) {
		const id = names.some((name) => nameHas(name, NOT_ID_WORDS)) ? false : names.some((name) => nameHas(name, ID_WORDS)) ? true : undefined;
		kind = { id, invoice: names.some((name) => nameHas(name, INVOICE_WORDS)) };
		if (kinds.size >= 2000) kinds.clear();
		kinds.set(cacheKey, kind);
	}
	return kind;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A number as Vietnamese invoices print it: 4.190.909, 1.234,5. */
function formatVnd(n: number): string {
	const [whole, fraction] = String(Math.abs(Number(n.toFixed(4)))).split('.');
	return `${n < 0 ? '-' : ''}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.')}${fraction ? `,${fraction}` : ''}`;
}

/** A printed amount: a number, Vietnamese or English grouping, "(50.000)" as negative; ambiguous text is not read. */
function readAmount(value: string | number): number | undefined {
	if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
	const text = value.trim();
	const bracketed = /^\((.+)\)$/.exec(text);
	const parsed = parseNumber(bracketed ? bracketed[1] : text);
	if (!parsed || !('value' in parsed)) return undefined;
	return bracketed ? -parsed.value : parsed.value;
}

const amountOf = (fact: Fact) => readAmount(typeof fact.value === 'number' ? fact.value : fact.text);

interface Day {
	iso: string;
	year: number;
	month: number;
	day: number;
}

function dateOf(fact: Fact | undefined): Day | undefined {
	if (!fact) return undefined;
	const date = parseDate(typeof fact.value === 'string' ? fact.value : fact.text);
	return date?.valid ? date : undefined;
}

function noExpiry(fact: Fact): boolean {
	return /\b(khong|vo) (thoi )?han\b|\bno expiry\b|\bindefinite\b|\bunlimited\b/.test(foldVietnamese(fact.text).replace(/[^a-z0-9]+/g, ' '));
}

/** Today in Vietnam (UTC+7), as yyyy-mm-dd. */
function vietnamToday(now: number): string {
	return new Date(now + 7 * 3_600_000).toISOString().slice(0, 10);
}

let lastNow: number | undefined;
let lastToday = '';

/** Today in Vietnam, worked out once for each clock reading. */
function todayOf(options: CrossCheckOptions): string {
	if (options.now !== lastNow) [lastNow, lastToday] = [options.now, vietnamToday(options.now)];
	return lastToday;
}

/** Rounds half away from zero, as invoices round VAT to the đồng. */
function roundDong(n: number): number {
	return Math.sign(n) * Math.floor(Math.abs(n) + 0.5 + 1e-9);
}

type Rate = { percent: number } | { none: 'KCT' | 'KKKNT' };

const VAT_RATES = [0, 5, 8, 10];

/** A VAT rate: "10%", "10", "0.1", "KCT" (not subject to VAT), "KKKNT" (not declared); undefined when unreadable. */
export function readVatRate(value: string | number): Rate | undefined {
	if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? { percent: value > 0 && value < 1 ? Math.round(value * 10000) / 100 : value } : undefined;
	const folded = foldVietnamese(value).replace(/\s+/g, ' ').trim();
	if (/\bkkknt\b|khong ke khai/.test(folded)) return { none: 'KKKNT' };
	if (/\bkct\b|khong chiu thue/.test(folded)) return { none: 'KCT' };
	const percent = /(\d+(?:[.,]\d+)?)\s*%/.exec(folded);
	if (percent) return { percent: Number(percent[1].replace(',', '.')) };
	if (/^\d+(?:[.,]\d+)?$/.test(folded)) return readVatRate(Number(folded.replace(',', '.')));
	return undefined;
}

const rateText = (rate: Rate) => ('none' in rate ? rate.none : `${rate.percent}%`);

interface Draft {
	code: CrossCheckCode;
	valid: boolean;
	used: Fact[];
	expected: string | number | null;
	found: string | number | null;
	reason: string;
}

type Namer = (fact: Fact) => string;

/** Whether a document has any field the invoice checks read. */
function invoiceLike({ roles, invoice }: Facts): boolean {
	return (
		roles.beforeVat !== undefined || roles.vatAmount !== undefined || roles.invoiceDate !== undefined || roles.sellerTax !== undefined ||
		roles.buyerTax !== undefined || (invoice && (roles.issueDate !== undefined || roles.plainDate !== undefined))
	);
}

/** The one fact of a role, or undefined when there is none or more than one. */
function only(facts: Facts, role: Role): Fact | undefined {
	const list = facts.roles[role];
	return list && list.length === 1 ? list[0] : undefined;
}

/** Total, VAT, invoice date and tax codes of one document. */
function invoiceDrafts(facts: Facts, options: CrossCheckOptions, name: Namer): Draft[] {
	const drafts: Draft[] = [];
	const before = only(facts, 'beforeVat');
	const total = only(facts, 'total');
	const rateFact = only(facts, 'vatRate');
	const rate = rateFact ? readVatRate(typeof rateFact.value === 'number' ? rateFact.value : rateFact.text) : undefined;
	const vatFacts = facts.roles.vatAmount ?? [];
	const noVat = rate !== undefined && ('none' in rate || rate.percent === 0);
	const vatAmounts = vatFacts.map((fact) => (noVat && !/\d/.test(fact.text) ? 0 : amountOf(fact)));
	const vatLines = Math.max(1, options.lines ?? vatFacts.length);
	const beforeAmount = before ? amountOf(before) : undefined;

	if (beforeAmount !== undefined && total) {
		const totalAmount = amountOf(total);
		const readable = vatAmounts.every((amount) => amount !== undefined);
		if (totalAmount !== undefined && readable && (vatFacts.length > 0 || noVat)) {
			const vat = (vatAmounts as number[]).reduce((sum, amount) => sum + amount, 0);
			const expected = beforeAmount + vat;
			const off = totalAmount - expected;
			const tolerance = vatLines;
			const sum = vatFacts.length > 0
				? `${name(before as Fact)} ${formatVnd(beforeAmount)} + ${vatFacts.map((fact, i) => `${name(fact)} ${formatVnd(vatAmounts[i] as number)}`).join(' + ')} = ${formatVnd(expected)}`
				: `${name(before as Fact)} ${formatVnd(beforeAmount)} with ${name(rateFact as Fact)} ${rateText(rate as Rate)} (no VAT)`;
			const valid = Math.abs(off) <= tolerance + 1e-9;
			drafts.push({
				code: 'invoice_total',
				valid,
				used: [before as Fact, ...(vatFacts.length > 0 ? vatFacts : [rateFact as Fact]), total],
				expected,
				found: totalAmount,
				reason: valid
					? `${sum}${off === 0 ? '' : ` (within ${tolerance} đồng for rounding)`}, and ${name(total)} is ${formatVnd(totalAmount)}`
					: `${sum}, but ${name(total)} is ${formatVnd(totalAmount)} (off by ${formatVnd(Math.abs(off))})`,
			});
		}
	}

	if (rateFact && beforeAmount !== undefined) {
		const vatFact = vatFacts.length === 1 ? vatFacts[0] : undefined;
		const vat = vatFact ? vatAmounts[0] : undefined;
		const of = `${name(before as Fact)} ${formatVnd(beforeAmount)}`;
		if (rate === undefined) {
			if (vatFact) {
				drafts.push({
					code: 'invoice_vat',
					valid: false,
					used: [before as Fact, rateFact, vatFact],
					expected: '0%, 5%, 8%, 10%, KCT or KKKNT',
					found: rateFact.text,
					reason: `${name(rateFact)} "${rateFact.text}" is not a VAT rate (0%, 5%, 8%, 10%, KCT or KKKNT)`,
				});
			}
		} else if ('none' in rate) {
			if (vatFact && vat !== undefined) {
				const valid = vat === 0;
				drafts.push({
					code: 'invoice_vat',
					valid,
					used: [before as Fact, rateFact, vatFact],
					expected: 0,
					found: vat,
					reason: valid
						? `${name(rateFact)} ${rate.none}: no VAT, and ${name(vatFact)} is 0`
						: `${name(rateFact)} ${rate.none} means no VAT, but ${name(vatFact)} is ${formatVnd(vat)}`,
				});
			}
		} else if (vatFact && vat !== undefined) {
			const exact = (beforeAmount * rate.percent) / 100;
			const expected = roundDong(exact);
			const off = vat - expected;
			const known = VAT_RATES.includes(rate.percent);
			const valid = known && Math.abs(off) <= vatLines + 1e-9;
			const computed = `${rate.percent}% of ${of} is ${formatVnd(expected)}${exact === expected ? '' : ` (${formatVnd(exact)} rounded)`}`;
			const other = VAT_RATES.find((percent) => percent !== rate.percent && percent > 0 && Math.abs(roundDong((beforeAmount * percent) / 100) - vat) <= vatLines);
			drafts.push({
				code: 'invoice_vat',
				valid,
				used: [before as Fact, rateFact, vatFact],
				expected,
				found: vat,
				reason: !known
					? `${name(rateFact)} ${rate.percent}% is not a VAT rate (0%, 5%, 8%, 10%, KCT or KKKNT); ${computed}, and ${name(vatFact)} is ${formatVnd(vat)}`
					: valid
						? `${computed}, and ${name(vatFact)} is ${formatVnd(vat)}${off === 0 ? '' : ` (within ${vatLines} đồng: VAT rounded on ${vatLines} lines)`}`
						: `${computed}, but ${name(vatFact)} is ${formatVnd(vat)} (off by ${formatVnd(Math.abs(off))}${other === undefined ? '' : `; that is ${other}% of ${name(before as Fact)}`})`,
			});
		}
	}

	const dateFact = facts.roles.invoiceDate?.[0] ?? (facts.invoice ? (facts.roles.issueDate?.[0] ?? facts.roles.plainDate?.[0]) : undefined);
	const date = dateOf(dateFact);
	if (dateFact && date) {
		const today = todayOf(options);
		const valid = date.iso <= today;
		drafts.push({
			code: 'invoice_date_not_future',
			valid,
			used: [dateFact],
			expected: `${today} or earlier`,
			found: date.iso,
			reason: valid ? `${name(dateFact)} ${date.iso} is not after today (${today})` : `${name(dateFact)} ${date.iso} is in the future (today is ${today})`,
		});
	}

	const seller = facts.roles.sellerTax?.[0];
	const buyer = facts.roles.buyerTax?.[0];
	if (seller && buyer) {
		const code = (fact: Fact) => fact.text.replace(/[\s.]/g, '');
		const same = code(seller) === code(buyer);
		drafts.push({
			code: 'invoice_tax_codes_differ',
			valid: !same,
			used: [seller, buyer],
			expected: `a buyer tax code other than ${code(seller)}`,
			found: code(buyer),
			reason: same
				? `${name(seller)} and ${name(buyer)} are both ${code(seller)}: one was probably read from the other party's line`
				: `${name(seller)} ${code(seller)}, ${name(buyer)} ${code(buyer)}`,
		});
	}
	return drafts;
}

/** The laws on CCCD and Căn cước cards: the ages whose birthday ends a card's validity. */
const LAW_2014 = { name: 'Luật CCCD 2014', ages: [25, 40, 60] };
const LAW_2023 = { name: 'Luật Căn cước 2023', ages: [14, 25, 40, 60] };
const LAW_2023_FROM = '2024-07-01';

/** The birthday at `age`; 29 February falls on 28 February in a year without one (1 March is accepted too). */
export function birthdayAt(dob: { year: number; month: number; day: number }, age: number): { iso: string; alt?: string } {
	const year = dob.year + age;
	if (dob.month === 2 && dob.day === 29 && daysInMonth(year, 2) === 28) return { iso: `${pad(year, 4)}-02-28`, alt: `${pad(year, 4)}-03-01` };
	return { iso: `${pad(year, 4)}-${pad(dob.month)}-${pad(dob.day)}` };
}

function ageOn(dob: Day, iso: string): number {
	return Number(iso.slice(0, 4)) - dob.year - (iso.slice(5) < `${pad(dob.month)}-${pad(dob.day)}` ? 1 : 0);
}

/**
 * The expiry a card issued on `issue` should carry: the birthday at the first age of its law that is
 * more than two years after the issue date (a card issued within two years before an age is valid
 * until the next); none when issued at 58 or later.
 */
export function expectedExpiry(dob: Day, issue: string): { age: number | null; law: string; renewedEarly?: number } {
	const law = issue >= LAW_2023_FROM ? LAW_2023 : LAW_2014;
	let previous: number | undefined;
	for (const age of law.ages) {
		if (issue < birthdayAt(dob, age - 2).iso) {
			const early = previous !== undefined && issue < birthdayAt(dob, previous).iso ? previous : undefined;
			return { age, law: law.name, ...(early !== undefined ? { renewedEarly: early } : {}) };
		}
		previous = age;
	}
	const early = issue < birthdayAt(dob, 60).iso ? 60 : undefined;
	return { age: null, law: law.name, ...(early !== undefined ? { renewedEarly: early } : {}) };
}

const yymmdd = (iso: string) => `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}`;

interface Card {
	dob?: Fact;
	expiry?: Fact;
	issue?: Fact;
	idNumber?: Fact;
	sex?: Fact;
	mrz?: Mrz;
}

type Dated = { fact: Fact; iso: string };

/** `subject` is after (or before) `other`: the check, its facts in the order of time, and why. */
function dateOrder(code: CrossCheckCode, subject: Dated, relation: 'after' | 'before', other: Dated, name: Namer): Draft {
	const valid = relation === 'after' ? subject.iso > other.iso : subject.iso < other.iso;
	return {
		code,
		valid,
		used: relation === 'after' ? [other.fact, subject.fact] : [subject.fact, other.fact],
		expected: `${relation} ${other.iso}`,
		found: subject.iso,
		reason: `${name(subject.fact)} ${subject.iso} is ${valid ? '' : 'not '}${relation} ${name(other.fact)} ${other.iso}`,
	};
}

/** The dates of one card (one document, or front and back together) and its machine-readable zone. */
function idDrafts(card: Card, options: CrossCheckOptions, name: Namer): Draft[] {
	const drafts: Draft[] = [];
	const dob = dateOf(card.dob);
	const issue = dateOf(card.issue);
	const expiry = dateOf(card.expiry);
	const unlimited = card.expiry !== undefined && expiry === undefined && noExpiry(card.expiry);
	const cmnd = card.idNumber !== undefined && /^\d{9}$/.test(card.idNumber.text.replace(/[\s.]/g, ''));

	if (card.dob && dob && card.expiry && (expiry || unlimited) && !cmnd) {
		const expiryFact = card.expiry;
		const printed = expiry ? expiry.iso : expiryFact.text;
		const used = [card.dob, expiryFact];
		if (card.issue && issue && issue.iso > dob.iso) {
			const rule = expectedExpiry(dob, issue.iso);
			const at = `${name(card.issue)} ${issue.iso}: issued at ${ageOn(dob, issue.iso)} (${rule.law})`;
			const early = rule.renewedEarly !== undefined ? `, within two years before ${rule.renewedEarly}` : '';
			let valid: boolean;
			let expected: string;
			let reason: string;
			if (rule.age === null) {
				expected = 'no expiry';
				valid = unlimited;
				reason = valid
					? `${at}; a card issued at 58 or later has no expiry, as ${name(expiryFact)} says`
					: `${at}; a card issued at 58 or later has no expiry, but ${name(expiryFact)} is ${printed}`;
			} else {
				const due = birthdayAt(dob, rule.age);
				expected = due.iso;
				valid = expiry !== undefined && (expiry.iso === due.iso || expiry.iso === due.alt);
				const should = `${at}${early}, valid until the ${rule.age}th birthday ${due.iso}`;
				reason = valid
					? `${should}, as ${name(expiryFact)} says`
					: unlimited
						? `${should}, but ${name(expiryFact)} says "${expiryFact.text}" (no expiry only for cards issued at 58 or later)`
						: `${should}, but ${name(expiryFact)} is ${printed}`;
			}
			drafts.push({ code: 'id_expiry_milestone', valid, used: [card.dob, card.issue, expiryFact], expected, found: printed, reason });
		} else if (expiry) {
			const ages = LAW_2023.ages.filter((age) => age !== 14 || birthdayAt(dob, 14).iso >= LAW_2023_FROM);
			const birthdays = ages.map((age) => ({ age, ...birthdayAt(dob, age) }));
			const hit = birthdays.find((birthday) => birthday.iso === expiry.iso || birthday.alt === expiry.iso);
			drafts.push({
				code: 'id_expiry_milestone',
				valid: hit !== undefined,
				used,
				expected: `one of ${birthdays.map((birthday) => birthday.iso).join(', ')}`,
				found: expiry.iso,
				reason: hit
					? `${name(expiryFact)} ${expiry.iso} is the ${hit.age}th birthday of ${name(card.dob)} ${dob.iso}`
					: `${name(expiryFact)} ${expiry.iso} is not the birthday at ${ages.join(', ')} of ${name(card.dob)} ${dob.iso} (${birthdays.map((birthday) => birthday.iso).join(', ')})`,
			});
		} else {
			const age = ageOn(dob, todayOf(options));
			const valid = age >= 58;
			drafts.push({
				code: 'id_expiry_milestone',
				valid,
				used,
				expected: valid ? 'no expiry' : birthdayAt(dob, [25, 40, 60].find((milestone) => milestone > age) ?? 60).iso,
				found: expiryFact.text,
				reason: valid
					? `${name(expiryFact)} says no expiry, possible for ${name(card.dob)} ${dob.iso} (${age} today; cards issued at 58 or later have none)`
					: `${name(expiryFact)} says no expiry, but ${name(card.dob)} ${dob.iso} is ${age} today: only cards issued at 58 or later have none`,
			});
		}
	}

	if (card.issue && issue) {
		if (card.dob && dob) drafts.push(dateOrder('id_issue_after_birth', { fact: card.issue, iso: issue.iso }, 'after', { fact: card.dob, iso: dob.iso }, name));
		const today = todayOf(options);
		const notFuture = issue.iso <= today;
		drafts.push({
			code: 'id_issue_not_future',
			valid: notFuture,
			used: [card.issue],
			expected: `${today} or earlier`,
			found: issue.iso,
			reason: notFuture ? `${name(card.issue)} ${issue.iso} is not after today (${today})` : `${name(card.issue)} ${issue.iso} is in the future (today is ${today})`,
		});
		if (card.expiry && expiry) drafts.push(dateOrder('id_issue_before_expiry', { fact: card.issue, iso: issue.iso }, 'before', { fact: card.expiry, iso: expiry.iso }, name));
	}

	const mrz = card.mrz;
	if (mrz) {
		const used: Fact[] = [...mrz.facts];
		const agree: string[] = [];
		const differ: Array<{ expected: string; found: string; text: string }> = [];
		const compare = (fact: Fact | undefined, fromMrz: string | undefined, printed: string | undefined, what: string) => {
			if (!fact || fromMrz === undefined || printed === undefined) return;
			used.push(fact);
			if (fromMrz === printed) agree.push(name(fact));
			else differ.push({ expected: fromMrz, found: printed, text: `the MRZ ${what} is ${fromMrz}, but ${name(fact)} says ${printed}` });
		};
		const number = card.idNumber?.text.replace(/[\s.]/g, '');
		compare(card.idNumber, mrz.number, number && mrz.number && mrz.number.length === 9 ? number.slice(-9) : number, 'number');
		compare(card.dob, mrz.dob, dob ? yymmdd(dob.iso) : undefined, 'date of birth (yymmdd)');
		const sex = card.sex ? foldVietnamese(card.sex.text).replace(/[^a-z]/g, '') : '';
		compare(card.sex, mrz.sex, ['nam', 'male', 'm'].includes(sex) ? 'M' : ['nu', 'female', 'f'].includes(sex) ? 'F' : undefined, 'sex');
		compare(card.expiry, mrz.expiry, expiry ? yymmdd(expiry.iso) : undefined, 'expiry (yymmdd)');
		if (agree.length + differ.length > 0) {
			const notes = mrz.unreadable.length > 0 ? `; not compared: ${mrz.unreadable.join(', ')}` : '';
			drafts.push({
				code: 'id_mrz',
				valid: differ.length === 0,
				used,
				expected: differ[0]?.expected ?? null,
				found: differ[0]?.found ?? null,
				reason: differ.length === 0 ? `the MRZ agrees with ${agree.join(', ')}${notes}` : `${differ.map((d) => d.text).join('; ')}${notes}`,
			});
		}
	}
	return drafts;
}

/** A draft as the checks of each document whose fields it read. */
function spread(draft: Draft, into: Check[][]): void {
	const doc = draft.used[0].doc;
	if (draft.used.every((fact) => fact.doc === doc)) {
		const fields = draft.used.map((fact) => fact.key);
		into[doc].push({ code: draft.code, valid: draft.valid, fields, expected: draft.expected, found: draft.found, reason: draft.reason });
		return;
	}
	const docs = [...new Set(draft.used.map((fact) => fact.doc))];
	for (const doc of docs) {
		const fields = draft.used.filter((fact) => fact.doc === doc).map((fact) => fact.key);
		const paired = docs.length > 1 ? { paired_fields: draft.used.filter((fact) => fact.doc !== doc).map((fact) => fact.key) } : {};
		into[doc].push({ code: draft.code, valid: draft.valid, fields, ...paired, expected: draft.expected, found: draft.found, reason: draft.reason });
	}
}

type Side = 'front' | 'back';

function sideOf(facts: Facts): Side | undefined {
	if (!facts.id || facts.documentId === null) return undefined;
	const front = facts.roles.idNumber !== undefined || facts.roles.dob !== undefined;
	const back = facts.roles.issueDate !== undefined || facts.mrz !== undefined;
	return front === back ? undefined : front ? 'front' : 'back';
}

/**
 * Pairs the front and back of each card among the documents of one request: a front with the back
 * whose MRZ holds its number, then the rest in order (a front next to a back, either way round).
 */
function pairSides(all: Facts[]): number[] {
	const partner = all.map(() => -1);
	const sides = all.map(sideOf);
	const link = (a: number, b: number) => {
		partner[a] = b;
		partner[b] = a;
	};
	all.forEach((facts, i) => {
		const number = facts.roles.idNumber?.[0]?.text.replace(/[\s.]/g, '');
		if (sides[i] !== 'front' || !number) return;
		const back = all.findIndex((other, j) => sides[j] === 'back' && partner[j] === -1 && other.mrz?.number !== undefined && number.endsWith(other.mrz.number));
		if (back >= 0 && partner[i] === -1) link(i, back);
	});
	const waiting = all.map((_, i) => i).filter((i) => sides[i] !== undefined && partner[i] === -1);
	for (let k = 0; k + 1 < waiting.length; k++) {
		const [a, b] = [waiting[k], waiting[k + 1]];
		if (sides[a] !== sides[b]) {
			link(a, b);
			k++;
		}
	}
	return partner;
}

const firstOf = (facts: Facts, role: Role) => facts.roles[role]?.[0];

/** One card from one document, or from its front and back. */
function cardOf(sides: Facts[]): Card {
	const pick = (role: Role) => sides.map((facts) => firstOf(facts, role)).find((fact) => fact !== undefined);
	return {
		dob: pick('dob'),
		expiry: pick('expiry'),
		issue: pick('issueDate'),
		idNumber: pick('idNumber'),
		sex: pick('sex'),
		mrz: sides.map((facts) => facts.mrz).find((mrz) => mrz !== undefined),
	};
}

export interface RequestChecks {
	/** The cross-field checks of each document, in order. */
	checks: Check[][];
	/** For each document, the index of the other side of its card, or -1. */
	pairs: number[];
}

/**
 * The cross-field checks of every document of one request: each document alone, and the two sides
 * of a card together (their checks are listed on both, with the other side's fields in `paired_fields`).
 */
export function requestChecks(documents: DocumentFields[], options: CrossCheckOptions): RequestChecks {
	const all = documents.map((document, doc) => readFacts(document, doc));
	const pairs = pairSides(all);
	const checks: Check[][] = all.map(() => []);
	if (options.pairsOnly) return { checks, pairs };
	const plain: Namer = (fact) => fact.key;
	all.forEach((facts, i) => {
		if (invoiceLike(facts)) for (const draft of invoiceDrafts(facts, options, plain)) spread(draft, checks);
		const partner = pairs[i];
		if (partner >= 0 && partner < i) return;
		if (!facts.id && !(partner >= 0 && all[partner].id)) return;
		const sides = partner >= 0 ? (sideOf(facts) === 'front' ? [facts, all[partner]] : [all[partner], facts]) : [facts];
		const name: Namer = partner >= 0 ? (fact) => `${fact.key} (${all[fact.doc].documentId})` : plain;
		for (const draft of idDrafts(cardOf(sides), options, name)) spread(draft, checks);
	});
	return { checks, pairs };
}

/** The checks of one document alone. */
export function crossChecks(document: DocumentFields, options: CrossCheckOptions): Check[] {
	return requestChecks([document], options).checks[0];
}

type Column = 'quantity' | 'price' | 'amount' | 'preTaxAmount' | 'description';

const QUANTITY_HEADERS = ['so_luong', 'quantity', 'qty', 'sl', 'khoi_luong'];
const PRICE_HEADERS = ['don_gia', 'unit_price', 'price', 'gia_ban', 'dongia'];
const AMOUNT_HEADERS = ['thanh_tien', 'amount', 'line_total', 'total', 'tri_gia', 'gia_tri', 'tien_hang'];
const PRE_TAX_HEADERS = ['chua_thue', 'chua_co_thue', 'truoc_thue', 'before_tax', 'before_vat', 'excl_vat', 'excluding_vat'];
const TAX_HEADERS = ['thue', 'tax', 'vat', 'gtgt', 'sau_thue', 'after_tax'];
const LINE_AMOUNT = ['thanh_tien'];
const DESCRIPTION_HEADERS = ['ten', 'ten_hang', 'hang_hoa', 'dich_vu', 'dien_giai', 'noi_dung', 'mo_ta', 'description', 'item', 'product', 'san_pham'];
const ROW_KEYS = new Set(['table', 'page', 'row']);

const columns = new Map<string, Column | null>();

function columnOf(header: string): Column | null {
	let column = columns.get(header);
	if (column === undefined) {
		column =
			nameHas(header, QUANTITY_HEADERS) ? 'quantity'
			: nameHas(header, PRICE_HEADERS) && !nameHas(header, LINE_AMOUNT) ? 'price'
			: nameHas(header, PRE_TAX_HEADERS) ? 'preTaxAmount'
			: nameHas(header, TAX_HEADERS) ? null
			: nameHas(header, AMOUNT_HEADERS) ? 'amount'
			: nameHas(header, DESCRIPTION_HEADERS) ? 'description'
			: null;
		if (columns.size >= 2000) columns.clear();
		columns.set(header, column);
	}
	return column;
}

const SUMMARY_ROW = /\b(cong tien|tong|total|subtotal|thue suat|tien thue|bang chu)\b/;
const DISCOUNT_ROW = /\b(chiet khau|giam gia|discount)\b/;

export type TableRowItem = Record<string, unknown>;

interface ItemLine {
	table: number;
	row: number;
	quantity?: number;
	price?: number;
	priceText?: string;
	amount: number;
	discount: boolean;
	headers: { quantity?: string; price?: string; amount: string };
}

interface Layout {
	quantity?: string;
	price?: string;
	amount: string;
}

/** The columns of a table from the headers of one of its rows; null when it is not an item table. */
function layoutOf(row: TableRowItem): Layout | null {
	const found: Partial<Record<Column, string>> = {};
	for (const header of Object.keys(row)) {
		if (ROW_KEYS.has(header)) continue;
		const column = columnOf(header);
		if (column !== null && found[column] === undefined) found[column] = header;
	}
	const amount = found.preTaxAmount ?? found.amount;
	if (!amount || !(found.quantity || found.price || found.description)) return null;
	return { quantity: found.quantity, price: found.price, amount };
}

/** The lines of the item tables: tables with a line amount and a quantity, a unit price or a description. */
function itemLines(rows: TableRowItem[]): ItemLine[] {
	const lines: ItemLine[] = [];
	const layouts = new Map<unknown, Layout | null>();
	for (const row of rows) {
		let layout = layouts.get(row.table);
		if (layout === undefined) {
			layout = layoutOf(row);
			layouts.set(row.table, layout);
		}
		if (layout === null) continue;
		const cell = (header: string | undefined) => (header === undefined ? undefined : row[header]);
		const amountCell = cell(layout.amount);
		const amount = typeof amountCell === 'number' || typeof amountCell === 'string' ? readAmount(amountCell) : undefined;
		if (amount === undefined) continue;
		const words = foldVietnamese(Object.values(row).filter((value) => typeof value === 'string').join(' ')).replace(/[^a-z0-9]+/g, ' ');
		const numeric = (header: string | undefined) => {
			const value = cell(header);
			return typeof value === 'number' || typeof value === 'string' ? readAmount(value) : undefined;
		};
		const quantity = numeric(layout.quantity);
		const price = numeric(layout.price);
		if (quantity === undefined && price === undefined && SUMMARY_ROW.test(words)) continue;
		const priceCell = cell(layout.price);
		lines.push({
			table: Number(row.table),
			row: Number(row.row),
			quantity,
			price,
			priceText: priceCell === undefined ? undefined : String(priceCell),
			amount,
			discount: DISCOUNT_ROW.test(words),
			headers: { quantity: layout.quantity, price: layout.price, amount: layout.amount },
		});
	}
	return lines;
}

const decimals = (text: string | undefined) => {
	const match = text === undefined ? null : /[.,](\d{1,2})$/.exec(text.trim());
	return match ? match[1].length : 0;
};

/**
 * The checks of an invoice's item tables (Include → Tables): quantity × unit price = line amount on
 * each line, and the line amounts (discount lines negative) against the amount before VAT.
 */
export function tableChecks(document: DocumentFields, rows: TableRowItem[]): { checks: Check[]; lines: number } {
	const lines = itemLines(rows);
	if (lines.length === 0) return { checks: [], lines: 0 };
	const checks: Check[] = [];
	const cellName = (line: ItemLine, header: string) => `tables.${line.table}.${line.row}.${header}`;
	let compared = 0;
	for (const line of lines) {
		const { quantity, price } = line;
		if (quantity === undefined || price === undefined || !line.headers.quantity || !line.headers.price) continue;
		compared++;
		const exact = quantity * price;
		// a unit price shown rounded may be off by half its last digit on each unit
		const tolerance = Math.max(1, (Math.abs(quantity) * 0.5) / 10 ** decimals(line.priceText));
		const signed = line.discount && exact > 0 && line.amount < 0 ? -exact : exact;
		if (Math.abs(signed - line.amount) <= tolerance + 1e-9) continue;
		checks.push({
			code: 'invoice_line_amount',
			valid: false,
			fields: [cellName(line, line.headers.quantity), cellName(line, line.headers.price), cellName(line, line.headers.amount)],
			expected: Number(signed.toFixed(4)),
			found: line.amount,
			reason: `table ${line.table}, row ${line.row}: ${line.headers.quantity} ${formatVnd(quantity)} × ${line.headers.price} ${formatVnd(price)} = ${formatVnd(signed)}, but ${line.headers.amount} is ${formatVnd(line.amount)}`,
		});
	}
	if (compared > 0 && checks.length === 0) {
		const headers = lines.find((line) => line.headers.quantity && line.headers.price)?.headers as ItemLine['headers'];
		checks.push({
			code: 'invoice_line_amount',
			valid: true,
			fields: [`tables.${headers.quantity}`, `tables.${headers.price}`, `tables.${headers.amount}`],
			expected: null,
			found: null,
			reason: `on each of the ${compared} lines, ${headers.quantity} × ${headers.price} = ${headers.amount}`,
		});
	}
	const facts = readFacts(document);
	const before = only(facts, 'beforeVat');
	const beforeAmount = before ? amountOf(before) : undefined;
	if (before && beforeAmount !== undefined) {
		const discounts = lines.filter((line) => line.discount && line.amount > 0).length;
		const sum = lines.reduce((total, line) => total + (line.discount && line.amount > 0 ? -line.amount : line.amount), 0);
		const off = Number((sum - beforeAmount).toFixed(4));
		const valid = Math.abs(off) <= 1;
		const amountHeaders = [...new Set(lines.map((line) => line.headers.amount))];
		const counted = `the ${lines.length} line amounts (${amountHeaders.join(', ')}${discounts > 0 ? `; ${discounts} discount line${discounts > 1 ? 's' : ''} counted negative` : ''}) add up to ${formatVnd(sum)}`;
		checks.push({
			code: 'invoice_lines_sum',
			valid,
			fields: [...amountHeaders.map((header) => `tables.${header}`), before.key],
			expected: beforeAmount,
			found: Number(sum.toFixed(4)),
			reason: valid ? `${counted}, equal to ${before.key} ${formatVnd(beforeAmount)}` : `${counted}, but ${before.key} is ${formatVnd(beforeAmount)} (off by ${formatVnd(Math.abs(off))})`,
		});
	}
	return { checks, lines: lines.length };
}

/** Invoice total and VAT again, each line of the item table rounding its own VAT. */
export function invoiceChecksWithLines(document: DocumentFields, options: CrossCheckOptions): Check[] {
	const checks: Check[][] = [[]];
	for (const draft of invoiceDrafts(readFacts(document), options, (fact) => fact.key)) {
		if (draft.code === 'invoice_total' || draft.code === 'invoice_vat') spread(draft, checks);
	}
	return checks[0];
}
