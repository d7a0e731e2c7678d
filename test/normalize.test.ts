import {
	isIdentifierField,
	normalizeFields,
	normalizeValue,
	numberReadings,
	parseDate,
} from '../nodes/GreenNodeOcr/helpers/normalize';
import { foldVietnamese, parseVietnameseAmount } from '../nodes/GreenNodeOcr/helpers/vietnameseNumbers';

const num = (text: string, field?: string) => normalizeValue(text, field);

describe('normalizeValue: numbers', () => {
	it.each([
		['4.610.000', 4610000],
		['1.000', 1000],
		['100.000', 100000],
		['1.234,5', 1234.5],
		['1,5', 1.5],
		['0,5', 0.5],
		['1.000,50', 1000.5],
		['1,000.50', 1000.5],
		['4,610,000', 4610000],
		['4.610.000 đ', 4610000],
		['4.610.000đ', 4610000],
		['4.610.000 VNĐ', 4610000],
		['4.610.000 vnd', 4610000],
		['VND 4.610.000', 4610000],
		['4.610.000 đồng', 4610000],
		['4.610.000,00 ₫', 4610000],
		['-1.500', -1500],
		['− 1.500', -1500],
		['0.5', 0.5],
		['1.25', 1.25],
		['0.500', 0.5],
		['0', 0],
		['461000', 461000],
		['4 610 000', 4610000],
		['4\u00a0610\u00a0000', 4610000],
		['  2.500  ', 2500],
	])('%s is the number %p', (text, value) => {
		expect(num(text)).toEqual({ value, kind: 'number', original: text });
	});

	it('keeps the original text beside the number', () => {
		const result = num('4.610.000 VNĐ');
		expect(result.original).toBe('4.610.000 VNĐ');
		expect(result.value).toBe(4610000);
	});

	it.each([
		['1,000', [1, 1000]],
		['12,345', [12.345, 12345]],
	])('%s is ambiguous: stays text with a note', (text, readings) => {
		const result = num(text);
		expect(result).toMatchObject({ value: text, kind: 'text' });
		expect(result.note).toBe(
			`ambiguous number: "${text}" could be ${readings[0]} (Vietnamese decimal comma) or ${readings[1]} (English thousands)`,
		);
		expect(numberReadings(text)).toEqual(readings);
	});

	it.each([
		['079303009457'], // CCCD: leading zero
		['0123'],
		['0903123456'], // phone
		['0100109106'], // tax code
		['0100109106-001'],
		['1903601234567'], // account: ten or more bare digits
		['10%'],
		['(1.500)'],
		['1.234.56'],
		['12.34.567'],
		['1.000.000,5,5'],
		['$1,000.50'],
		['4.610.000 USD'],
		['Bốn triệu đồng'],
		['abc 123'],
		[''],
		['   '],
		['-'],
		['1 5'],
	])('%p stays text', (text) => {
		expect(num(text)).toMatchObject({ value: text, kind: 'text', original: text });
	});

	it('keeps identifier fields as text whatever their value', () => {
		expect(num('4.610.000', 'eid.id_number').kind).toBe('text');
		expect(num('123456', 'mst').kind).toBe('text');
		expect(num('123456', 'seller_tax_code').kind).toBe('text');
		expect(num('912345678', 'phone').kind).toBe('text');
		expect(num('1234', 'so_tk').kind).toBe('text');
		expect(num('1234', 'invoice_no').kind).toBe('text');
		expect(num('15/03/2024', 'so_hoa_don').kind).toBe('text');
		expect(num('4.610.000', 'total_amount').kind).toBe('number');
		expect(num('461.000', 'tax_amount').kind).toBe('number');
		expect(num('461.000', 'tien_thue').kind).toBe('number');
	});

	it('tells identifier field names from amount field names', () => {
		for (const name of ['eid.id_number', 'cccd', 'so_cmnd', 'mst', 'ma_so_thue', 'buyer.taxCode', 'so_dien_thoai', 'so_tk', 'account_no', 'ma_khach_hang', 'bank.account_no'])
			expect([name, isIdentifierField(name)]).toEqual([name, true]);
		for (const name of ['total_amount', 'tong_tien', 'so_tien', 'tax', 'tax_amount', 'so_luong', 'don_gia', 'eid.dob', 'account.balance'])
			expect([name, isIdentifierField(name)]).toEqual([name, false]);
	});
});

