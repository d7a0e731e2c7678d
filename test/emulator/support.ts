/** The emulator's own tests: raw HTTP calls to it, and one emulator per test file. */
import { Blob } from 'buffer';
import { FormData, request } from 'undici';

import { Emulator, startEmulator } from '../../dev/emulator/server';
import type { Body, ResultData, SubmitData } from '../wire';

export type { Emulator };

export interface Answer {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: Buffer;
}

export function authHeaders(emulator: Emulator): Record<string, string> {
	return { authorization: `Bearer ${emulator.apiKey}`, 'portal-user-id': emulator.portalUserId };
}

export async function call(
	url: string,
	init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: FormData | string } = {},
): Promise<Answer> {
	const response = await request(url, { method: init.method ?? 'GET', headers: init.headers, body: init.body });
	const body = Buffer.from(await response.body.arrayBuffer());
	return { status: response.statusCode, headers: response.headers, body };
}

export function get(emulator: Emulator, apiPath: string, headers = authHeaders(emulator)): Promise<Answer> {
	return call(`${emulator.apiUrl}${apiPath}`, { headers });
}

/** The JSON body of an answer, read as `T` (a GreenNode shape, or `unknown` to compare it whole). */
export function jsonOf<T = unknown>(answer: Answer): T {
	expect(answer.headers['content-type']).toMatch(/^application\/json/);
	return JSON.parse(answer.body.toString('utf8')) as T;
}

export interface UploadFile {
	name: string;
	data: Buffer;
	type?: string;
}

function form(fields: Record<string, string>, file?: UploadFile): FormData {
	const data = new FormData();
	for (const [name, value] of Object.entries(fields)) {
		data.append(name, value);
	}
	if (file) {
		data.append('file', new Blob([file.data], { type: file.type ?? 'application/pdf' }), file.name);
	}
	return data;
}

export function submit(
	emulator: Emulator,
	fields: Record<string, string>,
	file?: UploadFile,
	headers = authHeaders(emulator),
): Promise<Answer> {
	return call(`${emulator.apiUrl}/ocr/ingest`, { method: 'POST', headers, body: form(fields, file) });
}

export const PDF = { name: 'invoice.pdf', data: Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n') };
export const IMAGE = { name: 'cccd.jpg', data: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]), type: 'image/jpeg' };

export async function submitOk(emulator: Emulator, fields: Record<string, string>, file: UploadFile): Promise<{ requestId: string; fileIds: string[] }> {
	const answer = await submit(emulator, fields, file);
	expect(answer.status).toBe(201);
	const { data } = jsonOf<Body<SubmitData>>(answer);
	return { requestId: data.request_id, fileIds: data.file_ids };
}

export async function pollUntilDone(emulator: Emulator, requestId: string): Promise<Body<ResultData>> {
	for (let i = 0; i < 5; i++) {
		const body = jsonOf<Body<ResultData>>(await get(emulator, `/ocr/ingest/${requestId}`));
		if (body.data.progress.finished > 0) {
			return body;
		}
	}
	throw new Error('job did not finish');
}

export function expectForbidden(answer: Answer): void {
	expect(answer.status).toBe(403);
	expect(answer.headers['content-type']).toMatch(/^text\/plain/);
	expect(answer.headers['content-length']).toBe('9');
	expect(answer.body.toString('utf8')).toBe('Forbidden');
}

/**
 * Starts one emulator for the test file (with a second account, `other-key` / 200002) and hands
 * it to `use`, resets it before each test and closes it after the file.
 */
export function useTestEmulator(use: (emulator: Emulator) => void): void {
	let emulator: Emulator | undefined;
	beforeAll(async () => {
		emulator = await startEmulator({ extraAccounts: [{ apiKey: 'other-key', portalUserId: '200002' }] });
		use(emulator);
	});
	afterAll(async () => {
		await emulator?.close();
	});
	beforeEach(() => {
		emulator?.reset();
	});
}
