#!/usr/bin/env node
/**
 * Runs the checks of n8n's community-package scanner (@n8n/scan-community-package, the gate for
 * verified community nodes) locally: its exact ESLint configuration, inline disables ignored, on the
 * packed tarball (what users install) and on the source, with no network. Any finding fails the scan;
 * there is no list of exceptions.
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

async function lint(cwd, patterns) {
	const eslint = new ESLint({ cwd, allowInlineConfig: false, overrideConfigFile: true, overrideConfig: await buildScanConfig() });
	const files = glob.sync(patterns, { cwd, absolute: true, ignore: ['node_modules/**', '**/package-lock.json'] });
	const results = await eslint.lintFiles(files);
	return { files: files.length, results };
}

const work = mkdtempSync(join(tmpdir(), 'greennode-scan-'));
let failed = 0;
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
				failed++;
				console.log(`  FAIL  ${file}:${message.line} ${message.ruleId ?? 'parse'}: ${message.message}`);
			}
		}
	}
} finally {
	rmSync(work, { recursive: true, force: true });
}
console.log(`\nscan: ${failed} finding${failed === 1 ? '' : 's'}`);
process.exit(failed === 0 ? 0 : 1);
