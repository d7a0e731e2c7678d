/**
 * A local stand-in for the GreenNode IDP OCR API, over plain HTTP: it parses real multipart
 * uploads, checks what the live API checks (routes.ts), moves jobs through their phases
 * (jobs.ts) and lets tests inject faults (faults.ts), steer jobs and replace result files.
 */
import { createServer, IncomingMessage, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { playFault, takeFault } from './faults';
import { ABORTED, Exchange, send } from './replies';
import { apiBasePath, redactHeaders, route, targetOf } from './routes';
import { DEFAULT_API_KEY, DEFAULT_PORTAL_USER_ID, withSettings } from './settings';
import { Timers } from './timers';
import type {
	Emulator,
	EmulatorOptions,
	EmulatorSettings,
	EmulatorState,
	Fault,
	RecordedRequest,
	ScenarioHook,
} from './types';

export { FAIL_MESSAGE, jobDocuments } from './jobs';
export { apiBasePath } from './routes';
export { DEFAULT_API_KEY, DEFAULT_ENABLED_DOC_TYPES, DEFAULT_PORTAL_USER_ID } from './settings';
export type {
	Emulator,
	EmulatorAccount,
	EmulatorOptions,
	EmulatorSettings,
	Fault,
	FaultKind,
	FaultRequest,
	FileOverride,
	Job,
	JobOutcome,
	JobScenario,
	RecordedFile,
	RecordedRequest,
	ScenarioHook,
	ScenarioOverride,
} from './types';

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
	const host = options.host ?? '127.0.0.1';
	const apiKey = options.apiKey ?? DEFAULT_API_KEY;
	const portalUserId = options.portalUserId ?? DEFAULT_PORTAL_USER_ID;
	const initialSettings = withSettings(options);
	const state: EmulatorState = {
		accounts: [{ apiKey, portalUserId }, ...(options.extraAccounts ?? [])],
		jobs: new Map(),
		fileOverrides: new Map(),
		settings: withSettings({}, initialSettings),
		filesAsOctetStream: options.filesAsOctetStream ?? false,
	};
	const requests: RecordedRequest[] = [];
	const faults: Fault[] = [];
	const timers = new Timers();
	let closing: Promise<void> | undefined;

	async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const target = targetOf(req);
		const { method, path, apiPath } = target;
		const record: RecordedRequest = { method, path, headers: redactHeaders(req.headers), status: 0, at: Date.now() };
		requests.push(record);
		const onRequest = options.onRequest;
		if (onRequest) {
			res.once('close', () => onRequest(record));
		}
		const exchange: Exchange = { req, res, record };
		const fault = takeFault(faults, { method, path, apiPath });
		if (fault) {
			record.fault = fault.kind;
		}
		if (await playFault('before', fault, exchange, timers)) {
			return;
		}
		const reply = await route(state, req, record, target);
		if (reply === ABORTED || (await playFault('after', fault, exchange, timers, reply))) {
			return;
		}
		send(exchange, reply);
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
	const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
	const basePath = apiBasePath(portalUserId);

	return {
		url,
		apiUrl: `${url}${basePath}`,
		basePath,
		host,
		port,
		apiKey,
		portalUserId,
		requests,
		jobs: state.jobs,
		faults,
		fileOverrides: state.fileOverrides,
		get filesAsOctetStream(): boolean {
			return state.filesAsOctetStream;
		},
		set filesAsOctetStream(value: boolean) {
			state.filesAsOctetStream = value;
		},
		get settings(): Readonly<EmulatorSettings> {
			return state.settings;
		},
		setScenario(hook?: ScenarioHook): void {
			state.scenarioHook = hook;
		},
		configure(changes: Partial<EmulatorSettings>): void {
			state.settings = withSettings(changes, state.settings);
		},
		reset(): void {
			requests.length = 0;
			faults.length = 0;
			state.jobs.clear();
			state.fileOverrides.clear();
			state.scenarioHook = undefined;
			state.settings = withSettings({}, initialSettings);
			state.filesAsOctetStream = options.filesAsOctetStream ?? false;
		},
		close(): Promise<void> {
			closing ??= new Promise<void>((resolve) => {
				timers.closeAll();
				server.close(() => resolve());
				server.closeAllConnections();
			});
			return closing;
		},
	};
}
