/**
 * A local stand-in for the GreenNode IDP OCR API.
 *
 * It speaks plain HTTP, parses real multipart uploads (streamed: files are hashed and
 * counted, never held in memory) and checks what the live API checks: the base path, the
 * `Authorization: Bearer <key>` and `portal-user-id` headers, and the user id in the path.
 * Jobs move through three phases on successive result polls (or on a clock): processing,
 * "terminal but empty" (status COMPLETED with no content, as the live API has been seen
 * to answer), then done.
 *
 * The uploaded file name steers a job, so a separately running emulator can be driven too:
 * a name containing `fail` ends FAILED, `stuck` never gains content, `notable` has no
 * tables. Tests can also override per job, inject faults and replace result files.
 */
import { createHash, randomUUID } from 'crypto';
import { createServer, IncomingHttpHeaders, IncomingMessage, ServerResponse, STATUS_CODES } from 'http';
import { AddressInfo } from 'net';
import busboy from 'busboy';
import {
	DocumentSpec,
	doneDocument,
	emptyDocument,
	invoiceTables,
	SIGNATURE_FILE_ID,
	signatures,
	STAMP_FILE_ID,
	stamps,
} from './content';
import { PAGE_JPEG, PAGE_PNG, SIGNATURE_PNG, STAMP_PNG } from './images';

export const DEFAULT_API_KEY = 'gn-emulator-key';
export const DEFAULT_PORTAL_USER_ID = '100001';
export const DEFAULT_ENABLED_DOC_TYPES: readonly string[] = ['ID', 'INVOICE', 'BANK_STATEMENT', 'CONTRACT'];
export const FAIL_MESSAGE = 'Document could not be processed';

/** The API root below the host for a portal user: `/maas/user-<id>/greennode/idp/v1`. */
export function apiBasePath(portalUserId: string): string {
	return `/maas/user-${portalUserId}/greennode/idp/v1`;
}

const BASE_PATH_PATTERN = /^\/maas\/user-([^/]*)\/greennode\/idp\/v1(\/.*)?$/;

export interface EmulatorAccount {
	apiKey: string;
	portalUserId: string;
}

export interface EmulatorOptions {
	/** Interface to listen on; default `127.0.0.1`. */
	host?: string;
	/** Port; default 0 (a free port). */
	port?: number;
	/** Default `gn-emulator-key`. */
	apiKey?: string;
	/** Numeric string; default `100001`. */
	portalUserId?: string;
	/** Further accounts the emulator accepts; request ids stay private to the account that made them. */
	extraAccounts?: EmulatorAccount[];
	/** doc_type values accepted with flow=single; anything else answers 500. */
	enabledDocTypes?: string[];
	/** Result polls answered "processing"; default 1. */
	pendingPolls?: number;
	/** Then result polls answered "terminal but empty"; default 1. */
	emptyPolls?: number;
	/**
	 * When > 0, phases follow the clock instead of polls: processing until 60% of the delay,
	 * terminal-but-empty until the delay, then done.
	 */
	processingDelayMs?: number;
	/** Serve result files as `application/octet-stream`; can be changed later on the emulator. */
	filesAsOctetStream?: boolean;
	/** Called once per request when its response has been sent or its connection closed. */
	onRequest?: (request: RecordedRequest) => void;
}

export interface RecordedFile {
	fieldName: string;
	fileName: string;
	mimeType: string;
	size: number;
	sha256: string;
}

export interface RecordedRequest {
	method: string;
	/** The path without the query string. */
	path: string;
	/** Request headers; `authorization` is replaced by `[redacted]` when present. */
	headers: Record<string, string | string[] | undefined>;
	/** Text fields of a multipart body (only when the body was read). */
	fields?: Record<string, string>;
	/** The first file part of a multipart body (only when the body was read). */
	file?: RecordedFile;
	/** Status sent; 0 while pending or when no response was sent (reset, client gone). */
	status: number;
	/** Arrival time (ms since epoch). */
	at: number;
	/** Whether the credentials matched an account (undefined when the path was not checked). */
	authorized?: boolean;
	/** The request id created by a successful submit. */
	requestId?: string;
	/** The injected fault applied to this request, if any. */
	fault?: FaultKind;
}

