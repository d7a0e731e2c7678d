import type { INodeProperties } from 'n8n-workflow';

/** Parameters that several operations show, defined once, with the one definition of each default. */

export const LIMITS = { maxRetries: 10, concurrency: 50 } as const;

export function requestIdField(operations: string[]): INodeProperties {
	return {
		displayName: 'Request ID',
		name: 'requestId',
		type: 'string',
		default: '={{ $json.request_id }}',
		required: true,
		placeholder: 'e.g. 6f1c2a9e-0d4b-4c1e-9a55-2b7d1c3e8f10',
		displayOptions: { show: { operation: operations } },
		description:
			'The request_id returned by Submit. By default it is taken from the input item, so a node after Submit or Get Result needs no typing.',
	};
}

export function documentIdField(operations: string[]): INodeProperties {
	return {
		displayName: 'Document ID',
		name: 'documentId',
		type: 'string',
		default: '={{ $json.document_id }}',
		placeholder: 'e.g. doc-1',
		displayOptions: { show: { operation: operations } },
		description:
			'The document_id of one document of the result; by default taken from the input item (an item of Get Result\'s documents output). Empty: every document of the request.',
	};
}

export const pollIntervalOption: INodeProperties = {
	displayName: 'Poll Interval (Seconds)',
	name: 'pollInterval',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 60 },
	default: 3,
	description: 'How long to wait between two checks of a pending result. GreenNode suggests 2 to 5 seconds.',
};

export const timeoutOption: INodeProperties = {
	displayName: 'Timeout (Seconds)',
	name: 'timeout',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 120,
	description:
		'How long to wait for a result in all before failing with its request_id, so that it can be fetched later with Get Result. A request already under way when it runs out may take up to one Request Timeout more.',
};

export const emptyResultWaitOption: INodeProperties = {
	displayName: 'Empty Result Wait (Seconds)',
	name: 'emptyResultWait',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: 15,
	description:
		'How long a result that GreenNode reports as finished may stay without content before it is output as it is, with "empty": true on each empty document, instead of waiting out the Timeout',
};

export const concurrencyOption: INodeProperties = {
	displayName: 'Concurrency',
	name: 'concurrency',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: LIMITS.concurrency },
	default: 10,
	description: 'The most requests to GreenNode in flight at once when the node runs on many items',
};

export const maxFileSizeOption: INodeProperties = {
	displayName: 'Max File Size (MB)',
	name: 'maxFileSize',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 50,
	displayOptions: { show: { '/source': ['url'] } },
	description: 'The largest file to download from the URL; a larger one is an error before anything is sent to GreenNode',
};

export const maxRequestsPerSecondOption: INodeProperties = {
	displayName: 'Max Requests per Second',
	name: 'maxRequestsPerSecond',
	type: 'number',
	typeOptions: { minValue: 0, numberPrecision: 2 },
	default: 0,
	description:
		'At most this many requests to GreenNode per second from this node run (uploads, result checks, tables, signatures, stamps, images), whatever the Concurrency: for an account with a known rate limit. 0 means no cap. A 429 answer still slows the run down.',
};

export const maxRetriesOption: INodeProperties = {
	displayName: 'Max Retries',
	name: 'maxRetries',
	type: 'number',
	typeOptions: { minValue: 0, maxValue: LIMITS.maxRetries },
	default: 3,
	description:
		'How often to repeat a request that failed on the way (429, 502, 503, 504, a dropped or cut-off connection, a timeout), waiting longer each time. A Submit is repeated only when GreenNode provably did not receive it, so no document is submitted twice.',
};

export const requestTimeoutOption: INodeProperties = {
	displayName: 'Request Timeout (Seconds)',
	name: 'requestTimeout',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 60,
	description:
		'How long one request may take in all, from connecting to the last byte of the answer, before it counts as failed (and is retried)',
};

/** The "Options" collection of some operations, its fields sorted by name as n8n's linter wants. */
export function optionsCollection(operations: string[], options: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: operations } },
		options: [...options].sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}

/** The defaults of the options above, as the user types them (seconds, MB). */
export const DEFAULTS = {
	pollInterval: pollIntervalOption.default as number,
	timeout: timeoutOption.default as number,
	emptyResultWait: emptyResultWaitOption.default as number,
	requestTimeout: requestTimeoutOption.default as number,
	maxRetries: maxRetriesOption.default as number,
	concurrency: concurrencyOption.default as number,
	maxRequestsPerSecond: maxRequestsPerSecondOption.default as number,
	maxFileSize: maxFileSizeOption.default as number,
};
