import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { createHash, type Hash } from 'crypto';
import { BINARY_ENCODING, NodeError, NodeOperationError } from 'n8n-workflow';

import { detectFileType, mimeTypeFor } from '../helpers/fileType';
import { multipartBody, type MultipartBody } from '../helpers/multipart';
import { classifyResult } from '../helpers/result';
import { resolveCredentials } from '../transport/credentials';
import { getResult, submitDocument, type RequestSettings } from '../transport/endpoints';
import { downloadFile, readUrl } from '../transport/download';
import { isNotFound } from '../transport/errors';
import { ResultWaiter, waitForResults, type PendingRequest, type WaitSettings } from '../wait/waitForResults';
import {
	concurrencyOption,
	emptyResultWaitOption,
	maxFileSizeOption,
	maxRequestsPerSecondOption,
	maxRetriesOption,
	optionsCollection,
	pollIntervalOption,
	requestTimeoutOption,
	timeoutOption,
} from './fields';
import { documentOptions, outputField, readOutputSettings, settleOutputs, type Finished, type OutputSettings } from './documentOutput';
import { DEFAULT_LEDGER_TABLE, ledgerKey, openLedger, type Ledger, type LedgerEntry } from './ledger';
import { assembleOutput, runConcurrency, runPerItem, type Outcomes } from './runner';
import { readBoolean, readChoice, readMaxFileSize, readOptions, readRequestSettings, readWaitSettings } from './settings';
import { isToolRun } from './tool';

const show = { operation: ['submit'] };

/** Chunks of 256 KiB from n8n's binary storage: fewer, larger writes to the socket than its default. */
const UPLOAD_CHUNK = 256 * 1024;

export const description: INodeProperties[] = [
	{
		displayName: 'Source',
		name: 'source',
		type: 'options',
		default: 'binary',
		displayOptions: { show },
		options: [
			{ name: 'Binary File', value: 'binary', description: 'A file of the input item (from Read Files, an email attachment, HTTP Request…)' },
			{ name: 'URL', value: 'url', description: 'The address of the file on the web: a link in an email, a presigned object-storage link. Also for AI agents, which pass no files.' },
		],
		description: 'Where the PDF or image to read comes from',
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		displayOptions: { show: { ...show, source: ['binary'] } },
		hint: 'The name of the input binary field containing the PDF or image to read',
	},
	{
		displayName: 'URL',
		name: 'url',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. https://example.com/invoices/0001.pdf',
		displayOptions: { show: { ...show, source: ['url'] } },
		description:
			'The http(s) address of the PDF or image. It is downloaded without any of your GreenNode credentials; redirects are followed.',
	},
	{
		displayName: 'Flow',
		name: 'flow',
		type: 'string',
		default: 'single',
		required: true,
		displayOptions: { show },
		description:
			'Use "single" to read one document, or the ID of a document-set flow that GreenNode set up for your account',
	},
	{
		displayName: 'Document Type',
		name: 'docType',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. ID',
		displayOptions: { show: { ...show, flow: ['single'] } },
		description:
			'The doc_type enabled for your account, for example ID (Vietnamese citizen ID card). Ask GreenNode which types your account has.',
	},
	{
		displayName: 'File Type',
		name: 'fileType',
		type: 'options',
		default: 'auto',
		displayOptions: { show },
		options: [
			{ name: 'Auto-Detect', value: 'auto', description: 'From the MIME type or the extension of the file' },
			{ name: 'PDF', value: 'PDF' },
			{ name: 'Image', value: 'IMAGE' },
		],
	},
	{
		displayName: 'Wait for Result',
		name: 'waitForResult',
		type: 'boolean',
		default: true,
		displayOptions: { show },
		description:
			'Whether to wait until GreenNode has read the document and output the result instead of the request_id',
	},
	outputField({ ...show, waitForResult: [true] }),
	optionsCollection(show.operation, [
		...documentOptions({ '/waitForResult': [true] }),
		concurrencyOption,
		{
			displayName: 'Duplicates',
			name: 'duplicates',
			type: 'options',
			default: 'reuse',
			options: [
				{
					name: 'Reuse the Paid Submission',
					value: 'reuse',
					description: 'A file already submitted (same bytes, flow, document type and account) is not uploaded again: its request_id is reused',
				},
				{
					name: 'Submit Again',
					value: 'submitAgain',
					description: 'Upload and pay again, and record the new request_id in the ledger',
				},
			],
			description:
				'What to do with a file the ledger of paid submissions already holds (a Retry, the same attachment again, a worker that died while waiting)',
		},
		emptyResultWaitOption,
		{
			displayName: 'File Name',
			name: 'fileName',
			type: 'string',
			default: '',
			description: 'The file name to send instead of the one of the binary data',
		},
		{
			displayName: 'Ledger Table',
			name: 'ledgerTable',
			type: 'string',
			default: DEFAULT_LEDGER_TABLE,
			description: 'The name of the Data Table that holds the ledger of paid submissions; the node creates it on first use',
		},
		maxFileSizeOption,
		maxRequestsPerSecondOption,
		maxRetriesOption,
		pollIntervalOption,
		requestTimeoutOption,
		timeoutOption,
	]),
];


