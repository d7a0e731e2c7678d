/** Emulator access shared by the benchmarks; workflow builders come from dev/workflow. */
import type { Emulator } from '../emulator/server';
import { runWorkflow, type RunNodeSpec } from '../runner';
import { credentialsFor, jpegItems, ocr } from '../workflow';

export { credentialsFor, jpegItems, ocr };

/**
 * Output "Raw" (GreenNode's answer as it is, one item per request): the figures measure the
 * requests, not the per-document output, and stay comparable from one run to the next.
 */
export const RAW = { output: 'raw' } as const;

/** The node's Output: Raw, the default one item per document, or that with Include: tables. */
export type OutputShape = 'raw' | 'documents' | 'tables';

export const OUTPUT_SHAPES: readonly OutputShape[] = ['raw', 'documents', 'tables'];

/** How a figure names an output shape. */
export const SHAPE_LABEL: Record<OutputShape, string> = {
	raw: 'Output raw',
	documents: 'Output documents (the default)',
	tables: 'Output documents + Include tables',
};

/** The parameters that choose an output shape, with `options` merged into the node's Options. */
export function outputParameters(shape: OutputShape, options: Record<string, unknown> = {}): RunNodeSpec['parameters'] {
	if (shape === 'raw') return { ...RAW, options: { ...options } } as RunNodeSpec['parameters'];
	return { options: shape === 'tables' ? { ...options, include: ['tables'] } : { ...options } } as RunNodeSpec['parameters'];
}

/** Submit of an ID card with Wait for Result, polling every `pollInterval` s (Concurrency left at its default). */
export function submitAndWait(pollInterval: number, timeout: number, shape: OutputShape = 'raw'): RunNodeSpec {
	return ocr({ operation: 'submit', docType: 'ID', waitForResult: true, ...outputParameters(shape, { pollInterval, timeout }) });
}

/** One untimed Submit of `node` without waiting: loads the node, n8n's services and the HTTP stack. */
export async function warmUp(node: RunNodeSpec, credentials: ReturnType<typeof credentialsFor>): Promise<void> {
	await runWorkflow({ nodes: [{ ...node, parameters: { ...node.parameters, waitForResult: false } }], items: jpegItems(1), credentials });
}

/** The Get Result URL of a request id, as the node builds it. */
export function resultUrl(emulator: Emulator, requestId: string): string {
	return `${emulator.apiUrl}/ocr/ingest/${encodeURIComponent(requestId)}`;
}

export function authHeaders(emulator: Emulator): Record<string, string> {
	return { authorization: `Bearer ${emulator.apiKey}`, 'portal-user-id': emulator.portalUserId, accept: 'application/json' };
}
