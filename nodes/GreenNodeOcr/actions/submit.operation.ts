import FormData from 'form-data';
import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { BINARY_ENCODING, NodeOperationError } from 'n8n-workflow';
import type { Readable } from 'stream';

import { mapWithConcurrency } from '../helpers/concurrency';
import { detectFileType, mimeTypeFor } from '../helpers/fileType';
import { waitForResults, type PendingRequest } from '../helpers/poll';
import { submitDocument } from '../transport/api';
import {
	assembleOutput,
	concurrencyOption,
	maxRetriesOption,
	optionsCollection,
	pollIntervalOption,
	readConcurrency,
	readWaitSettings,
	requestTimeoutOption,
	timeoutOption,
	type ItemOutcome,
	type WaitSettings,
} from './common';

const show = { operation: ['submit'] };

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
		placeholder: 'ID',
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
			{
				name: 'Auto-Detect',
				value: 'auto',
				description: 'From the MIME type or the extension of the file',
			},
			{ name: 'PDF', value: 'PDF' },
			{ name: 'Image', value: 'IMAGE' },
		],
	},
	{
		displayName: 'Wait for Result',
		name: 'waitForResult',
		type: 'boolean',
		default: false,
		displayOptions: { show },
		description:
			'Whether to wait until GreenNode has read the document and output the result instead of the request_id',
	},
	optionsCollection(show.operation, [
		concurrencyOption,
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

interface PreparedSubmission {
	flow: string;
	docType?: string;
	fileType: 'PDF' | 'IMAGE';
	fileName: string;
	mimeType: string;
	size: number;
	binary: IBinaryData;
	wait: boolean;
	waitSettings: WaitSettings;
}

function binaryMissing(this: IExecuteFunctions, item: INodeExecutionData, property: string, itemIndex: number) {
	const present = Object.keys(item.binary ?? {});
	return new NodeOperationError(this.getNode(), `The input item has no binary field "${property}"`, {
		itemIndex,
		description: present.length
			? `Set Input Binary Field to one of the binary fields this item has: ${present.map((name) => `"${name}"`).join(', ')}.`
			: 'This item has no binary data at all. Put a node that reads a file before this one (for example Read/Write Files from Disk, an email trigger with attachments, or HTTP Request with the response format set to File).',
	});
}

async function prepare(
	this: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
): Promise<PreparedSubmission> {
	const property = (this.getNodeParameter('binaryPropertyName', itemIndex) as string).trim();
	const flow = String(this.getNodeParameter('flow', itemIndex, 'single') ?? '').trim();
	if (flow === '') {
		throw new NodeOperationError(this.getNode(), 'Flow is empty', {
			itemIndex,
			description: 'Set Flow to "single" to read one document, or to the ID of your document-set flow.',
		});
	}
	let docType: string | undefined;
	if (flow === 'single') {
		docType = String(this.getNodeParameter('docType', itemIndex, '') ?? '').trim();
		if (docType === '') {
			throw new NodeOperationError(this.getNode(), 'Document Type is required when Flow is "single"', {
				itemIndex,
				description: 'Enter the doc_type enabled for your account, for example ID.',
			});
		}
	}
	const binary = item.binary?.[property];
	if (!binary) throw binaryMissing.call(this, item, property, itemIndex);

	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const givenName = typeof options.fileName === 'string' ? options.fileName.trim() : '';
	const choice = String(this.getNodeParameter('fileType', itemIndex, 'auto') ?? 'auto').trim().toUpperCase();
	if (!['AUTO', 'PDF', 'IMAGE'].includes(choice)) {
		throw new NodeOperationError(this.getNode(), `File Type "${choice}" is not one of auto, PDF or IMAGE`, {
			itemIndex,
			description: 'Pick Auto-Detect, PDF or Image (an expression must give one of auto, PDF, IMAGE).',
		});
	}
	const fileType = choice === 'AUTO' ? detectFileType(binary.mimeType, givenName || binary.fileName) : (choice as 'PDF' | 'IMAGE');
	if (!fileType) {
		throw new NodeOperationError(
			this.getNode(),
			`Cannot tell whether "${binary.fileName ?? property}" is a PDF or an image`,
			{
				itemIndex,
				description: `Its MIME type is "${binary.mimeType || 'unknown'}" and its name has no known extension. Set File Type to PDF or Image.`,
			},
		);
	}
	const fileName =
		givenName || binary.fileName || `document.${fileType === 'PDF' ? 'pdf' : binary.fileExtension?.toLowerCase() || 'jpg'}`;

	const size = binary.id
		? Number((await this.helpers.getBinaryMetadata(binary.id)).fileSize ?? 0)
		: Buffer.byteLength(binary.data ?? '', BINARY_ENCODING);
	if (!(size > 0)) {
		throw new NodeOperationError(this.getNode(), `The file "${fileName}" is empty (0 bytes)`, {
			itemIndex,
			description: `The binary field "${property}" holds no data. Check the node that produced the file.`,
		});
	}
	return {
		flow,
		docType,
		fileType,
		fileName,
		mimeType: mimeTypeFor(fileType, fileName, binary.mimeType),
		size,
		binary,
		wait: this.getNodeParameter('waitForResult', itemIndex, false) as boolean,
		waitSettings: readWaitSettings(options),
	};
}

async function buildForm(this: IExecuteFunctions, prepared: PreparedSubmission): Promise<FormData> {
	const form = new FormData();
	form.append('flow', prepared.flow);
	if (prepared.docType !== undefined) form.append('doc_type', prepared.docType);
	form.append('file_type', prepared.fileType);
	const fileOptions = { filename: prepared.fileName, contentType: prepared.mimeType, knownLength: prepared.size };
	if (prepared.binary.id) {
		const stream: Readable = await this.helpers.getBinaryStream(prepared.binary.id);
		form.append('file', stream, fileOptions);
	} else {
		form.append('file', Buffer.from(prepared.binary.data, BINARY_ENCODING), fileOptions);
	}
	return form;
}

/** Adds the submission's IDs to a result that does not repeat them, so later nodes can use them. */
function withSubmissionIds(result: IDataObject, submitted: IDataObject): IDataObject {
	const out: IDataObject = { ...result };
	if (out.request_id === undefined && submitted.request_id !== undefined) out.request_id = submitted.request_id;
	if (out.file_ids === undefined && submitted.file_ids !== undefined) out.file_ids = submitted.file_ids;
	return out;
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const outcomes = new Map<number, ItemOutcome>();
	const continueOnFail = this.continueOnFail();

	// 1. Check every item before uploading anything: a bad item should not leave paid submissions behind.
	const prepared = new Map<number, PreparedSubmission>();
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			prepared.set(itemIndex, await prepare.call(this, items[itemIndex], itemIndex));
		} catch (error) {
			outcomes.set(itemIndex, { error: error as Error });
			if (!continueOnFail) return assembleOutput.call(this, items.length, outcomes);
		}
	}

	// 2. Submit, a few at a time; without Continue On Fail, stop submitting after the first failure.
	const submitted = new Map<number, IDataObject>();
	let failed = false;
	const queue = [...prepared.keys()];
	await mapWithConcurrency(
		queue,
		readConcurrency.call(this, items.length),
		async (itemIndex) => {
			const submission = prepared.get(itemIndex) as PreparedSubmission;
			try {
				const form = async () => await buildForm.call(this, submission);
				submitted.set(itemIndex, await submitDocument.call(this, itemIndex, form, submission.docType));
			} catch (error) {
				failed = true;
				outcomes.set(itemIndex, { error: error as Error });
			}
		},
		() => failed && !continueOnFail,
	);

	// 3. Wait for all results together.
	const pending: PendingRequest[] = [];
	for (const [itemIndex, data] of submitted) {
		const submission = prepared.get(itemIndex) as PreparedSubmission;
		if (submission.wait && typeof data.request_id === 'string' && !(failed && !continueOnFail)) {
			pending.push({ itemIndex, requestId: data.request_id, ...submission.waitSettings });
		} else {
			outcomes.set(itemIndex, { items: [{ json: data }] });
		}
	}
	if (pending.length > 0) {
		const results = await waitForResults.call(this, pending, { concurrency: readConcurrency.call(this, items.length) });
		for (const [itemIndex, outcome] of results) {
			const data = submitted.get(itemIndex) as IDataObject;
			outcomes.set(itemIndex, outcome.ok ? { items: [{ json: withSubmissionIds(outcome.data, data) }] } : { error: outcome.error });
		}
	}
	return assembleOutput.call(this, items.length, outcomes);
}