describe('normalizeValue: dates', () => {
	it.each([
		['15/03/2024', '2024-03-15'],
		['5/3/2024', '2024-03-05'],
		['15-03-2024', '2024-03-15'],
		['15.03.2024', '2024-03-15'],
		['15 / 03 / 2024', '2024-03-15'],
		['2024-03-15', '2024-03-15'],
		['29/02/2024', '2024-02-29'],
		['ngày 15 tháng 03 năm 2024', '2024-03-15'],
		['Ngày 15 tháng 3 năm 2024.', '2024-03-15'],
		['NGAY 15 THANG 03 NAM 2024', '2024-03-15'],
		['03/09/2003', '2003-09-03'],
	])('%s is the date %s', (text, iso) => {
		expect(num(text)).toEqual({ value: iso, kind: 'date', original: text });
	});

	it.each([
		['31/02/2024', 'day 31 does not exist in 02/2024 (29 days)'],
		['29/02/2023', 'day 29 does not exist in 02/2023 (28 days)'],
		['31/04/2024', 'day 31 does not exist in 04/2024 (30 days)'],
		['15/13/2024', 'month 13 does not exist'],
		['03/15/2024', 'month 15 does not exist'],
		['00/03/2024', 'day 0 does not exist in 03/2024 (31 days)'],
	])('%s is not a real date: stays text, flagged', (text, reason) => {
		const result = num(text);
		expect(result).toMatchObject({ value: text, kind: 'text', original: text });
		expect(result.note).toBe(`not a real date: ${reason}`);
	});

	it.each([['15/03/24'], ['03/2024'], ['15/03/2024 10:30'], ['Hà Nội, ngày 15 tháng 03 năm 2024']])('%s stays text', (text) => {
		expect(num(text)).toEqual({ value: text, kind: 'text', original: text });
	});

	it('knows leap years', () => {
		expect(parseDate('29/02/2000')).toMatchObject({ valid: true, iso: '2000-02-29' });
		expect(parseDate('29/02/1900')).toMatchObject({ valid: false });
		expect(parseDate('hello')).toBeUndefined();
	});
});

describe('normalizeFields', () => {
	it('changes numbers and dates, keeps text and identifiers, records the originals', () => {
		const result = normalizeFields({
			'eid.id_number': '079303009457',
			'eid.dob': '03/09/2003',
			'eid.name': 'TRẦN THANH VÂN ANH',
			total_amount: '4.610.000',
			quantity: 2,
		});
		expect(result.fields).toEqual({
			'eid.id_number': '079303009457',
			'eid.dob': '2003-09-03',
			'eid.name': 'TRẦN THANH VÂN ANH',
			total_amount: 4610000,
			quantity: 2,
		});
		expect(result.original).toEqual({ 'eid.dob': '03/09/2003', total_amount: '4.610.000' });
	});
});

describe('parseVietnameseAmount', () => {
	it.each([
		['Bốn triệu sáu trăm mười nghìn đồng', 4610000],
		['Bốn triệu sáu trăm mười nghìn đồng chẵn.', 4610000],
		['bon trieu sau tram muoi nghin dong', 4610000],
		['BỐN TRIỆU SÁU TRĂM MƯỜI NGÀN ĐỒNG', 4610000],
		['Số tiền viết bằng chữ: Một triệu hai trăm nghìn đồng./.', 1200000],
		['Hai mươi mốt nghìn đồng', 21000],
		['Mười lăm nghìn năm trăm đồng', 15500],
		['Hai mươi lăm triệu', 25000000],
		['Một trăm linh năm nghìn', 105000],
		['Một trăm lẻ một', 101],
		['Một nghìn không trăm linh năm đồng', 1005],
		['Hai mươi tư', 24],
		['Ba mươi bốn', 34],
		['Mười một', 11],
		['Mười', 10],
		['Năm mươi', 50],
		['Một tỷ hai trăm triệu đồng', 1200000000],
		['Một tỉ', 1000000000],
		['Một nghìn tỷ', 1000000000000],
		['Một triệu không trăm năm mươi nghìn', 1050000],
		['Hai chục nghìn', 20000],
		['Một triệu rưỡi', 1500000],
		['Hai trăm rưỡi', 250],
		['Một triệu hai', 1200000],
		['Hai trăm ba', 230],
		['Không đồng', 0],
		['Chín trăm chín mươi chín triệu chín trăm chín mươi chín nghìn chín trăm chín mươi chín đồng', 999999999],
		['Bảy triệu, tám trăm nghìn đồng; Việt Nam đồng', 7800000],
	])('%s is %p', (text, value) => {
		expect(parseVietnameseAmount(text)).toBe(value);
	});

	it.each([
		['đồng'],
		[''],
		['Hai ba'],
		['nghìn đồng'],
		['trăm'],
		['Công ty TNHH ABC'],
		['ngày 15 tháng 03 năm 2024'],
		['4 triệu'],
		['Hai mươi mươi'],
		['Một trăm hai trăm'],
	])('%p is not a number phrase', (text) => {
		expect(parseVietnameseAmount(text)).toBeUndefined();
	});

	it('folds Vietnamese letters for comparison', () => {
		expect(foldVietnamese('Đồng Mười Tư Lẻ')).toBe('dong muoi tu le');
	});
});
