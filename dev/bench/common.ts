/** Emulator access shared by the benchmarks; workflow builders come from dev/workflow. */
import type { Emulator } from '../emulator/server';

export { credentialsFor, jpegItems, ocr } from '../workflow';

/** The Get Result URL of a request id, as the node builds it. */
export function resultUrl(emulator: Emulator, requestId: string): string {
	return `${emulator.apiUrl}/ocr/ingest/${encodeURIComponent(requestId)}`;
}

export function authHeaders(emulator: Emulator): Record<string, string> {
	return { authorization: `Bearer ${emulator.apiKey}`, 'portal-user-id': emulator.portalUserId, accept: 'application/json' };
}
