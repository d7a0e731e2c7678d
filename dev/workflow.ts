/** Credentials, node specs and input items for workflows of the GreenNode OCR node, shared by tests, benchmarks and examples. */
import type { Emulator } from './emulator/server';
import { PAGE_JPEG } from './emulator/images';
import type { InputItem, RunNodeSpec } from './runner';
import { samplePdf } from './samples';

type EmulatorAccess = Pick<Emulator, 'url' | 'apiKey' | 'portalUserId'>;

export function credentialsFor(emulator: EmulatorAccess, overrides: Record<string, string> = {}) {
	return {
		greenNodeOcrApi: {
			apiKey: emulator.apiKey,
			portalUserId: emulator.portalUserId,
			baseUrl: emulator.url,
			...overrides,
		},
	};
}

export function ocr(parameters: RunNodeSpec['parameters'], extra: Partial<RunNodeSpec> = {}): RunNodeSpec {
	return { name: 'GreenNode OCR', type: 'greenNodeOcr', parameters, ...extra };
}

export function pdfItem(fileName = 'invoice.pdf', json: InputItem['json'] = {}): InputItem {
	return { json, binary: { data: { data: samplePdf(), fileName, mimeType: 'application/pdf' } } };
}

export function jpegItem(fileName = 'id-card.jpg', json: InputItem['json'] = {}): InputItem {
	return { json, binary: { data: { data: PAGE_JPEG, fileName, mimeType: 'image/jpeg' } } };
}

/** `count` JPEG items named `<prefix>-<index>.jpg`, each with `{ n: index }` as JSON. */
export function jpegItems(count: number, prefix = 'card'): InputItem[] {
	return Array.from({ length: count }, (_, index) => jpegItem(`${prefix}-${index}.jpg`, { n: index }));
}
