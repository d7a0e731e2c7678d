/**
 * Citizen ID card (CCCD, doc_type `ID`, group `eid`). The front carries the number and the
 * holder; the back never carries `id_number` (as seen live): it has the date and place of issue,
 * identifying features, the issuer and the machine-readable zone.
 *
 * The default holder's number is valid: 079 = Hồ Chí Minh, 4th digit 3 = female born 2000–2099,
 * digits 5–6 = 03 for 2003. The `mismatch` holder's 4th digit (2 = male born 2000–2099)
 * contradicts the date of birth in 1988; digits 5–6 (88) agree with it.
 *
 * Expiry (Luật CCCD 2014): a card expires on the birthday at 25, 40 or 60, or at the next of these
 * when issued within two years before one; issued at 58 or later it has none. The default card,
 * issued at 17, expires at 25; the `mismatch` card, issued at 32, at 40; the `noexpiry` holder's,
 * issued at 59, says "Không thời hạn". Under `offmilestone` the printed expiry is the issue date
 * plus 15 years (a date on no birthday), and the `noexpiry` card was issued at 55.
 */
import { field, type OcrField } from './base';

interface Holder {
	idNumber: string;
	name: string;
	dob: string;
	sex: 'Nam' | 'Nữ';
	placeOfOrigin: string;
	placeOfResidence: string;
	/** A CCCD expires at 25, 40 or 60 years of age, on the birthday. */
	dateOfExpiry: string;
	dateOfIssue: string;
	features: string;
}

export const ID_HOLDER: Readonly<Holder> = {
	idNumber: '079303009457',
	name: 'TRẦN THANH VÂN ANH',
	dob: '03/09/2003',
	sex: 'Nữ',
	placeOfOrigin: 'Xã Bình Hòa Phước, Huyện Long Hồ, Vĩnh Long',
	placeOfResidence: '12 Nguyễn Huệ, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh',
	dateOfExpiry: '03/09/2028',
	dateOfIssue: '15/08/2021',
	features: 'Nốt ruồi C:1cm trên trước đầu lông mày phải',
};

export const MISMATCH_ID_HOLDER: Readonly<Holder> = {
	idNumber: '079288004613',
	name: 'NGUYỄN VĂN HÙNG',
	dob: '14/06/1988',
	sex: 'Nam',
	placeOfOrigin: 'Xã Tân Phú Trung, Huyện Củ Chi, TP. Hồ Chí Minh',
	placeOfResidence: '215/7 Lê Văn Sỹ, Phường 13, Quận Phú Nhuận, TP. Hồ Chí Minh',
	dateOfExpiry: '14/06/2028',
	dateOfIssue: '22/04/2021',
	features: 'Sẹo chấm C:2cm dưới sau cánh mũi trái',
};

/** Born 1962 (001 = Hà Nội, 0 = male born 1900–1999), issued at 59: no expiry. */
export const ELDER_HOLDER: Readonly<Holder> = {
	idNumber: '001062004215',
	name: 'PHẠM VĂN LONG',
	dob: '12/05/1962',
	sex: 'Nam',
	placeOfOrigin: 'Xã Phụng Thượng, Huyện Phúc Thọ, Hà Nội',
	placeOfResidence: '18 Hàng Bạc, Phường Hàng Bạc, Quận Hoàn Kiếm, Hà Nội',
	dateOfExpiry: 'Không thời hạn',
	dateOfIssue: '10/07/2021',
	features: 'Sẹo chấm C:1cm trên đuôi mắt trái',
};

/** The card with its expiry off the rules: issue date + 15 years, or for a card without expiry, issued at 55. */
export function offMilestone(holder: Readonly<Holder>): Holder {
	if (!/^\d{2}\/\d{2}\/\d{4}$/.test(holder.dateOfExpiry)) return { ...holder, dateOfIssue: '20/03/2018' };
	const [day, month, year] = holder.dateOfIssue.split('/');
	return { ...holder, dateOfExpiry: `${day}/${month}/${Number(year) + 15}` };
}

const ISSUER = 'CỤC TRƯỞNG CỤC CẢNH SÁT QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI';
const PLACE_OF_ISSUE = 'CỤC CẢNH SÁT QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI';
const ISSUER_NAME = 'Trần Quốc Bảo';

/** Confidences under the `blurry` file-name word (0.3–0.6); the other fields keep theirs. */
export const ID_BLURRY: Readonly<Record<string, number>> = {
	name: 0.44,
	dob: 0.58,
	place_of_residence: 0.36,
	personal_identification: 0.39,
	date_of_issue: 0.52,
};

