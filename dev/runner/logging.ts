/**
 * Log capture for the in-process workflow runner.
 *
 * n8n writes log lines through two channels: `LoggerProxy` from `n8n-workflow` (used by the
 * execution engine) and the `Logger` service from `@n8n/backend-common` (what nodes see as
 * `this.logger`, also used by n8n-core services). Both are pointed at one capturing logger.
 * Lines are attributed to the run that produced them through `AsyncLocalStorage`, so
 * concurrent runs keep separate logs.
 */
import { AsyncLocalStorage } from 'async_hooks';
import type { Logger as LoggerType, LogMetadata } from 'n8n-workflow';

export type CapturedLogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface LogScope {
	logs: string[];
}

export const logScope = new AsyncLocalStorage<LogScope>();

/** Lines written outside of any run (service start-up, credential tests, ...). */
export const unscopedLogs: string[] = [];
const MAX_UNSCOPED_LINES = 1000;

function describeValue(value: unknown, seen: WeakSet<object>): unknown {
	if (value instanceof Error) {
		const described: Record<string, unknown> = { name: value.name, message: value.message };
		const description = (value as Error & { description?: unknown }).description;
		if (typeof description === 'string' && description) described.description = description;
		return described;
	}
	if (typeof value === 'bigint') return value.toString();
	if (typeof value === 'function') return undefined;
	if (value !== null && typeof value === 'object') {
		if (seen.has(value)) return '[circular]';
		seen.add(value);
		if (Buffer.isBuffer(value)) return `[Buffer ${value.length} bytes]`;
		if (Array.isArray(value)) return value.map((entry) => describeValue(entry, seen));
		const result: Record<string, unknown> = {};
		for (const [key, entry] of Object.entries(value)) {
			result[key] = describeValue(entry, seen);
		}
		return result;
	}
	return value;
}

/** Formats one log call as a single line: `level: message {metadata}`. */
export function formatLogLine(level: CapturedLogLevel, message: string, metadata?: LogMetadata): string {
	let line = `${level}: ${message}`;
	if (metadata && typeof metadata === 'object' && Object.keys(metadata).length > 0) {
		try {
			line += ` ${JSON.stringify(describeValue(metadata, new WeakSet()))}`;
		} catch {
			line += ' [unserializable metadata]';
		}
	}
	return line;
}

function record(level: CapturedLogLevel, message: unknown, metadata?: LogMetadata): void {
	const line = formatLogLine(level, typeof message === 'string' ? message : String(message), metadata);
	const scope = logScope.getStore();
	if (scope) {
		scope.logs.push(line);
		return;
	}
	unscopedLogs.push(line);
	if (unscopedLogs.length > MAX_UNSCOPED_LINES) unscopedLogs.splice(0, unscopedLogs.length - MAX_UNSCOPED_LINES);
}

/**
 * Stands in for both `LoggerProxy` and the `Logger` service. `scoped()` returns the same
 * instance so scoped service loggers are captured as well.
 */
export class CapturingLogger implements LoggerType {
	error(message: string, metadata?: LogMetadata): void {
		record('error', message, metadata);
	}

	warn(message: string, metadata?: LogMetadata): void {
		record('warn', message, metadata);
	}

	info(message: string, metadata?: LogMetadata): void {
		record('info', message, metadata);
	}

	debug(message: string, metadata?: LogMetadata): void {
		record('debug', message, metadata);
	}

	scoped(): CapturingLogger {
		return this;
	}
}
