import {
	CCCD_PROVINCES,
	checkAmountInWords,
	checkCccd,
	checkDate,
	checkFields,
	checkTaxCode,
	taxCheckDigit,
	validateFields,
} from '../nodes/GreenNodeOcr/helpers/validate';

describe('CCCD province table', () => {
	it('holds the 63 province codes, from 001 Hà Nội to 096 Cà Mau', () => {
		const codes = Object.keys(CCCD_PROVINCES);
		expect(codes).toHaveLength(63);
		expect(CCCD_PROVINCES['001']).toBe('Hà Nội');
		expect(CCCD_PROVINCES['079']).toBe('Hồ Chí Minh');
		expect(CCCD_PROVINCES['048']).toBe('Đà Nẵng');
		expect(CCCD_PROVINCES['096']).toBe('Cà Mau');
		expect(codes.every((code) => /^0\d\d$/.test(code) && Number(code) >= 1 && Number(code) <= 96)).toBe(true);
		for (const gap of ['003', '005', '013', '039', '097', '099']) expect(CCCD_PROVINCES[gap]).toBeUndefined();
	});
});

describe('checkCccd', () => {
	const dob = (value: string) => ({ field: 'eid.dob', value });
	const sex = (value: string) => ({ field: 'eid.sex', value });

	it('reads province, century, gender and year of a real-shaped number', () => {
		expect(checkCccd('079303009457')).toEqual({
			valid: true,
			reason: '079 = Hồ Chí Minh; 3 = female born 2000–2099; born 2003',
		});
		expect(checkCccd('001090012345').reason).toBe('001 = Hà Nội; 0 = male born 1900–1999; born 1990');
		expect(checkCccd('079 303 009 457').valid).toBe(true);
	});

	it('agrees with a matching date of birth and sex', () => {
		const result = checkCccd('079303009457', { dob: dob('03/09/2003'), sex: sex('Nữ') });
		expect(result).toEqual({
			valid: true,
			reason: '079 = Hồ Chí Minh; 3 = female born 2000–2099; born 2003; agrees with eid.dob; agrees with eid.sex',
		});
	});

	it('rejects a century digit that contradicts the date of birth', () => {
		const result = checkCccd('079103009457', { dob: dob('03/09/2003') });
		expect(result.valid).toBe(false);
		expect(result.reason).toMatch(/^century digit 1 means born 1900–1999, but eid\.dob is 03\/09\/2003 \(2003\)/);
	});

	it('rejects birth-year digits that contradict the date of birth', () => {
		const result = checkCccd('079303009457', { dob: dob('03/09/2004') });
		expect(result.valid).toBe(false);
		expect(result.reason).toMatch(/^digits 5–6 \(03\) say born 2003, but eid\.dob is 03\/09\/2004/);
	});

	it('rejects a gender digit that contradicts the sex field', () => {
		const result = checkCccd('079303009457', { sex: sex('Nam') });
		expect(result.valid).toBe(false);
		expect(result.reason).toMatch(/^digit 4 \(3\) means female, but eid\.sex is Nam/);
		expect(checkCccd('001090012345', { sex: sex('Male') }).valid).toBe(true);
	});

	it('does not compare with an unreadable date of birth, and says so', () => {
		const result = checkCccd('079303009457', { dob: dob('03/09/20O3') });
		expect(result.valid).toBe(true);
		expect(result.reason).toContain('eid.dob "03/09/20O3" is not a readable date, not compared');
	});

	it('accepts a year-only date of birth', () => {
		expect(checkCccd('079303009457', { dob: dob('2003') }).valid).toBe(true);
		expect(checkCccd('079303009457', { dob: dob('1903') }).valid).toBe(false);
	});

	it.each([
		['099303009457', '099 is not one of the 63 province codes a CCCD number starts with'],
		['003303009457', '003 is not one of the 63 province codes a CCCD number starts with'],
		['07930300945', '"07930300945" is not 12 digits, as a citizen ID (CCCD) number is'],
		['07930300945A', '"07930300945A" is not 12 digits, as a citizen ID (CCCD) number is'],
	])('rejects %s', (value, reason) => {
		expect(checkCccd(value)).toEqual({ valid: false, reason });
	});

	it('rejects a birth year in the future (century digit 4 = 2100s)', () => {
		const result = checkCccd('079403009457', { now: Date.UTC(2025, 0, 1) });
		expect(result.valid).toBe(false);
		expect(result.reason).toMatch(/^birth year 2103 is in the future/);
	});

	it('reads 1800s (8/9) and 2200s (6/7) century digits', () => {
		expect(checkCccd('001899012345').reason).toContain('male born 1800–1899; born 1899');
		expect(checkCccd('001700012345', { now: Date.UTC(2300, 0, 1) }).reason).toContain('female born 2200–2299; born 2200');
	});

	it('lets an old 9-digit CMND number through on its length alone', () => {
		expect(checkCccd('025123456').valid).toBe(true);
	});
});

