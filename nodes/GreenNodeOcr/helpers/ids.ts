/**
 * IDs typed by users or produced by expressions become URL path segments. Each one is trimmed,
 * checked and percent-encoded so that a `/`, `..`, `?` or `#` can never reach another endpoint.
 */

export type IdCheck = { ok: true; value: string; segment: string } | { ok: false; reason: string };

export function checkId(raw: unknown): IdCheck {
	if (raw === undefined || raw === null) return { ok: false, reason: 'it is empty' };
	if (typeof raw !== 'string' && typeof raw !== 'number') {
		return { ok: false, reason: `it is a ${Array.isArray(raw) ? 'list' : typeof raw}, not text` };
	}
	const value = String(raw).trim();
	if (value === '') return { ok: false, reason: 'it is empty' };
	if (value === '.' || value === '..') return { ok: false, reason: `"${value}" is not an ID` };
	if (value.length > 512) return { ok: false, reason: 'it is longer than 512 characters' };
	if (/[\u0000-\u001f\u007f]/.test(value)) return { ok: false, reason: 'it contains control characters' };
	return { ok: true, value, segment: encodeURIComponent(value) };
}

/** Joins already-checked segments under the API root. */
export function joinPath(segments: string[]): string {
	return '/' + segments.join('/');
}
