/**
 * Hides secrets in text a server sent back. A server may echo the key raw, JSON-escaped
 * (`\/`, `\u002F`), URL-encoded (`%2F`, `%2f`) or in any mix of these, so each secret becomes one
 * pattern that accepts every character in each of its encodings.
 */

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** Every way one character may be written by a JSON encoder or a URL encoder. */
function characterPattern(char: string): string {
	const code = char.codePointAt(0) ?? 0;
	const forms = [escapeRegExp(char)];
	if (code < 0x10000) forms.push(`\\\\u${code.toString(16).padStart(4, '0')}`);
	if (/[^A-Za-z0-9]/.test(char)) forms.push(`\\\\${escapeRegExp(char)}`);
	for (const byte of Buffer.from(char, 'utf8')) forms.push(`%${byte.toString(16).padStart(2, '0')}`);
	if (char === ' ') forms.push('\\+');
	return `(?:${forms.join('|')})`;
}

const patterns = new Map<string, RegExp>();

function patternFor(secret: string): RegExp {
	let pattern = patterns.get(secret);
	if (!pattern) {
		pattern = new RegExp([...secret].map(characterPattern).join(''), 'gi');
		if (patterns.size > 100) patterns.clear();
		patterns.set(secret, pattern);
	}
	return pattern;
}

export const MASK = '***';

/** Replaces every form of every secret (4 characters or longer) with a fixed mask. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
	let out = text;
	for (const secret of secrets) {
		if (secret && secret.length >= 4) out = out.replace(patternFor(secret), MASK);
	}
	return out;
}
