/**
 * Reads an amount written in Vietnamese words ("Bốn triệu sáu trăm mười nghìn đồng chẵn") as a
 * number. Diacritics, case and punctuation do not matter; "mươi/mười", "lăm/năm", "mốt/một",
 * "tư/bốn", "linh/lẻ", "nghìn/ngàn", "tỷ/tỉ", "chục" and "rưỡi" (half of the last unit) are
 * understood, and "đồng", "chẵn", "VNĐ", "Việt Nam đồng" are ignored. Anything else makes the
 * text not a number phrase: the answer is then undefined.
 */

/** Lower case, without diacritics, "đ" as "d": the form words are compared in. */
export function foldVietnamese(text: string): string {
	// Most values (numbers, dates, codes) are plain ASCII: nothing to fold but the case.
	if (/^[\x00-\x7f]*$/.test(text)) return text.toLowerCase();
	return text
		.normalize('NFD')
		.replace(/[\u0300-\u036f]/g, '')
		.replace(/[đĐ]/g, 'd')
		.toLowerCase();
}

const DIGITS: Record<string, number> = {
	khong: 0,
	mot: 1,
	hai: 2,
	ba: 3,
	bon: 4,
	tu: 4,
	nam: 5,
	lam: 5,
	sau: 6,
	bay: 7,
	tam: 8,
	chin: 9,
};

const SCALES: Record<string, number> = { nghin: 1e3, ngan: 1e3, trieu: 1e6, ty: 1e9, ti: 1e9 };
const TENS = new Set(['muoi', 'chuc']);
const SKIP = new Set(['linh', 'le']);
const FILLER = new Set(['dong', 'chan', 'vnd', 'd', 'tron']);

/** Splits folded text into words; a leading label ending in ":" ("Bằng chữ:") is dropped. */
function words(text: string): string[] {
	const afterLabel = text.includes(':') ? text.slice(text.lastIndexOf(':') + 1) : text;
	return foldVietnamese(afterLabel)
		.replace(/viet\s*nam\s*dong/g, ' ')
		.replace(/[^a-z0-9]+/g, ' ')
		.trim()
		.split(' ')
		.filter((word) => word !== '');
}

/**
 * The number an amount in Vietnamese words stands for, or undefined when it is not one.
 * A digit that ends the phrase right after "trăm" or a scale word is read the spoken way:
 * "một triệu hai" is 1 200 000 and "hai trăm ba" is 230 (203 is "hai trăm linh ba").
 */
export function parseVietnameseAmount(text: string): number | undefined {
	if (typeof text !== 'string') return undefined;
	let total = 0; // everything already multiplied by a scale
	let group = 0; // the part below one thousand being read
	let digit: number | undefined; // a digit word not yet placed
	let digitUnit = 1; // the unit of the word before that digit ("trăm" or a scale)
	let lastUnit = 0; // the unit of the last number word
	let numberWords = 0;

	for (const word of words(text)) {
		if (FILLER.has(word)) continue;
		if (word in DIGITS) {
			if (digit !== undefined) return undefined; // two digits in a row: "hai ba"
			digit = DIGITS[word];
			digitUnit = lastUnit >= 100 ? lastUnit : 1;
			lastUnit = 1;
		} else if (word === 'tram') {
			if (digit === undefined || group >= 100) return undefined;
			group += digit * 100;
			digit = undefined;
			lastUnit = 100;
		} else if (TENS.has(word)) {
			if (group % 100 >= 10) return undefined;
			group += digit === undefined ? 10 : digit * 10;
			digit = undefined;
			lastUnit = 10;
		} else if (SKIP.has(word)) {
			if (digit !== undefined || group % 100 !== 0 || numberWords === 0) return undefined;
			lastUnit = 0;
		} else if (word in SCALES) {
			const scale = SCALES[word];
			const part = group + (digit ?? 0);
			if (digit === undefined && part === 0 && lastUnit < 1000) return undefined; // "nghìn" alone
			const low = total % scale;
			total = total - low + (low + part) * scale;
			group = 0;
			digit = undefined;
			lastUnit = scale;
		} else if (word === 'ruoi') {
			if (digit !== undefined || lastUnit < 10) return undefined;
			group += lastUnit / 2;
			lastUnit = 0;
		} else {
			return undefined;
		}
		numberWords++;
	}
	if (numberWords === 0) return undefined;
	const tail = digit === undefined ? 0 : digitUnit > 1 ? (digit * digitUnit) / 10 : digit;
	const value = total + group + tail;
	return Number.isSafeInteger(value) ? value : undefined;
}