const DUPLICATES = ['reuse', 'submitAgain'] as const;
const SOURCES = ['binary', 'url'] as const;

interface Submission {
	flow: string;
	docType?: string;
	fileType: 'PDF' | 'IMAGE';
	fileName: string;
	mimeType: string;
	size: number;
	binary: IBinaryData;
	request: RequestSettings;
	/** How to wait for the result, or undefined when Wait for Result is off. */
	wait?: WaitSettings;
	output: OutputSettings;
	duplicates: 'reuse' | 'submitAgain';
	ledgerTable: string;
}

function fail(this: IExecuteFunctions, itemIndex: number, message: string, description: string): NodeOperationError {
	return new NodeOperationError(this.getNode(), message, { itemIndex, description });
}

function readFlow(this: IExecuteFunctions, itemIndex: number): { flow: string; docType?: string } {
	const flow = String(this.getNodeParameter('flow', itemIndex, 'single') ?? '').trim();
	if (flow === '') {
		throw fail.call(this, itemIndex, 'Flow is empty', 'Set Flow to "single" to read one document, or to the ID of your document-set flow.');
	}
	if (flow !== 'single') return { flow };
	const docType = String(this.getNodeParameter('docType', itemIndex, '') ?? '').trim();
	if (docType === '') {
		throw fail.call(this, itemIndex, 'Document Type is required when Flow is "single"', 'Enter the doc_type enabled for your account, for example ID.');
	}
	return { flow, docType };
}

function readBinary(this: IExecuteFunctions, item: INodeExecutionData, itemIndex: number): IBinaryData {
	const property = String(this.getNodeParameter('binaryPropertyName', itemIndex) ?? '').trim();
	const binary = item.binary?.[property];
	if (binary) return binary;
	const present = Object.keys(item.binary ?? {});
	throw fail.call(
		this,
		itemIndex,
		`The input item has no binary field "${property}"`,
		isToolRun.call(this)
			? 'An AI agent passes no files to its tools. Set this tool\'s Source to URL, with URL set to {{ $fromAI(\'url\', \'the http(s) address of the PDF or image\') }}, so the model gives the address of the file.'
			: present.length
			? `Set Input Binary Field to one of the binary fields this item has: ${present.map((name) => `"${name}"`).join(', ')}.`
			: 'This item has no binary data at all. Put a node that reads a file before this one (for example Read/Write Files from Disk, an email trigger with attachments, or HTTP Request with the response format set to File).',
	);
}