describe('checkTaxCode (MST)', () => {
	it('computes the check digit with weights 31,29,23,19,17,13,7,5,3 and 10 - (sum mod 11)', () => {
		// 0100109106: 1*29 + 1*17 + 9*7 + 1*5 = 114; 114 mod 11 = 4; 10 - 4 = 6
		expect(taxCheckDigit('010010910')).toBe(6);
		// 010010904: weighted sum is a multiple of 11, so no digit can follow it
		expect(taxCheckDigit('010010904')).toBeUndefined();
	});

	it.each([
		['0100109106'], // Viettel
		['0300588569'], // Vinamilk
		['0101248141'], // FPT
		['0303490096'], // VNG
		['0100107370'], // Petrolimex: remainder 10, check digit 0
		['0100109106-001'],
		['0100109106001'],
		[' 0100109106 - 012 '],
	])('accepts the real tax code %s', (code) => {
		expect(checkTaxCode(code).valid).toBe(true);
	});

	it('names the branch of a 10-3 code', () => {
		expect(checkTaxCode('0100109106-001').reason).toBe('check digit 6 matches; branch 001 of 0100109106');
	});

	it.each([
		['0100109107', 'check digit is 7, but the first nine digits call for 6'],
		['0302321337', 'check digit is 7, but the first nine digits call for 8'],
		['0100109107-001', 'check digit is 7, but the first nine digits call for 6'],
		['0100109106-000', 'branch number 000 is not used (branches count from 001)'],
		['0100109040', 'no check digit can follow 010010904 (its weighted sum is a multiple of 11)'],
		['010010910', '"010010910" is not a tax code: 10 digits, or 10-3 digits for a branch'],
		['0100109106-01', '"0100109106-01" is not a tax code: 10 digits, or 10-3 digits for a branch'],
	])('rejects %s', (code, reason) => {
		expect(checkTaxCode(code)).toEqual({ valid: false, reason });
	});

	it('checks a 12-digit personal tax code as a CCCD number', () => {
		expect(checkTaxCode('079303009457')).toEqual({
			valid: true,
			reason: '12-digit personal identification number used as a tax code: 079 = Hồ Chí Minh; 3 = female born 2000–2099; born 2003',
		});
		expect(checkTaxCode('099303009457').valid).toBe(false);
	});
});

describe('checkDate', () => {
	it.each([
		['29/02/2024', true, '2024-02-29 exists'],
		['29/02/2023', false, '29/02/2023 is not a real date: day 29 does not exist in 02/2023 (28 days)'],
		['31/02/2024', false, '31/02/2024 is not a real date: day 31 does not exist in 02/2024 (29 days)'],
		['Không thời hạn', true, 'no expiry date'],
		['2003', true, 'a year only'],
		['ngày mai', false, '"ngày mai" is not a date in a known form (dd/mm/yyyy)'],
	])('%s', (value, valid, reason) => {
		expect(checkDate(value)).toEqual({ valid, reason });
	});
});

describe('checkAmountInWords', () => {
	it('passes when the words and the figures agree', () => {
		expect(checkAmountInWords('Bốn triệu sáu trăm mười nghìn đồng chẵn', '4.610.000', 'total_amount')).toEqual({
			valid: true,
			reason: 'the words say 4610000, equal to total_amount 4.610.000',
		});
		expect(checkAmountInWords('Bốn triệu sáu trăm mười nghìn đồng', 4610000).valid).toBe(true);
		expect(checkAmountInWords('Một nghìn đồng', '1,000').valid).toBe(true); // either reading of "1,000"
	});

	it('fails when they differ, saying both', () => {
		expect(checkAmountInWords('Bốn triệu sáu trăm nghìn đồng', '4.610.000 đ', 'tong_tien')).toEqual({
			valid: false,
			reason: 'the words say 4600000, but tong_tien is 4.610.000 đ',
		});
	});

	it('fails when either side cannot be read', () => {
		expect(checkAmountInWords('Bốn triệu sáu trăm xyz', '4.610.000').reason).toBe('"Bốn triệu sáu trăm xyz" could not be read as an amount in words');
		expect(checkAmountInWords('Bốn triệu', 'n/a', 'total').reason).toBe('total "n/a" is not a number');
	});
});

