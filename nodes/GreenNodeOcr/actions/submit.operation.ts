import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { BINARY_ENCODING, NodeOperationError } from 'n8n-workflow';

import { detectFileType, mimeTypeFor } from '../helpers/fileType';
import { multipartBody, type MultipartBody } from '../helpers/multipart';
import { submitDocument, type RequestSettings } from '../transport/endpoints';
import { waitForResults, type PendingRequest, type WaitSettings } from '../wait/waitForResults';
import {
	concurrencyOption,
	emptyResultWaitOption,
	maxRetriesOption,
	optionsCollection,
	pollIntervalOption,
	requestTimeoutOption,
	timeoutOption,
} from './fields';
import { documentOptions, outputField, readOutputSettings, settleOutputs, type Finished, type OutputSettings } from './documentOutput';
import { assembleOutput, runConcurrency, runPerItem, type Outcomes } from './runner';
import { readBoolean, readOptions, readRequestSettings, readWaitSettings } from './settings';

const show = { operation: ['submit'] };

/** Chunks of 256 KiB from n8n's binary storage: fewer, larger writes to the socket than its default. */
const UPLOAD_CHUNK = 256 * 1024;

export const description: INodeProperties[] = [
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		displayOptions: { show },
		hint: 'The name of the input binary field containing the PDF or image to read',
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
		emptyResultWaitOption,
		{
			displayName: 'File Name',
			name: 'fileName',
			type: 'string',
			default: '',
			description: 'The file name to send instead of the one of the binary data',
		},
		maxRetriesOption,
		pollIntervalOption,
		requestTimeoutOption,
		timeoutOption,
	]),
];

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
		present.length
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

/** Checks one item and reads everything its upload needs; nothing is sent yet. */
async function prepare(this: IExecuteFunctions, item: INodeExecutionData, itemIndex: number): Promise<Submission> {
	const { flow, docType } = readFlow.call(this, itemIndex);
	const binary = readBinary.call(this, item, itemIndex);
	const options = readOptions.call(this, itemIndex);
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
	const wait = readBoolean.call(this, this.getNodeParameter('waitForResult', itemIndex, true), 'Wait for Result', true, itemIndex);
	const request = readRequestSettings.call(this, itemIndex, options);
	return {
		flow,
		docType,
		fileType,
		fileName,
		mimeType: mimeTypeFor(fileType, fileName, binary.mimeType),
		size,
		binary,
		request,
		wait: wait ? readWaitSettings.call(this, itemIndex, options, request) : undefined,
		output: readOutputSettings.call(this, itemIndex, options),
	};
}

/** The upload: only the documented fields, the file streamed from n8n's binary storage when it is there. */
function buildBody(this: IExecuteFunctions, submission: Submission): MultipartBody {
	const fields: Array<[string, string]> = [['flow', submission.flow]];
	if (submission.docType !== undefined) fields.push(['doc_type', submission.docType]);
	fields.push(['file_type', submission.fileType]);
	const { binary } = submission;
	return multipartBody(fields, {
		field: 'file',
		fileName: submission.fileName,
		contentType: submission.mimeType,
		size: submission.size,
		data: binary.id ? async () => await this.helpers.getBinaryStream(binary.id as string, UPLOAD_CHUNK) : Buffer.from(binary.data, BINARY_ENCODING),
	});
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
 * (`submission`), accepted by GreenNode (`answer`, `requestId`, `submittedAt`).
 */
interface SubmitItem {
	itemIndex: number;
	submission: Submission;
	/** GreenNode's answer to the upload. */
	answer?: IDataObject;
	requestId?: string;
	/** When GreenNode accepted the upload (ms since epoch). */
	submittedAt?: number;
}

/** Uploads one item and fills in what GreenNode answered; outputs the answer when not waiting. */
async function upload(this: IExecuteFunctions, item: SubmitItem): Promise<INodeExecutionData[] | undefined> {
	const { submission, itemIndex } = item;
	const body = async () => buildBody.call(this, submission);
	const data = await submitDocument.call(this, itemIndex, body, submission.docType, submission.request);
	item.answer = data;
	item.submittedAt = Date.now();
	if (typeof data.request_id === 'string' && data.request_id !== '') item.requestId = data.request_id;
	if (!submission.wait) return [{ json: data }];
	if (item.requestId === undefined) {
		throw fail.call(
			this,
			itemIndex,
			'GreenNode accepted the upload but returned no request_id to wait for',
			`The answer was ${JSON.stringify(data).slice(0, 300)}. Without a request_id the result cannot be fetched; check with GreenNode whether the document was received before submitting it again.`,
		);
	}
	return undefined;
}

/** Prepare every item → submit each → wait for all results together. */
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

	const anyFailed = await runPerItem.call(this, [...work.keys()], outcomes, concurrency, async (itemIndex) =>
		await upload.call(this, work.get(itemIndex) as SubmitItem),
	);
	const paid = [...work.values()].filter((item) => item.requestId !== undefined);

	if (!(anyFailed && stopOnError)) {
		const pending: PendingRequest[] = paid
			.filter((item) => item.submission.wait && !outcomes.has(item.itemIndex))
			.map(({ itemIndex, requestId, submission, submittedAt }) => ({ itemIndex, requestId: requestId as string, settings: submission.wait as WaitSettings, submittedAt }));
		const finished: Finished[] = [];
		for (const [itemIndex, outcome] of await waitForResults.call(this, pending, concurrency)) {
			const { submission, answer } = work.get(itemIndex) as SubmitItem;
			if (!outcome.ok) outcomes.set(itemIndex, { error: outcome.error });
			else finished.push({ itemIndex, data: withSubmissionIds(outcome.data, answer ?? {}), output: submission.output, request: submission.request });
		}
		await settleOutputs.call(this, finished, concurrency, outcomes);
	}
	return assembleOutput.call(this, items.length, outcomes, new Map(paid.map((item) => [item.itemIndex, item.requestId as string])));
}