function readFileType(this: IExecuteFunctions, itemIndex: number, binary: IBinaryData, givenName: string): 'PDF' | 'IMAGE' {
	const choice = String(this.getNodeParameter('fileType', itemIndex, 'auto') ?? 'auto').trim().toUpperCase();
	if (!['AUTO', 'PDF', 'IMAGE'].includes(choice)) {
		throw fail.call(this, itemIndex, `File Type "${choice}" is not one of auto, PDF or IMAGE`, 'Pick Auto-Detect, PDF or Image (an expression must give one of auto, PDF, IMAGE).');
	}
	const fileType = choice === 'AUTO' ? detectFileType(binary.mimeType, givenName || binary.fileName) : (choice as 'PDF' | 'IMAGE');
	if (fileType) return fileType;
	throw fail.call(
		this,
		itemIndex,
		`Cannot tell whether "${binary.fileName ?? 'the file'}" is a PDF or an image`,
		`Its MIME type is "${binary.mimeType || 'unknown'}" and its name has no known extension. Set File Type to PDF or Image.`,
	);
}

/** The file of an item: its binary field, or the file at its URL, downloaded into n8n's binary storage. */
async function readFile(this: IExecuteFunctions, item: INodeExecutionData, itemIndex: number, options: IDataObject, request: RequestSettings): Promise<IBinaryData> {
	const source = readChoice.call(this, this.getNodeParameter('source', itemIndex, 'binary'), 'Source', SOURCES, 'binary', itemIndex);
	if (source === 'binary') return readBinary.call(this, item, itemIndex);
	const url = readUrl.call(this, this.getNodeParameter('url', itemIndex, ''), itemIndex);
	const maxBytes = Math.floor(readMaxFileSize.call(this, options, itemIndex) * 1024 * 1024);
	return (await downloadFile.call(this, itemIndex, url, { maxBytes, requestTimeoutMs: request.requestTimeoutMs, maxRetries: request.maxRetries })).binary;
}

/** Checks one item and reads everything its upload needs; nothing is sent to GreenNode yet (a URL is downloaded last). */
async function prepare(this: IExecuteFunctions, item: INodeExecutionData, itemIndex: number): Promise<Submission> {
	const { flow, docType } = readFlow.call(this, itemIndex);
	const options = readOptions.call(this, itemIndex);
	const wait = readBoolean.call(this, this.getNodeParameter('waitForResult', itemIndex, true), 'Wait for Result', true, itemIndex);
	const request = readRequestSettings.call(this, itemIndex, options);
	const waitSettings = wait ? readWaitSettings.call(this, itemIndex, options, request) : undefined;
	const output = readOutputSettings.call(this, itemIndex, options);
	const duplicates = readChoice.call(this, options.duplicates, 'Duplicates', DUPLICATES, 'reuse', itemIndex) as Submission['duplicates'];
	const binary = await readFile.call(this, item, itemIndex, options, request);
	const givenName = typeof options.fileName === 'string' ? options.fileName.trim() : '';
	const fileType = readFileType.call(this, itemIndex, binary, givenName);
	const fileName =
		givenName || binary.fileName || `document.${fileType === 'PDF' ? 'pdf' : binary.fileExtension?.toLowerCase() || 'jpg'}`;
	const size = binary.id
		? Number((await this.helpers.getBinaryMetadata(binary.id)).fileSize ?? 0)
		: Buffer.byteLength(binary.data ?? '', BINARY_ENCODING);
	if (!(size > 0)) {
		throw fail.call(this, itemIndex, `The file "${fileName}" is empty (0 bytes)`, 'The binary field holds no data. Check the node that produced the file.');
	}
	return {
		flow,
		docType,
		fileType,
		fileName,
		mimeType: mimeTypeFor(fileType, fileName, binary.mimeType),
		size,
		binary,
		request,
		wait: waitSettings,
		output,
		duplicates,
		ledgerTable: (typeof options.ledgerTable === 'string' ? options.ledgerTable.trim() : '') || DEFAULT_LEDGER_TABLE,
	};
}

/** The upload: only the documented fields, the file streamed from n8n's binary storage when it is there. */
function buildBody(this: IExecuteFunctions, submission: Submission, hash?: Hash): MultipartBody {
	const fields: Array<[string, string]> = [['flow', submission.flow]];
	if (submission.docType !== undefined) fields.push(['doc_type', submission.docType]);
	fields.push(['file_type', submission.fileType]);
	const { binary } = submission;
	return multipartBody(fields, {
		field: 'file',
		fileName: submission.fileName,
		contentType: submission.mimeType,
		size: submission.size,
		data: binary.id
			? async () => hashed(await this.helpers.getBinaryStream(binary.id as string, UPLOAD_CHUNK), hash)
			: hashedBuffer(Buffer.from(binary.data, BINARY_ENCODING), hash),
	});
}

