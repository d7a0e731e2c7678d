/** Pure helpers that turn what GreenNode answered into short, readable text for error messages. */

/** Pulls a human message out of a JSON error body: `message`, `detail`, `error`, `error.message`, `msg`, `errors[0]`. */
export function messageFromJson(body: unknown): string | undefined {
	if (body === null || typeof body !== 'object') return undefined;
	const record = body as Record<string, unknown>;
	for (const key of ['message', 'detail', 'error_description', 'error', 'msg', 'title']) {
		const value = record[key];
		if (typeof value === 'string' && value.trim() !== '') return value.trim();
		if (value && typeof value === 'object') {
			const nested = messageFromJson(value);
			if (nested) return nested;
		}
		if (Array.isArray(value) && value.length > 0) {
			const first = value[0];
			if (typeof first === 'string') return first;
			const nested = messageFromJson(first);
			if (nested) return nested;
		}
	}
	if (Array.isArray(record.errors) && record.errors.length > 0) return messageFromJson({ error: record.errors });
	return undefined;
}

/** A short, single-line description of a response body, whatever it is. */
export function describeBody(text: string, contentType: string | undefined): string {
	const trimmed = text.trim();
	if (trimmed === '') return 'an empty body';
	if (/html/i.test(contentType ?? '') || /^<(!doctype|html)/i.test(trimmed)) {
		const title = /<title[^>]*>([^<]*)<\/title>/i.exec(trimmed)?.[1]?.trim();
		return title ? `an HTML page titled "${title.slice(0, 120)}"` : 'an HTML page';
	}
	try {
		const parsed = JSON.parse(trimmed) as unknown;
		const message = messageFromJson(parsed);
		if (message) return `"${message.slice(0, 300)}"`;
	} catch {
		// not JSON: fall through to the raw text
	}
	const oneLine = trimmed.replace(/\s+/g, ' ');
	return `"${oneLine.length > 200 ? `${oneLine.slice(0, 200)}…` : oneLine}"`;
}
