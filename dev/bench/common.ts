/** Emulator, credentials and node specs shared by the benchmarks. */
import type { Emulator } from '../emulator/server';
import { PAGE_JPEG } from '../emulator/images';
import type { InputItem, RunNodeSpec } from '../runner';

export function credentialsFor(emulator: Emulator) {
	return {
		greenNodeOcrApi: { apiKey: emulator.apiKey, portalUserId: emulator.portalUserId, baseUrl: emulator.url },
	};
}

export function ocr(parameters: RunNodeSpec['parameters']): RunNodeSpec {
	return { name: 'GreenNode OCR', type: 'greenNodeOcr', parameters };
}

export function jpegItems(count: number, prefix = 'card'): InputItem[] {
	return Array.from({ length: count }, (_, index) => ({
		json: { n: index },
		binary: { data: { data: PAGE_JPEG, fileName: `${prefix}-${index}.jpg`, mimeType: 'image/jpeg' } },
	}));
}

/** The Get Result URL of a request id, as the node builds it. */
export function resultUrl(emulator: Emulator, requestId: string): string {
	return `${emulator.apiUrl}/ocr/ingest/${encodeURIComponent(requestId)}`;
}

export function authHeaders(emulator: Emulator): Record<string, string> {
	return { authorization: `Bearer ${emulator.apiKey}`, 'portal-user-id': emulator.portalUserId, accept: 'application/json' };
}
