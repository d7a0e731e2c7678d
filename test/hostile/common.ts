import type { Emulator } from '../../dev/emulator/server';
import { jpegItem, ocr, run } from '../support';

/** Which requests a fault applies to, and a fresh submission to fetch things for. */

type Request = { method: string; path: string };

export const isPoll = (request: Request) => request.method === 'GET' && /\/ocr\/ingest\/[^/]+$/.test(request.path);
export const isFile = (request: Request) => request.path.includes('/ocr/ingest/file/');
export const isSubmit = (request: Request) => request.method === 'POST';

/** Submits one image (without waiting) and forgets the requests that took. */
export async function submitted(emulator: Emulator): Promise<{ requestId: string; fileId: string }> {
	const result = await run(emulator, [ocr({ operation: 'submit', waitForResult: false, docType: 'ID' })], [jpegItem()]);
	expect(result.error).toBeUndefined();
	emulator.requests.length = 0;
	return { requestId: result.items[0].json.request_id as string, fileId: (result.items[0].json.file_ids as string[])[0] };
}