/** The chunks as they are, each also added to `hash` when there is one. */
async function* hashed(chunks: AsyncIterable<Uint8Array | string>, hash?: Hash): AsyncGenerator<Uint8Array | string> {
	for await (const chunk of chunks) {
		hash?.update(chunk);
		yield chunk;
	}
}

function hashedBuffer(buffer: Buffer, hash?: Hash): Buffer {
	hash?.update(buffer);
	return buffer;
}

/** Adds the submission's IDs to a result that does not repeat them, so later nodes can use them. */
function withSubmissionIds(result: IDataObject, submitted: IDataObject): IDataObject {
	const out: IDataObject = { ...result };
	if (out.request_id === undefined && submitted.request_id !== undefined) out.request_id = submitted.request_id;
	if (out.file_ids === undefined && submitted.file_ids !== undefined) out.file_ids = submitted.file_ids;
	return out;
}

/**
 * One input item on its way through Submit; each phase fills in its part: checked and read
 * (`submission`), looked up in the ledger (`ledgerKey`, `reused`), accepted by GreenNode (`answer`,
 * `requestId`, `submittedAt`).
 */
interface SubmitItem {
	itemIndex: number;
	submission: Submission;
	/** sha256 of the file (only with a ledger): read before the upload, or worked out while it streams. */
	sha256?: string;
	/** The hash of the upload under way, when the file was not read before it. */
	uploadHash?: Hash;
	ledgerKey?: string;
	/** The paid submission in the ledger that this item follows instead of uploading. */
	reused?: LedgerEntry;
	/** The item of this run with the same file, whose upload this item shares. */
	sameFileAs?: number;
	/** GreenNode's answer to the upload. */
	answer?: IDataObject;
	requestId?: string;
	/** When GreenNode accepted the upload (ms since epoch). */
	submittedAt?: number;
}

/** Uploads one item and fills in what GreenNode answered. */
async function upload(this: IExecuteFunctions, item: SubmitItem): Promise<void> {
	const { submission, itemIndex } = item;
	// A body is built for every attempt; the hash is that of the attempt GreenNode accepts.
	const body = async () => {
		if (item.uploadHash) item.uploadHash = createHash('sha256');
		return buildBody.call(this, submission, item.uploadHash);
	};
	const data = await submitDocument.call(this, itemIndex, body, submission.docType, submission.request);
	item.answer = data;
	item.submittedAt = Date.now();
	item.reused = undefined;
	if (item.uploadHash) item.sha256 = item.uploadHash.digest('hex');
	if (typeof data.request_id === 'string' && data.request_id !== '') item.requestId = data.request_id;
	if (submission.wait && item.requestId === undefined) {
		throw fail.call(
			this,
			itemIndex,
			'GreenNode accepted the upload but returned no request_id to wait for',
			`The answer was ${JSON.stringify(data).slice(0, 300)}. Without a request_id the result cannot be fetched; check with GreenNode whether the document was received before submitting it again.`,
		);
	}
}

/** Takes over a paid submission: the ledger's, or that of an item of this run with the same file. */
function follow(item: SubmitItem, entry: LedgerEntry): void {
	item.reused = entry;
	item.requestId = entry.request_id;
	item.answer = { request_id: entry.request_id, file_ids: entry.file_ids };
	item.submittedAt = Date.parse(entry.submitted_at) || undefined;
}