export type JobOutcome = 'ok' | 'fail' | 'stuck';

export interface JobScenario {
	/** Whether doc-1 has tables (false for file names containing `notable`). */
	tables: boolean;
	pendingPolls: number;
	emptyPolls: number;
	processingDelayMs: number;
	/** `message` of a FAILED result. */
	failMessage: string;
}

export interface Job {
	requestId: string;
	portalUserId: string;
	flow: string;
	docType?: string;
	fileType: 'PDF' | 'IMAGE';
	fileName: string;
	mimeType: string;
	size: number;
	sha256: string;
	fileIds: string[];
	/** All text fields sent with the upload. */
	fields: Record<string, string>;
	/** Result polls answered so far. */
	polls: number;
	createdAt: number;
	outcome: JobOutcome;
	scenario: JobScenario;
}

export type ScenarioOverride = Partial<JobScenario> & { outcome?: JobOutcome };
export type ScenarioHook = (job: Readonly<Job>) => ScenarioOverride | undefined | void;

export type FaultKind = 'status' | 'reset' | 'delay' | 'body' | 'trickle' | 'cut';

export interface FaultRequest {
	method: string;
	/** Full path without the query string. */
	path: string;
	/** Path below the API root (e.g. `/ocr/ingest`), undefined when outside it. */
	apiPath?: string;
}

export interface Fault {
	match: (request: FaultRequest) => boolean;
	/**
	 * `reset` destroys the socket without a response; `delay` waits `delayMs` and then goes on
	 * normally; `status` and `body` answer with `status`, `headers` and `body`.
	 * `trickle` sends status and headers at once, then the body chunked, one byte every
	 * `intervalMs`. `cut` sends status and headers (content-length of the whole body, or
	 * chunked), then `cutAfterBytes` bytes, then destroys the socket. Both use `status`,
	 * `headers` and `body` with stage `before`, and the normal reply with stage `after`.
	 */
	kind: FaultKind;
	/** Default 503 for `status`, 200 for the others. */
	status?: number;
	/** Default `content-type: application/json`. */
	headers?: Record<string, string>;
	/** Default for `status`: `{"message":"<reason phrase>"}`; for the others: empty. */
	body?: string | Buffer;
	delayMs?: number;
	/** `trickle`: pause before each byte; default 250. */
	intervalMs?: number;
	/** `cut`: bytes sent before the socket is destroyed; default half the body (rounded down). */
	cutAfterBytes?: number;
	/** `cut`: chunked transfer encoding instead of a content-length; default false. */
	chunked?: boolean;
	/** How many matching requests it applies to; default 1. */
	times?: number;
	/**
	 * `before` (default): applied on arrival, before the body is read, so an upload hit by it
	 * creates no job. `after`: the request is handled normally (an upload creates its job) and
	 * the fault replaces or delays the response.
	 */
	stage?: 'before' | 'after';
}

export interface FileOverride {
	/** Default 200. */
	status?: number;
	/** Default `application/octet-stream`. */
	contentType?: string;
	headers?: Record<string, string>;
	/** Default: an empty body. */
	body?: string | Buffer;
}

export interface EmulatorSettings {
	enabledDocTypes: string[];
	pendingPolls: number;
	emptyPolls: number;
	processingDelayMs: number;
}

