/**
 * What the upload benchmarks' child processes share: a large test file, and two node types that
 * create binary data from a file stream (as n8n's Read/Write Files from Disk does in filesystem
 * binary mode) and mark the moment the binary is ready.
 */
import { createHash, randomBytes } from 'crypto';
import { createReadStream, createWriteStream } from 'fs';
import type { IBinaryData, IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';

import { nodeDescription, registerNodeType } from '../runner';

export const FILE_STREAM_NODE_TYPE = 'bench.fileStream';
export const MARK_NODE_TYPE = 'bench.mark';
export const BINARY_REF_NODE_TYPE = 'bench.binaryRef';

const CHUNK = 1024 * 1024;

/** Writes `size` random bytes to `path`; returns their sha256. */
export async function writeTestFile(path: string, size: number): Promise<string> {
	const hash = createHash('sha256');
	const out = createWriteStream(path);
	for (let written = 0; written < size; written += CHUNK) {
		const chunk = randomBytes(Math.min(CHUNK, size - written));
		hash.update(chunk);
		if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
	}
	await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
	return hash.digest('hex');
}

export async function hashFile(path: string): Promise<string> {
	const hash = createHash('sha256');
	for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
	return hash.digest('hex');
}

let onBinaryReady: (() => void) | undefined;

/** Called when the start node has produced its binary (or a Mark node runs); undefined: nothing. */
export function setOnBinaryReady(callback: (() => void) | undefined): void {
	onBinaryReady = callback;
}

/** A start-like node: turns the file at `path` into binary data from a read stream. */
class FileStreamStart implements INodeType {
	description = nodeDescription(FILE_STREAM_NODE_TYPE, {
		displayName: 'File Stream Start',
		group: ['input'],
		description: 'Creates binary data from a file stream',
		defaults: { name: 'Read File' },
		properties: [
			{ displayName: 'Path', name: 'path', type: 'string', default: '' },
			{ displayName: 'File Name', name: 'fileName', type: 'string', default: '' },
		],
	});

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const path = this.getNodeParameter('path', 0) as string;
		const fileName = this.getNodeParameter('fileName', 0) as string;
		const binary = await this.helpers.prepareBinaryData(createReadStream(path), fileName, 'image/jpeg');
		onBinaryReady?.();
		return [[{ json: {}, binary: { data: binary } }]];
	}
}

/** A pass-through node that marks the moment the previous node is done. */
class Mark implements INodeType {
	description = nodeDescription(MARK_NODE_TYPE, {
		displayName: 'Mark',
		group: ['organization'],
		description: 'Passes items through and marks the moment',
	});

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		onBinaryReady?.();
		return [this.getInputData()];
	}
}

/**
 * A start-like node that outputs binary data already in n8n's binary storage (its reference, given
 * as JSON), without copying it: a large binary created once can be submitted many times.
 */
class BinaryRefStart implements INodeType {
	description = nodeDescription(BINARY_REF_NODE_TYPE, {
		displayName: 'Stored Binary',
		group: ['input'],
		description: 'Outputs binary data that is already stored',
		defaults: { name: 'Stored Binary' },
		properties: [{ displayName: 'Binary', name: 'binary', type: 'string', default: '' }],
	});

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const binary = JSON.parse(this.getNodeParameter('binary', 0) as string) as IBinaryData;
		return [[{ json: {}, binary: { data: binary } }]];
	}
}

registerNodeType(FILE_STREAM_NODE_TYPE, new FileStreamStart());
registerNodeType(BINARY_REF_NODE_TYPE, new BinaryRefStart());
registerNodeType(MARK_NODE_TYPE, new Mark());
