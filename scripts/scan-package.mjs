#!/usr/bin/env node
/**
 * Runs the checks of n8n's community-package scanner (@n8n/scan-community-package, the gate for
 * verified community nodes) locally: its exact ESLint configuration on the packed tarball (what
 * users install) and on the source, with no network.
 *
 * Three findings are kept on purpose and listed as such; anything else fails the scan:
 * - `form-data` as a runtime dependency, and the `form-data`/`stream` imports: the node streams
 *   uploads as multipart through n8n's HTTP helper, which needs a form-data body; a file in
 *   filesystem or S3 binary mode is never loaded whole. These two rules exist for n8n Cloud,
 *   which installs no community node with dependencies.
 * - `this.helpers.request` in the credential test: a credential test gets only that helper from n8n.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ESLint } from 'eslint';
import glob from 'fast-glob';
import { buildScanConfig, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

const root = resolve(fileURLToPath(import.meta.url), '../..');

const BY_DESIGN = [
	{
		rule: '@n8n/community-nodes/no-restricted-imports',
		test: (message) => /'(form-data|stream)'/.test(message.message),
		why: 'files streamed in and out (multipart upload, image download), never held whole in memory (n8n Cloud rule)',
	},
	{
		rule: '@n8n/community-nodes/no-runtime-dependencies',
		test: () => true,
		why: 'form-data, for the streamed upload (n8n Cloud rule)',
	},
	{
		rule: '@n8n/community-nodes/no-deprecated-workflow-functions',
		test: (message, file) => file.endsWith('credentialTest.js') || file.endsWith('credentialTest.ts'),
		why: 'a credential test only gets helpers.request from n8n',
	},
];

async function lint(cwd, patterns) {
	const eslint = new ESLint({ cwd, allowInlineConfig: false, overrideConfigFile: true, overrideConfig: await buildScanConfig() });
	const files = glob.sync(patterns, { cwd, absolute: true, ignore: ['node_modules/**', '**/package-lock.json'] });
	const results = await eslint.lintFiles(files);
	return { files: files.length, results };
}

const work = mkdtempSync(join(tmpdir(), 'greennode-scan-'));
let failed = 0;
let kept = 0;
try {
	execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
	const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
	const unpacked = join(work, 'package');
	mkdirSync(unpacked);
	execFileSync('tar', ['-xzf', join(work, tarball), '-C', unpacked, '--strip-components=1']);

	const legs = [
		{ name: `tarball ${tarball}`, cwd: unpacked, patterns: ['**/*.js', '**/*.ts', '**/*.json'] },
		{ name: 'source', cwd: root, patterns: SOURCE_FILE_PATTERNS },
	];
	for (const leg of legs) {
		const { files, results } = await lint(leg.cwd, leg.patterns);
		console.log(`\n${leg.name}: ${files} files`);
		for (const result of results) {
			const file = relative(leg.cwd, result.filePath);
			for (const message of result.messages) {
				if (message.severity < 2) continue;
				const known = BY_DESIGN.find((entry) => entry.rule === message.ruleId && entry.test(message, file));
				if (known) {
					kept++;
					console.log(`  kept  ${file}:${message.line} ${message.ruleId}: ${known.why}`);
				} else {
					failed++;
					console.log(`  FAIL  ${file}:${message.line} ${message.ruleId ?? 'parse'}: ${message.message}`);
				}
			}
		}
	}
} finally {
	rmSync(work, { recursive: true, force: true });
}
console.log(`\nscan: ${failed === 0 ? 'no' : failed} finding${failed === 1 ? '' : 's'} to fix, ${kept} kept by design`);
process.exit(failed === 0 ? 0 : 1);