function entryOf(item: SubmitItem, account: string): LedgerEntry | undefined {
	if (item.ledgerKey === undefined || item.sha256 === undefined || item.requestId === undefined) return undefined;
	const fileIds = Array.isArray(item.answer?.file_ids) ? (item.answer?.file_ids as unknown[]).map(String) : [];
	const { submission } = item;
	return {
		ledger_key: item.ledgerKey,
		request_id: item.requestId,
		file_name: submission.fileName,
		size: submission.size,
		submitted_at: new Date(item.submittedAt ?? Date.now()).toISOString(),
		file_ids: fileIds,
		flow: submission.flow,
		doc_type: submission.docType ?? '',
		account,
		sha256: item.sha256,
	};
}

/** The ledger of this run, opened once; items learn their key and whether a paid submission exists. */
class LedgerRun {
	private ledger?: Ledger;
	private account = '';
	/** The first upload of each file in this run, for items that carry the same file. */
	private readonly firstUploads = new Map<string, Promise<SubmitItem>>();
	/** How many items of this run have files of each size, flow and doc_type. */
	private readonly alikeInRun = new Map<string, number>();

	constructor(private readonly context: IExecuteFunctions) {}

	get active(): boolean {
		return this.ledger !== undefined;
	}

	/** Opens the ledger; says once, as a hint, when there is none. */
	async open(items: SubmitItem[]): Promise<void> {
		const first = items[0];
		if (!first) return;
		const opened = await openLedger.call(this.context, first.submission.ledgerTable);
		if ('unavailable' in opened) {
			const message = `Duplicates cannot be detected: ${opened.unavailable}. Each file is uploaded and paid for, also when it was submitted before. To keep a ledger of paid submissions in a Data Table, select a GreenNode OCR Ledger API credential (a key of this n8n's API) in this node.`;
			this.context.logger.warn(`GreenNode OCR: ${message}`);
			this.context.addExecutionHints({ message, location: 'outputPane' });
			return;
		}
		this.ledger = opened.ledger;
		this.account = (await resolveCredentials.call(this.context, first.itemIndex)).portalUserId;
		for (const item of items) this.alikeInRun.set(alikeKey(item), (this.alikeInRun.get(alikeKey(item)) ?? 0) + 1);
	}

	/**
	 * Works out the item's key and, with Duplicates → Reuse, the paid submission it can follow. A file
	 * no paid submission and no other item of this run has the size of cannot be one already paid for:
	 * it is not read before its upload, and its hash is worked out while it streams to GreenNode.
	 */
	async lookUp(item: SubmitItem): Promise<void> {
		if (!this.ledger) return;
		const { submission } = item;
		const alike =
			submission.duplicates === 'reuse'
				? await this.ledger.alike({ size: submission.size, flow: submission.flow, doc_type: submission.docType ?? '', account: this.account })
				: [];
		if (alike.length === 0 && (this.alikeInRun.get(alikeKey(item)) ?? 0) < 2) {
			item.uploadHash = createHash('sha256');
			return;
		}
		item.sha256 = await sha256Of.call(this.context, submission.binary);
		item.ledgerKey = this.keyOf(item);
		const entry = alike.find((candidate) => candidate.ledger_key === item.ledgerKey);
		if (entry) follow(item, entry);
	}

	private keyOf(item: SubmitItem): string {
		const { submission } = item;
		return ledgerKey({ sha256: item.sha256 as string, flow: submission.flow, doc_type: submission.docType ?? '', account: this.account });
	}

	/** Uploads the item, once per file in this run, and writes it to the ledger at once. */
	async upload(item: SubmitItem): Promise<void> {
		const key = item.submission.duplicates === 'reuse' ? item.ledgerKey : undefined;
		const earlier = key === undefined ? undefined : this.firstUploads.get(key);
		if (earlier) {
			const source = await earlier;
			item.sameFileAs = source.itemIndex;
			item.requestId = source.requestId;
			item.answer = source.answer;
			item.submittedAt = source.submittedAt;
			return;
		}
		const done = (async () => {
			await upload.call(this.context, item);
			await this.remember(item);
			return item;
		})();
		if (key !== undefined) this.firstUploads.set(key, done);
		await done;
	}