function ascii(text: string): string {
	return text
		.normalize('NFD')
		.replace(/[\u0300-\u036f]/g, '')
		.replace(/[Đđ]/g, 'D')
		.toUpperCase();
}

/** ICAO 9303 check digit: weights 7, 3, 1; digits as such, A–Z as 10–35, `<` as 0. */
export function mrzCheckDigit(text: string): string {
	const weights = [7, 3, 1];
	let sum = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		const value = c === '<' ? 0 : /\d/.test(c) ? Number(c) : c.charCodeAt(0) - 55;
		sum += value * weights[i % 3];
	}
	return String(sum % 10);
}

/** yymmdd of a dd/mm/yyyy date; `<<<<<<` for none ("Không thời hạn"). */
function yymmdd(date: string): string {
	const [d, m, y] = date.split('/');
	return y === undefined ? '<<<<<<' : `${y.slice(2)}${m}${d}`;
}

/** The three 30-character lines of a TD1 machine-readable zone. */
export function mrzLines(holder: Readonly<Holder>): [string, string, string] {
	const documentNumber = holder.idNumber.slice(3);
	const line1 = `IDVNM${documentNumber}${mrzCheckDigit(documentNumber)}${holder.idNumber}<<<`;
	const dob = yymmdd(holder.dob);
	const expiry = yymmdd(holder.dateOfExpiry);
	const start = `${dob}${mrzCheckDigit(dob)}${holder.sex === 'Nữ' ? 'F' : 'M'}${expiry}${mrzCheckDigit(expiry)}VNM${'<'.repeat(11)}`;
	const composite = line1.slice(5) + start.slice(0, 7) + start.slice(8, 15) + start.slice(18, 29);
	const [surname, ...given] = ascii(holder.name).split(/\s+/);
	const line3 = `${surname}<<${given.join('<')}`.padEnd(30, '<').slice(0, 30);
	return [line1, start + mrzCheckDigit(composite), line3];
}

function front(holder: Readonly<Holder>): OcrField[] {
	const qr = [holder.idNumber, '', holder.name, holder.dob.replace(/\//g, ''), holder.sex, holder.placeOfResidence, holder.dateOfIssue.replace(/\//g, '')];
	return [
		field('id_number', holder.idNumber, 0.98, [412, 301, 861, 356]),
		field('name', holder.name, 0.96, [325, 393, 1096, 457]),
		field('dob', holder.dob, 0.97, [658, 451, 874, 505]),
		field('sex', holder.sex, 0.99, [515, 505, 580, 552]),
		field('nationality', 'Việt Nam', 0.95, [905, 505, 1090, 552]),
		field('place_of_origin', holder.placeOfOrigin, 0.92, [325, 575, 1180, 625]),
		field('place_of_residence', holder.placeOfResidence, 0.91, [325, 640, 1180, 700]),
		field('date_of_expiry', holder.dateOfExpiry, 0.94, [40, 690, 260, 730]),
		field('card_type', 'CĂN CƯỚC CÔNG DÂN', 0.98, [470, 190, 960, 245]),
		field('issuing_country', 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 0.97, [330, 40, 1000, 85]),
		field('qr_code', qr.join('|'), 0.99, [1010, 60, 1180, 230]),
	];
}

function back(holder: Readonly<Holder>): OcrField[] {
	const [line1, line2, line3] = mrzLines(holder);
	return [
		field('personal_identification', holder.features, 0.9, [60, 90, 700, 140]),
		field('date_of_issue', holder.dateOfIssue, 0.95, [60, 160, 420, 205]),
		field('place_of_issue', PLACE_OF_ISSUE, 0.93, [60, 240, 720, 300]),
		field('issuer', ISSUER, 0.92, [60, 215, 720, 300]),
		field('issuer_name', ISSUER_NAME, 0.9, [300, 380, 640, 420]),
		field('mrz_line_1', line1, 0.97, [40, 560, 1160, 610]),
		field('mrz_line_2', line2, 0.97, [40, 615, 1160, 665]),
		field('mrz_line_3', line3, 0.96, [40, 670, 1160, 720]),
	];
}

/** Which card, chosen by file-name words. */
export interface CardVariant {
	noExpiry?: boolean;
	offMilestone?: boolean;
}

/** The `eid` fields of one side of the card. */
export function idCardFields(side: 'front' | 'back', mismatch: boolean, variant: CardVariant = {}): OcrField[] {
	let holder = variant.noExpiry ? ELDER_HOLDER : mismatch ? MISMATCH_ID_HOLDER : ID_HOLDER;
	if (variant.offMilestone) holder = offMilestone(holder);
	return side === 'front' ? front(holder) : back(holder);
}
