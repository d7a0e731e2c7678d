/**
 * Log capture. n8n logs through `LoggerProxy` (the execution engine) and the `Logger` service
 * (what nodes see as `this.logger`); both point at one capturing logger. `AsyncLocalStorage`
 * attributes each line to the run that wrote it, so concurrent runs keep separate logs; lines
 * written outside of a run are dropped.
 */
import { AsyncLocalStorage } from 'async_hooks';

import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import type { Logger as LoggerType, LogMetadata } from 'n8n-workflow';
import { LoggerProxy } from 'n8n-workflow';

const runLogs = new AsyncLocalStorage<string[]>();

/** Runs `fn` with every line logged inside it appended to `logs`. */
export function captureLogs<T>(logs: string[], fn: () => Promise<T>): Promise<T> {
	return runLogs.run(logs, fn);
}

function describeValue(value: unknown, seen: WeakSet<object>): unknown {
	if (value instanceof Error) {
		const { description } = value as Error & { description?: unknown };
		return { name: value.name, message: value.message, ...(typeof description === 'string' && description ? { description } : {}) };
	}
	if (typeof value === 'bigint') return value.toString();
	if (typeof value === 'function') return undefined;
	if (value === null || typeof value !== 'object') return value;
	if (seen.has(value)) return '[circular]';
	seen.add(value);
	if (Buffer.isBuffer(value)) return `[Buffer ${value.length} bytes]`;
	if (Array.isArray(value)) return value.map((entry) => describeValue(entry, seen));
	return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, describeValue(entry, seen)]));
}

/** One log call as one line: `level: message {metadata}`. */
function record(level: string, message: unknown, metadata?: LogMetadata): void {
	const logs = runLogs.getStore();
	if (!logs) return;
	let line = `${level}: ${String(message)}`;
	if (metadata && typeof metadata === 'object' && Object.keys(metadata).length > 0) {
		line += ` ${JSON.stringify(describeValue(metadata, new WeakSet()))}`;
	}
	logs.push(line);
}

/** Stands in for `LoggerProxy` and the `Logger` service; `scoped()` loggers are captured too. */
class CapturingLogger implements LoggerType {
	error = (message: string, metadata?: LogMetadata) => record('error', message, metadata);
	warn = (message: string, metadata?: LogMetadata) => record('warn', message, metadata);
	info = (message: string, metadata?: LogMetadata) => record('info', message, metadata);
	debug = (message: string, metadata?: LogMetadata) => record('debug', message, metadata);
	scoped = () => this;
}

const capturingLogger = new CapturingLogger();
Container.set(Logger, capturingLogger as unknown as Logger);
LoggerProxy.init(capturingLogger);
