/** The emulator's public types. */

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
	/** A `Retry-After` (seconds) on each answer that says the job is still processing; none when unset. */
	retryAfterSeconds?: number;
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

/** What the routes read and change; owned by `startEmulator`. */
export interface EmulatorState {
	accounts: EmulatorAccount[];
	jobs: Map<string, Job>;
	fileOverrides: Map<string, FileOverride>;
	settings: EmulatorSettings;
	scenarioHook?: ScenarioHook;
	filesAsOctetStream: boolean;
}