	/** Writes the paid submission to the ledger; a failure is said, never a reason to lose the result. */
	private async remember(item: SubmitItem): Promise<void> {
		if (this.ledger && item.sha256 !== undefined) item.ledgerKey ??= this.keyOf(item);
		const entry = this.ledger ? entryOf(item, this.account) : undefined;
		if (!this.ledger || !entry) return;
		try {
			await this.ledger.record(entry);
		} catch (error) {
			const message = `The submission of "${entry.file_name}" (request_id ${entry.request_id}) could not be written to the ledger (${(error as Error).message}); submitting this file again will upload it again.`;
			this.context.logger.warn(`GreenNode OCR: ${message}`, { itemIndex: item.itemIndex });
			this.context.addExecutionHints({ message, location: 'outputPane' });
		}
	}

	/** What the output says of the submission: whether it was reused, and when it was paid for. */
	mark(item: SubmitItem): IDataObject {
		if (!this.ledger) return {};
		const submittedAt = item.reused?.submitted_at ?? (item.submittedAt ? new Date(item.submittedAt).toISOString() : null);
		return { reused: item.reused !== undefined || item.sameFileAs !== undefined, submitted_at: submittedAt };
	}
}

/** Chunks of 1 MiB for hashing: the file is read as fast as the disk gives it. */
const HASH_CHUNK = 1024 * 1024;

/**
 * Gives a chunk's memory back at once where the runtime can (ArrayBuffer.transfer, Node.js 22+), instead
 * of when the garbage collector next runs: hashing reads faster than the collector runs, and n8n's
 * Node.js 24 would otherwise grow by some 70 MB while hashing a large file. Only the chunks of a file
 * read (filesystem binary mode: each read is a new buffer that owns its whole ArrayBuffer) are released;
 * other modes may hand out a buffer n8n still holds.
 */
function release(chunk: Uint8Array): void {
	const buffer = chunk.buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer };
	if (chunk.byteOffset === 0 && chunk.byteLength === buffer.byteLength && typeof buffer.transfer === 'function') buffer.transfer(0);
}

/** What two files must share to be the same one, short of their bytes: size, flow and doc_type. */
function alikeKey({ submission }: SubmitItem): string {
	return `${submission.size}:${submission.flow}:${submission.docType ?? ''}`;
}

/** sha256 of a binary, read as a stream from n8n's binary storage when it is there. */
async function sha256Of(this: IExecuteFunctions, binary: IBinaryData): Promise<string> {
	const hash = createHash('sha256');
	if (binary.id) {
		const fromFile = binary.id.startsWith('filesystem');
		for await (const chunk of await this.helpers.getBinaryStream(binary.id, HASH_CHUNK)) {
			hash.update(chunk as Buffer);
			if (fromFile && typeof chunk !== 'string') release(chunk as Uint8Array);
		}
	} else hash.update(Buffer.from(binary.data, BINARY_ENCODING));
	return hash.digest('hex');
}

/** Whether a followed request_id is still good: GreenNode knows it and it did not fail. */
async function stillKnown(this: IExecuteFunctions, item: SubmitItem): Promise<boolean> {
	try {
		const data = await getResult.call(this, item.itemIndex, item.requestId, item.submission.request);
		return classifyResult(data).state !== 'failed';
	} catch (error) {
		if (isNotFound(error)) return false;
		throw error instanceof NodeError ? error : new NodeOperationError(this.getNode(), error as Error, { itemIndex: item.itemIndex });
	}
}

