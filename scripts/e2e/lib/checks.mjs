// Named checks with a PASS/FAIL line each and a closing summary line.

export class Checks {
	constructor() {
		this.results = [];
	}

	/** Records a result. `detail` is printed after the name (why it failed, or what was seen). */
	record(name, ok, detail = '') {
		this.results.push({ name, ok: Boolean(ok), detail });
		const text = detail ? ` — ${String(detail).split('\n').join('\n      ')}` : '';
		process.stdout.write(`  ${ok ? 'PASS' : 'FAIL'}  ${name}${text}\n`);
		return Boolean(ok);
	}

	/** Runs `fn`; a throw or a returned string is a failure, anything else a pass (an object's `detail` is shown). */
	async run(name, fn) {
		try {
			const value = await fn();
			if (typeof value === 'string') return this.record(name, false, value);
			return this.record(name, true, value?.detail ?? '');
		} catch (error) {
			return this.record(name, false, error?.message ?? String(error));
		}
	}

	get passed() {
		return this.results.filter((result) => result.ok).length;
	}

	get failed() {
		return this.results.filter((result) => !result.ok).length;
	}

	summary(label = 'e2e') {
		const lines = ['', 'Summary:'];
		for (const result of this.results) lines.push(`  ${result.ok ? 'PASS' : 'FAIL'}  ${result.name}`);
		lines.push('', `${label}: ${this.passed} passed, ${this.failed} failed`);
		return lines.join('\n');
	}
}

/** Throws with `message` unless `condition` holds. */
export function expect(condition, message) {
	if (!condition) throw new Error(message);
}
