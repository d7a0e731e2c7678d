/**
 * Paths, authentication and routing. Like the live API, every route lives below
 * `/maas/user-<id>/greennode/idp/v1` and needs `Authorization: Bearer <key>` and a
 * `portal-user-id` header matching one account and the user id in the path.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'http';
import { createJob } from './jobs';
import { parseMultipart } from './multipart';
import { ABORTED, forbidden, json, message, methodNotAllowed, notFound, Reply } from './replies';
import { documentRoute, fileRoute, pollRoute } from './results';
import type { EmulatorAccount, EmulatorState, FaultRequest, RecordedRequest } from './types';

/** Routes `/ocr/ingest/<route>/<request id>/<id>`, next to the result poll `/ocr/ingest/<request id>`. */
const JOB_ROUTES = ['table', 'signature', 'stamp', 'file'] as const;

const BASE_PATH_PATTERN = /^\/maas\/user-([^/]*)\/greennode\/idp\/v1(\/.*)?$/;

/** The API root below the host for a portal user: `/maas/user-<id>/greennode/idp/v1`. */
export function apiBasePath(portalUserId: string): string {
	return `/maas/user-${portalUserId}/greennode/idp/v1`;
}

/** Where a request goes: `userId` and `apiPath` are set when the path is below an API root. */
export interface Target extends FaultRequest {
	userId?: string;
}

export function targetOf(req: IncomingMessage): Target {
	const method = req.method ?? 'GET';
	const rawUrl = req.url ?? '/';
	const queryAt = rawUrl.indexOf('?');
	const path = queryAt >= 0 ? rawUrl.slice(0, queryAt) : rawUrl;
	const base = BASE_PATH_PATTERN.exec(path);
	return base ? { method, path, userId: base[1], apiPath: base[2] ?? '' } : { method, path };
}

export function redactHeaders(headers: IncomingHttpHeaders): Record<string, string | string[] | undefined> {
	const copy: Record<string, string | string[] | undefined> = { ...headers };
	if (copy.authorization !== undefined) {
		copy.authorization = '[redacted]';
	}
	return copy;
}

function authenticate(state: EmulatorState, headers: IncomingHttpHeaders, pathUserId: string): EmulatorAccount | undefined {
	const authorization = headers.authorization;
	const userHeader = headers['portal-user-id'];
	if (typeof authorization !== 'string' || typeof userHeader !== 'string') {
		return undefined;
	}
	return state.accounts.find(
		(account) =>
			authorization === `Bearer ${account.apiKey}` &&
			userHeader === account.portalUserId &&
			pathUserId === account.portalUserId,
	);
}

/** Reads an upload, checks it as the live API does and creates its job. */
async function submit(
	state: EmulatorState,
	req: IncomingMessage,
	record: RecordedRequest,
	account: EmulatorAccount,
): Promise<Reply | typeof ABORTED> {
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
	if (flow === 'single' && !state.settings.enabledDocTypes.includes(docType)) {
		return message(500, 'Internal Server Error');
	}
	const request = { portalUserId: account.portalUserId, flow, docType, fileType, file, fields } as const;
	const job = createJob(request, state.settings, state.scenarioHook);
	state.jobs.set(job.requestId, job);
	record.requestId = job.requestId;
	return json(201, { data: { request_id: job.requestId, file_ids: [...job.fileIds] } });
}

/** The reply to a request, or ABORTED when the client went away during an upload. */
export async function route(
	state: EmulatorState,
	req: IncomingMessage,
	record: RecordedRequest,
	target: Target,
): Promise<Reply | typeof ABORTED> {
	if (target.userId === undefined) {
		return notFound();
	}
	const account = authenticate(state, req.headers, target.userId);
	record.authorized = account !== undefined;
	if (!account) {
		return forbidden();
	}
	let segments: string[];
	try {
		segments = (target.apiPath ?? '').split('/').slice(1).map((segment) => decodeURIComponent(segment));
	} catch {
		return notFound();
	}
	if (segments.length < 2 || segments[0] !== 'ocr' || segments[1] !== 'ingest' || segments.some((s) => s === '')) {
		return notFound();
	}
	const { method } = target;
	if (segments.length === 2) {
		return method === 'POST' ? submit(state, req, record, account) : methodNotAllowed('POST');
	}
	const poll = segments.length === 3;
	const kind = segments.length === 5 ? JOB_ROUTES.find((name) => name === segments[2]) : undefined;
	if (!poll && !kind) {
		return notFound();
	}
	if (method !== 'GET') {
		return methodNotAllowed('GET');
	}
	const job = state.jobs.get(segments[poll ? 2 : 3]);
	if (!job || job.portalUserId !== account.portalUserId) {
		return message(404, 'request_id not found');
	}
	if (!kind) {
		return pollRoute(job);
	}
	return kind === 'file' ? fileRoute(state, job, segments[4]) : documentRoute(kind, job, segments[4]);
}