/** Prepare every item → look each up in the ledger → submit the new ones → wait for all results together. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const run = runConcurrency.call(this, items.length);
	if ('output' in run) return run.output;
	const { concurrency } = run;
	const outcomes: Outcomes = new Map();
	const stopOnError = !this.continueOnFail();

	// Check every item before uploading anything: a bad item should not leave paid submissions behind.
	const work = new Map<number, SubmitItem>();
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			work.set(itemIndex, { itemIndex, submission: await prepare.call(this, items[itemIndex], itemIndex) });
		} catch (error) {
			outcomes.set(itemIndex, { error: error as Error });
			if (stopOnError) return assembleOutput.call(this, items.length, outcomes);
		}
	}

	const ledger = new LedgerRun(this);
	try {
		await ledger.open([...work.values()]);
	} catch (error) {
		// A ledger that is set up but cannot be used: no item is uploaded blind.
		for (const itemIndex of work.keys()) outcomes.set(itemIndex, { error: error as Error });
		return assembleOutput.call(this, items.length, outcomes);
	}
	// In item order, so that the first of two items with the same file is the one uploaded.
	let anyFailed = await runPerItem.call(this, [...work.keys()], outcomes, 1, async (itemIndex) => {
		await ledger.lookUp(work.get(itemIndex) as SubmitItem);
		return undefined;
	});
	if (anyFailed && stopOnError) return assembleOutput.call(this, items.length, outcomes);
	// The wait starts with the first upload: the batch's first results are checked while later files are still sent.
	const toWait = (item: SubmitItem): PendingRequest => ({
		itemIndex: item.itemIndex,
		requestId: item.requestId as string,
		settings: item.submission.wait as WaitSettings,
		submittedAt: item.reused ? undefined : item.submittedAt,
	});
	const uploads = [...work.values()].filter((item) => item.submission.wait && !item.reused && !outcomes.has(item.itemIndex));
	const waiter = new ResultWaiter(this, concurrency, uploads.length);
	let uploaded = false;
	try {
		anyFailed = await runPerItem.call(this, [...work.keys()].filter((index) => !outcomes.has(index)), outcomes, concurrency, async (itemIndex) => {
			const item = work.get(itemIndex) as SubmitItem;
			if (item.reused && !item.submission.wait && !(await stillKnown.call(this, item))) item.reused = undefined;
			if (!item.reused) await ledger.upload(item);
			if (!item.submission.wait) return [{ json: { ...item.answer, ...ledger.mark(item) } }];
			waiter.add(toWait(item));
			return undefined;
		});
		uploaded = true;
	} finally {
		// Whatever ends the uploads, the wait learns that no more requests will come, or gives up.
		if (!uploaded || (anyFailed && stopOnError)) waiter.stop();
		else waiter.close();
	}

	if (anyFailed && stopOnError) {
		await waiter.finish();
	} else {
		const waiting = [...work.values()].filter((item) => item.submission.wait && item.requestId !== undefined && !outcomes.has(item.itemIndex));
		const results = await waiter.finish();
		// A reused request_id that GreenNode no longer knows, or that failed, is submitted again.
		const again = waiting.filter((item) => item.reused && results.get(item.itemIndex)?.ok === false && (results.get(item.itemIndex) as { gone?: boolean }).gone);
		if (again.length > 0) {
			await runPerItem.call(this, again.map((item) => item.itemIndex), outcomes, concurrency, async (itemIndex) => {
				results.delete(itemIndex);
				await ledger.upload(work.get(itemIndex) as SubmitItem);
				return undefined;
			});
			const retried = again.filter((item) => !outcomes.has(item.itemIndex));
			for (const [itemIndex, outcome] of await waitForResults.call(this, retried.map(toWait), concurrency)) results.set(itemIndex, outcome);
		}
		const finished: Finished[] = [];
		for (const [itemIndex, outcome] of results) {
			const { submission, answer } = work.get(itemIndex) as SubmitItem;
			if (!outcome.ok) outcomes.set(itemIndex, { error: outcome.error });
			else finished.push({ itemIndex, data: withSubmissionIds(outcome.data, answer ?? {}), output: submission.output, request: submission.request });
		}
		await settleOutputs.call(this, finished, concurrency, outcomes);
		for (const { itemIndex } of finished) {
			const outcome = outcomes.get(itemIndex);
			const marks = ledger.mark(work.get(itemIndex) as SubmitItem);
			if (outcome && 'items' in outcome) for (const item of outcome.items) Object.assign(item.json, marks);
		}
	}
	const paid = [...work.values()].filter((item) => item.requestId !== undefined);
	return assembleOutput.call(this, items.length, outcomes, new Map(paid.map((item) => [item.itemIndex, item.requestId as string])));
}