export interface Emulator {
	/** `http://host:port`, no trailing slash: the credential's Base URL. */
	url: string;
	/** `url` plus the API root of the default account. */
	apiUrl: string;
	/** API root path of the default account. */
	basePath: string;
	host: string;
	port: number;
	apiKey: string;
	portalUserId: string;
	requests: RecordedRequest[];
	jobs: Map<string, Job>;
	/** Consulted in order before normal handling; the first match applies. */
	faults: Fault[];
	/** Keyed by file id; applies to the file route of any known request id. */
	fileOverrides: Map<string, FileOverride>;
	filesAsOctetStream: boolean;
	/** Current settings for new jobs (and the doc_type check). */
	readonly settings: Readonly<EmulatorSettings>;
	/** Runs for every new job after the file-name scenario; its answer overrides it. */
	setScenario(hook?: ScenarioHook): void;
	/** Changes settings; poll counts and delay apply to jobs created afterwards. */
	configure(changes: Partial<EmulatorSettings>): void;
	/** Back to the start state: clears requests, jobs, faults, file overrides, the scenario hook and settings changes. */
	reset(): void;
	close(): Promise<void>;
}

interface Reply {
	status: number;
	headers: Record<string, string>;
	body: Buffer;
}

type UploadedFile = RecordedFile;

interface Upload {
	fields: Record<string, string>;
	files: UploadedFile[];
}

const ABORTED = Symbol('aborted');

type Phase = 'processing' | 'empty' | 'done' | 'failed';

function json(status: number, body: unknown): Reply {
	return {
		status,
		headers: { 'content-type': 'application/json' },
		body: Buffer.from(JSON.stringify(body), 'utf8'),
	};
}

function message(status: number, text: string): Reply {
	return json(status, { message: text });
}

function forbidden(): Reply {
	return { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: Buffer.from('Forbidden') };
}

function notFound(): Reply {
	return message(404, 'Not Found');
}

function methodNotAllowed(allow: string): Reply {
	const reply = message(405, 'Method Not Allowed');
	reply.headers.allow = allow;
	return reply;
}

function redactHeaders(headers: IncomingHttpHeaders): Record<string, string | string[] | undefined> {
	const copy: Record<string, string | string[] | undefined> = { ...headers };
	if (copy.authorization !== undefined) {
		copy.authorization = '[redacted]';
	}
	return copy;
}

function withoutContentLength(headers: Record<string, string>): Record<string, string> {
	return Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'content-length'));
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
	const result = value ?? fallback;
	if (!Number.isFinite(result) || result < 0) {
		throw new RangeError(`${name} must be a non-negative number`);
	}
	return result;
}

function parseMultipart(req: IncomingMessage): Promise<Upload | Reply | typeof ABORTED> {
	const contentType = req.headers['content-type'];
	if (typeof contentType !== 'string' || !/^multipart\/form-data\b/i.test(contentType.trim())) {
		return Promise.resolve(message(400, 'Content-Type must be multipart/form-data'));
	}
	let parser: busboy.Busboy;
	try {
		parser = busboy({ headers: req.headers, defParamCharset: 'utf8' });
	} catch {
		return Promise.resolve(message(400, 'Malformed multipart body'));
	}
	return new Promise((resolve) => {
		const fields: Record<string, string> = {};
		const files: UploadedFile[] = [];
		let settled = false;
		const finish = (value: Upload | Reply | typeof ABORTED): void => {
			if (!settled) {
				settled = true;
				resolve(value);
			}
		};
		parser.on('field', (name, value) => {
			fields[name] = value;
		});
		parser.on('file', (name, stream, info) => {
			const hash = createHash('sha256');
			const entry: UploadedFile = {
				fieldName: name,
				fileName: info.filename ?? '',
				mimeType: info.mimeType,
				size: 0,
				sha256: '',
			};
			files.push(entry);
			stream.on('data', (chunk: Buffer) => {
				hash.update(chunk);
				entry.size += chunk.length;
			});
			stream.on('end', () => {
				entry.sha256 = hash.digest('hex');
			});
		});
		parser.on('error', () => {
			req.unpipe(parser);
			req.resume();
			finish(message(400, 'Malformed multipart body'));
		});
		parser.on('close', () => finish({ fields, files }));
		req.on('error', () => finish(ABORTED));
		req.on('close', () => {
			if (!req.complete) {
				finish(ABORTED);
			}
		});
		req.pipe(parser);
	});
}