describe('validateFields', () => {
	it('checks a CCCD front against its own date of birth and sex', () => {
		const result = validateFields({
			'eid.id_number': '079303009457',
			'eid.name': 'TRẦN THANH VÂN ANH',
			'eid.dob': '03/09/2003',
			'eid.sex': 'Nữ',
			'eid.address': '12 Nguyễn Huệ, Quận 1',
		});
		expect(Object.keys(result).sort()).toEqual(['eid.dob', 'eid.id_number']);
		expect(result['eid.id_number']).toMatchObject({ check: 'cccd', valid: true });
		expect(result['eid.dob']).toEqual({ check: 'date', valid: true, reason: '2003-09-03 exists' });
	});

	it('flags a CCCD whose century digit contradicts the date of birth', () => {
		const result = validateFields({ 'eid.id_number': '079103009457', 'eid.date_of_birth': '03/09/2003' });
		expect(result['eid.id_number'].valid).toBe(false);
		expect(result['eid.id_number'].reason).toContain('but eid.date_of_birth is 03/09/2003');
	});

	it('checks an invoice: tax codes, dates, the amount in words against the total', () => {
		const result = validateFields({
			seller_tax_code: '0100109106',
			buyer_tax_code: '0100109107',
			ngay_lap: '31/02/2024',
			tong_tien_thanh_toan: '4.610.000',
			tien_thue: '461.000',
			so_tien_bang_chu: 'Bốn triệu sáu trăm mười nghìn đồng',
			ghi_chu: 'Giao hàng 15/03/2024 trước 10 giờ',
		});
		expect(Object.keys(result).sort()).toEqual(['buyer_tax_code', 'ngay_lap', 'seller_tax_code', 'so_tien_bang_chu']);
		expect(result.seller_tax_code).toMatchObject({ check: 'tax_code', valid: true });
		expect(result.buyer_tax_code).toMatchObject({ check: 'tax_code', valid: false });
		expect(result.ngay_lap).toMatchObject({ check: 'date', valid: false });
		expect(result.so_tien_bang_chu).toEqual({
			check: 'amount_in_words',
			valid: true,
			reason: 'the words say 4610000, equal to tong_tien_thanh_toan 4.610.000',
		});
	});

	it('pairs amount_in_words with the field of the same stem first', () => {
		const result = validateFields({ total_amount: '4.610.000', amount: '100.000', amount_in_words: 'Một trăm nghìn đồng' });
		expect(result.amount_in_words).toMatchObject({ valid: true, reason: 'the words say 100000, equal to amount 100.000' });
		const mismatch = validateFields({ total_amount: '4.610.000', total_amount_in_words: 'Bốn triệu đồng' });
		expect(mismatch.total_amount_in_words).toMatchObject({ valid: false, reason: 'the words say 4000000, but total_amount is 4.610.000' });
	});

	it('does not hold a passport number in an id field to the CCCD rules', () => {
		expect(validateFields({ 'pp.id_number': 'C1234567', 'x.id_number': '07930300945A' })).toEqual({
			'x.id_number': { check: 'cccd', valid: false, reason: '"07930300945A" is not 12 digits, as a citizen ID (CCCD) number is' },
		});
	});

	it('leaves out amount words with no figures, empty values and plain text', () => {
		expect(validateFields({ amount_in_words: 'Bốn triệu đồng', tien_thue: '400.000', name: 'ABC', dob: '' })).toEqual({});
	});

	it('checks a date-shaped value whatever its field name, and a 10-3 value as a tax code', () => {
		const result = validateFields({ valid_from: '29/02/2023', branch: '0100109106-001' });
		expect(result.valid_from).toMatchObject({ check: 'date', valid: false });
		expect(result.branch).toMatchObject({ check: 'tax_code', valid: true });
	});
});

describe('checkFields', () => {
	it('says what each check read: the field and the fields it was compared with, the amounts in words and in figures', () => {
		const result = checkFields({
			'eid.id_number': '079303009457',
			'eid.dob': '03/09/2003',
			'eid.sex': 'Nữ',
			'inv.tong_tien': '4.610.000 đ',
			'inv.so_tien_bang_chu': 'Bốn triệu sáu trăm nghìn đồng',
			'inv.mst': '0100109106',
		});
		expect(Object.fromEntries(Object.entries(result).map(([key, { check, fields, expected, found }]) => [key, { check, fields, expected, found }]))).toEqual({
			'eid.id_number': { check: 'cccd', fields: ['eid.id_number', 'eid.dob', 'eid.sex'], expected: null, found: '079303009457' },
			'eid.dob': { check: 'date', fields: ['eid.dob'], expected: null, found: '03/09/2003' },
			'inv.so_tien_bang_chu': { check: 'amount_in_words', fields: ['inv.so_tien_bang_chu', 'inv.tong_tien'], expected: 4610000, found: 4600000 },
			'inv.mst': { check: 'tax_code', fields: ['inv.mst'], expected: null, found: '0100109106' },
		});
	});

	it('gives validateFields its answers, without what they read', () => {
		const fields = { 'eid.id_number': '079103009457', 'eid.dob': '03/09/2003', total: '100.000', amount_in_words: 'Một trăm nghìn đồng' };
		const detailed = checkFields(fields);
		expect(validateFields(fields)).toEqual(
			Object.fromEntries(Object.entries(detailed).map(([key, { check, valid, reason }]) => [key, { check, valid, reason }])),
		);
		expect(detailed.amount_in_words).toMatchObject({ valid: true, expected: 100000, found: 100000 });
	});
});