function scenarioFromFileName(fileName: string): { outcome: JobOutcome; tables: boolean } {
	const lower = fileName.toLowerCase();
	const outcome: JobOutcome = lower.includes('fail') ? 'fail' : lower.includes('stuck') ? 'stuck' : 'ok';
	return { outcome, tables: !lower.includes('notable') };
}

/** The documents a job yields: one per page (two for a PDF). */
export function jobDocuments(job: Job): DocumentSpec[] {
	return job.fileIds.map((fileId, index) => ({
		documentId: `doc-${index + 1}`,
		docType: job.docType ?? (index === 0 ? 'ID' : 'INVOICE'),
		page: index + 1,
		fileId,
	}));
}

/** The phase of a job for its `answer`-th result poll (1-based), or by the clock. */
function phaseOf(job: Job, answer: number, now: number): Phase {
	const { pendingPolls, emptyPolls, processingDelayMs } = job.scenario;
	let base: 'processing' | 'empty' | 'done';
	if (processingDelayMs > 0) {
		const elapsed = now - job.createdAt;
		base = elapsed < processingDelayMs * 0.6 ? 'processing' : elapsed < processingDelayMs ? 'empty' : 'done';
	} else {
		base = answer <= pendingPolls ? 'processing' : answer <= pendingPolls + emptyPolls ? 'empty' : 'done';
	}
	if (base === 'processing') {
		return base;
	}
	if (job.outcome === 'fail') {
		return 'failed';
	}
	if (job.outcome === 'stuck') {
		return 'empty';
	}
	return base;
}

/** Phase used by the table, signature, stamp and file routes: that of the last poll answered. */
function currentPhase(job: Job, now: number): Phase {
	return phaseOf(job, Math.max(job.polls, 1), now);
}

function resultBody(job: Job, phase: Phase): Reply {
	const documents = jobDocuments(job);
	const total = documents.length;
	const progress = { total_doc: total, ignored: 0, finished: phase === 'done' ? total : 0 };
	switch (phase) {
		case 'processing':
			return json(200, { data: { request_id: job.requestId, status: 'PROCESSING', progress, documents: [] } });
		case 'failed':
			return json(200, {
				data: {
					request_id: job.requestId,
					status: 'FAILED',
					message: job.scenario.failMessage,
					progress,
					documents: [],
				},
			});
		case 'empty':
			return json(200, {
				data: { request_id: job.requestId, status: 'COMPLETED', progress, documents: documents.map(emptyDocument) },
			});
		case 'done':
			return json(200, {
				data: {
					request_id: job.requestId,
					status: 'COMPLETED',
					progress,
					documents: documents.map(doneDocument),
					extra_field: { engine_version: 'emulator-1', pages: job.fileIds.length },
				},
			});
	}
}

function imageFor(fileId: string): Buffer | undefined {
	if (fileId === SIGNATURE_FILE_ID) {
		return SIGNATURE_PNG;
	}
	if (fileId === STAMP_FILE_ID) {
		return STAMP_PNG;
	}
	if (fileId.endsWith('.png')) {
		return PAGE_PNG;
	}
	if (fileId.endsWith('.jpg') || fileId.endsWith('.jpeg')) {
		return PAGE_JPEG;
	}
	return undefined;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
	const host = options.host ?? '127.0.0.1';
	const apiKey = options.apiKey ?? DEFAULT_API_KEY;
	const portalUserId = options.portalUserId ?? DEFAULT_PORTAL_USER_ID;
	const accounts: EmulatorAccount[] = [{ apiKey, portalUserId }, ...(options.extraAccounts ?? [])];
	const initialSettings: EmulatorSettings = {
		enabledDocTypes: [...(options.enabledDocTypes ?? DEFAULT_ENABLED_DOC_TYPES)],
		pendingPolls: nonNegative(options.pendingPolls, 1, 'pendingPolls'),
		emptyPolls: nonNegative(options.emptyPolls, 1, 'emptyPolls'),
		processingDelayMs: nonNegative(options.processingDelayMs, 0, 'processingDelayMs'),
	};
	let settings: EmulatorSettings = { ...initialSettings, enabledDocTypes: [...initialSettings.enabledDocTypes] };
	let scenarioHook: ScenarioHook | undefined;
	const sleepers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
	const trickles = new Set<() => void>();
	let closing: Promise<void> | undefined;

	const requests: RecordedRequest[] = [];
	const jobs = new Map<string, Job>();
	const faults: Fault[] = [];
	const fileOverrides = new Map<string, FileOverride>();

	function sleep(ms: number): Promise<void> {
		return new Promise((resolve) => {
			const entry = {
				timer: setTimeout(() => {
					sleepers.delete(entry);
					resolve();
				}, ms),
				resolve,
			};
			sleepers.add(entry);
		});
	}

	function takeFault(request: FaultRequest): Fault | undefined {
		const index = faults.findIndex((fault) => fault.match(request));
		if (index < 0) {
			return undefined;
		}
		const fault = faults[index];
		const left = (fault.times ?? 1) - 1;
		if (left <= 0) {
			faults.splice(index, 1);
		} else {
			fault.times = left;
		}
		return fault;
	}

	function faultReply(fault: Fault): Reply {
		const status = fault.status ?? (fault.kind === 'status' ? 503 : 200);
		const body =
			fault.body ?? (fault.kind === 'status' ? JSON.stringify({ message: STATUS_CODES[status] ?? 'Error' }) : '');
		return {
			status,
			headers: fault.headers ?? { 'content-type': 'application/json' },
			body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
		};
	}

	function authenticate(headers: IncomingHttpHeaders, pathUserId: string): EmulatorAccount | undefined {
		const authorization = headers.authorization;
		const userHeader = headers['portal-user-id'];
		if (typeof authorization !== 'string' || typeof userHeader !== 'string') {
			return undefined;
		}
		return accounts.find(
			(account) =>
				authorization === `Bearer ${account.apiKey}` &&
				userHeader === account.portalUserId &&
				pathUserId === account.portalUserId,
		);
	}

	function findJob(account: EmulatorAccount, requestId: string): Job | undefined {
		const job = jobs.get(requestId);
		return job && job.portalUserId === account.portalUserId ? job : undefined;
	}

	async function submit(req: IncomingMessage, record: RecordedRequest, account: EmulatorAccount): Promise<Reply | typeof ABORTED> {
		const parsed = await parseMultipart(req);
		if (parsed === ABORTED || !('fields' in parsed)) {
			return parsed;
		}
		const { fields, files } = parsed;
		record.fields = fields;
		if (files.length > 0) {
			record.file = { ...files[0] };
		}
		const flow = fields.flow ?? '';
		const docType = fields.doc_type ?? '';
		const fileType = fields.file_type ?? '';
		const file = files.find((entry) => entry.fieldName === 'file');
		if (flow === '') {
			return message(400, 'flow is required');
		}
		if (flow === 'single' && docType === '') {
			return message(400, 'doc_type is required');
		}
		if (fileType === '') {
			return message(400, 'file_type is required');
		}
		if (fileType !== 'PDF' && fileType !== 'IMAGE') {
			return message(400, 'file_type must be PDF or IMAGE');
		}
		if (!file) {
			return message(400, 'file is required');
		}
		if (file.size === 0) {
			return message(400, 'file is empty');
		}
		if (flow === 'single' && !settings.enabledDocTypes.includes(docType)) {
			return message(500, 'Internal Server Error');
		}
		const requestId = randomUUID();
		const prefix = requestId.slice(0, 8);
		const fileIds = fileType === 'PDF' ? [`${prefix}_page_1.jpg`, `${prefix}_page_2.png`] : [`${prefix}_page_1.jpg`];
		const fromName = scenarioFromFileName(file.fileName);
		const job: Job = {
			requestId,
			portalUserId: account.portalUserId,
			flow,
			docType: docType === '' ? undefined : docType,
			fileType,
			fileName: file.fileName,
			mimeType: file.mimeType,
			size: file.size,
			sha256: file.sha256,
			fileIds,
			fields: { ...fields },
			polls: 0,
			createdAt: Date.now(),
			outcome: fromName.outcome,
			scenario: {
				tables: fromName.tables,
				pendingPolls: settings.pendingPolls,
				emptyPolls: settings.emptyPolls,
				processingDelayMs: settings.processingDelayMs,
				failMessage: FAIL_MESSAGE,
			},
		};
		const override = scenarioHook?.(job);
		if (override) {
			const { outcome, ...scenario } = override;
			if (outcome !== undefined) {
				job.outcome = outcome;
			}
			for (const [key, value] of Object.entries(scenario)) {
				if (value !== undefined) {
					(job.scenario as unknown as Record<string, unknown>)[key] = value;
				}
			}
		}
		jobs.set(requestId, job);
		record.requestId = requestId;
		return json(201, { data: { request_id: requestId, file_ids: [...fileIds] } });
	}

	function documentRoute(kind: 'table' | 'signature' | 'stamp', job: Job, documentId: string): Reply {
		const phase = currentPhase(job, Date.now());
		const document = jobDocuments(job).find((doc) => doc.documentId === documentId);
		if (phase === 'failed' || !document) {
			return message(404, 'document_id not found');
		}
		if (phase !== 'done') {
			return message(404, 'document not ready');
		}
		const first = document.documentId === 'doc-1';
		const data: Record<string, unknown> = { request_id: job.requestId, document_id: document.documentId };
		if (kind === 'table') {
			data.tables = first && job.scenario.tables ? invoiceTables() : [];
		} else if (kind === 'signature') {
			data.signatures = first ? signatures() : [];
		} else {
			data.stamps = first ? stamps() : [];
		}
		return json(200, { data });
	}

	function fileRoute(job: Job, fileId: string): Reply {
		const override = fileOverrides.get(fileId);
		if (override) {
			const body = override.body ?? Buffer.alloc(0);
			return {
				status: override.status ?? 200,
				headers: { 'content-type': override.contentType ?? 'application/octet-stream', ...override.headers },
				body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
			};
		}
		let image: Buffer | undefined;
		if (job.fileIds.includes(fileId)) {
			image = imageFor(fileId);
		} else if (fileId === SIGNATURE_FILE_ID || fileId === STAMP_FILE_ID) {
			const phase = currentPhase(job, Date.now());
			if (phase === 'failed') {
				return message(404, 'file_id not found');
			}
			if (phase !== 'done') {
				return message(404, 'file not ready');
			}
			image = imageFor(fileId);
		}
		if (!image) {
			return message(404, 'file_id not found');
		}
		const contentType = emulator.filesAsOctetStream
			? 'application/octet-stream'
			: fileId.endsWith('.png')
				? 'image/png'
				: 'image/jpeg';
		return { status: 200, headers: { 'content-type': contentType }, body: image };
	}

	async function route(
		req: IncomingMessage,
		record: RecordedRequest,
		method: string,
		base: RegExpExecArray | null,
	): Promise<Reply | typeof ABORTED> {
		if (!base) {
			return notFound();
		}
		const account = authenticate(req.headers, base[1]);
		record.authorized = account !== undefined;
		if (!account) {
			return forbidden();
		}
		let segments: string[];
		try {
			segments = (base[2] ?? '').split('/').slice(1).map((segment) => decodeURIComponent(segment));
		} catch {
			return notFound();
		}
		if (segments.length < 2 || segments[0] !== 'ocr' || segments[1] !== 'ingest' || segments.some((s) => s === '')) {
			return notFound();
		}
		if (segments.length === 2) {
			return method === 'POST' ? submit(req, record, account) : methodNotAllowed('POST');
		}
		if (segments.length === 3) {
			if (method !== 'GET') {
				return methodNotAllowed('GET');
			}
			const job = findJob(account, segments[2]);
			if (!job) {
				return message(404, 'request_id not found');
			}
			job.polls += 1;
			return resultBody(job, phaseOf(job, job.polls, Date.now()));
		}
		if (segments.length === 5) {
			const kind = segments[2];
			if (kind === 'table' || kind === 'signature' || kind === 'stamp' || kind === 'file') {
				if (method !== 'GET') {
					return methodNotAllowed('GET');
				}
				const job = findJob(account, segments[3]);
				if (!job) {
					return message(404, 'request_id not found');
				}
				return kind === 'file' ? fileRoute(job, segments[4]) : documentRoute(kind, job, segments[4]);
			}
		}
		return notFound();
	}

	function send(req: IncomingMessage, res: ServerResponse, record: RecordedRequest, reply: Reply): void {
		if (res.headersSent || res.destroyed || req.socket.destroyed) {
			return;
		}
		record.status = reply.status;
		res.writeHead(reply.status, { ...reply.headers, 'content-length': String(reply.body.length) });
		res.end(req.method === 'HEAD' ? undefined : reply.body);
	}

	/** Status and headers now, then one body byte every `intervalMs`; stops when the client goes away. */
	function trickle(req: IncomingMessage, res: ServerResponse, record: RecordedRequest, reply: Reply, intervalMs: number): void {
		if (res.headersSent || res.destroyed || req.socket.destroyed) {
			return;
		}
		record.status = reply.status;
		const headers = withoutContentLength(reply.headers);
		res.writeHead(reply.status, { ...headers, 'transfer-encoding': 'chunked' });
		res.flushHeaders();
		const body = req.method === 'HEAD' ? Buffer.alloc(0) : reply.body;
		let sent = 0;
		let timer: NodeJS.Timeout | undefined;
		const stop = (): void => {
			clearTimeout(timer);
			trickles.delete(stop);
		};
		const next = (): void => {
			if (res.destroyed) {
				stop();
				return;
			}
			if (sent >= body.length) {
				stop();
				res.end();
				return;
			}
			res.write(body.subarray(sent, sent + 1));
			sent += 1;
			timer = setTimeout(next, intervalMs);
		};
		trickles.add(stop);
		res.once('close', stop);
		timer = setTimeout(next, body.length > 0 ? intervalMs : 0);
	}

	/** Status and headers, then the first `cutAfterBytes` bytes, then the socket is destroyed. */
	function cut(req: IncomingMessage, res: ServerResponse, record: RecordedRequest, reply: Reply, fault: Fault): void {
		if (res.headersSent || res.destroyed || req.socket.destroyed) {
			return;
		}
		const socket = req.socket;
		const length = reply.body.length;
		const keep = Math.min(length, nonNegative(fault.cutAfterBytes, Math.floor(length / 2), 'cutAfterBytes'));
		record.status = reply.status;
		const headers = withoutContentLength(reply.headers);
		res.writeHead(
			reply.status,
			fault.chunked ? { ...headers, 'transfer-encoding': 'chunked' } : { ...headers, 'content-length': String(length) },
		);
		res.flushHeaders();
		const destroy = (): void => {
			socket.destroy();
		};
		if (keep > 0 && req.method !== 'HEAD') {
			res.write(reply.body.subarray(0, keep), destroy);
		} else {
			socket.write(Buffer.alloc(0), destroy);
		}
	}

	/** Applies a fault other than `delay`; `normal` is the reply it replaces with stage `after`. */
	function applyFault(fault: Fault, req: IncomingMessage, res: ServerResponse, record: RecordedRequest, normal?: Reply): void {
		switch (fault.kind) {
			case 'reset':
				req.socket.destroy();
				return;
			case 'trickle':
				trickle(req, res, record, normal ?? faultReply(fault), nonNegative(fault.intervalMs, 250, 'intervalMs'));
				return;
			case 'cut':
				cut(req, res, record, normal ?? faultReply(fault), fault);
				return;
			default:
				send(req, res, record, faultReply(fault));
		}
	}

	async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const method = req.method ?? 'GET';
		const rawUrl = req.url ?? '/';
		const queryAt = rawUrl.indexOf('?');
		const path = queryAt >= 0 ? rawUrl.slice(0, queryAt) : rawUrl;
		const base = BASE_PATH_PATTERN.exec(path);
		const record: RecordedRequest = { method, path, headers: redactHeaders(req.headers), status: 0, at: Date.now() };
		requests.push(record);
		if (options.onRequest) {
			const onRequest = options.onRequest;
			res.once('close', () => onRequest(record));
		}
		const fault = takeFault({ method, path, apiPath: base ? base[2] ?? '' : undefined });
		const stage = fault?.stage ?? 'before';
		if (fault) {
			record.fault = fault.kind;
		}
		if (fault && stage === 'before') {
			if (fault.kind !== 'delay') {
				applyFault(fault, req, res, record);
				return;
			}
			await sleep(fault.delayMs ?? 0);
		}
		const reply = await route(req, record, method, base);
		if (reply === ABORTED) {
			return;
		}
		if (fault && stage === 'after') {
			if (fault.kind !== 'delay') {
				applyFault(fault, req, res, record, reply);
				return;
			}
			await sleep(fault.delayMs ?? 0);
		}
		send(req, res, record, reply);
	}

	const server = createServer({ requestTimeout: 0 }, (req, res) => {
		handle(req, res).catch(() => {
			if (!res.headersSent && !res.destroyed) {
				res.writeHead(500, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ message: 'Internal Server Error' }));
			} else {
				res.destroy();
			}
		});
	});

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const port = (server.address() as AddressInfo).port;
	const urlHost = host.includes(':') ? `[${host}]` : host;
	const url = `http://${urlHost}:${port}`;
	const basePath = apiBasePath(portalUserId);

	const emulator: Emulator = {
		url,
		apiUrl: `${url}${basePath}`,
		basePath,
		host,
		port,
		apiKey,
		portalUserId,
		requests,
		jobs,
		faults,
		fileOverrides,
		filesAsOctetStream: options.filesAsOctetStream ?? false,
		get settings(): Readonly<EmulatorSettings> {
			return settings;
		},
		setScenario(hook?: ScenarioHook): void {
			scenarioHook = hook;
		},
		configure(changes: Partial<EmulatorSettings>): void {
			settings = {
				enabledDocTypes: [...(changes.enabledDocTypes ?? settings.enabledDocTypes)],
				pendingPolls: nonNegative(changes.pendingPolls, settings.pendingPolls, 'pendingPolls'),
				emptyPolls: nonNegative(changes.emptyPolls, settings.emptyPolls, 'emptyPolls'),
				processingDelayMs: nonNegative(changes.processingDelayMs, settings.processingDelayMs, 'processingDelayMs'),
			};
		},
		reset(): void {
			requests.length = 0;
			jobs.clear();
			faults.length = 0;
			fileOverrides.clear();
			scenarioHook = undefined;
			settings = { ...initialSettings, enabledDocTypes: [...initialSettings.enabledDocTypes] };
			emulator.filesAsOctetStream = options.filesAsOctetStream ?? false;
		},
		close(): Promise<void> {
			if (!closing) {
				closing = new Promise<void>((resolve) => {
					for (const sleeper of sleepers) {
						clearTimeout(sleeper.timer);
						sleeper.resolve();
					}
					sleepers.clear();
					for (const stop of trickles) {
						stop();
					}
					server.close(() => resolve());
					server.closeAllConnections();
				});
			}
			return closing;
		},
	};
	return emulator;
}
