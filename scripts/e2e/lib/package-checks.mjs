// The package checks of the e2e suite: the tarball `npm pack` makes, and its install as an n8n
// community package (which E2E_BREAK may damage to see the suite fail).
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { expect } from './checks.mjs';
import { buildAndPack, installCommunityPackage, PACKAGE, ROOT } from './n8n.mjs';
import { log } from './proc.mjs';

/** E2E_BREAK=<name>: the files removed from the installed copy. */
export const BREAKS = {
	'remove-getTable': ['dist/nodes/GreenNodeOcr/actions/getTable.operation.js'],
	'remove-credential': ['dist/credentials/GreenNodeOcrApi.credentials.js'],
	'remove-icon': ['dist/nodes/GreenNodeOcr/greennode.svg'],
};

/** Builds and packs the package into `packDir`; checks what the tarball holds. Returns { tarball, files, size }, or undefined. */
export async function checkPackage(checks, packDir, commandsLog) {
	let packed;
	const ok = await checks.run('package: npm run build && npm pack', async () => {
		packed = await buildAndPack(packDir, { skipBuild: process.env.E2E_SKIP_BUILD === '1', logFile: commandsLog });
		const needed = [
			'package.json',
			...PACKAGE.n8n.nodes,
			...PACKAGE.n8n.credentials,
			'dist/nodes/GreenNodeOcr/GreenNodeOcr.node.json',
			'dist/nodes/GreenNodeOcr/greennode.svg',
			'dist/nodes/GreenNodeOcr/greennode.dark.svg',
		];
		const missing = needed.filter((file) => !packed.files.includes(file));
		expect(missing.length === 0, `the tarball lacks ${missing.join(', ')}`);
		const strays = packed.files.filter((file) => /^(src|test|dev|nodes|credentials|scripts|examples)\//.test(file) || file.startsWith('dist/dev/'));
		expect(strays.length === 0, `the tarball carries files users do not need: ${strays.slice(0, 5).join(', ')}`);
		return { detail: `${packed.files.length} files, ${(packed.size / 1024).toFixed(1)} KiB` };
	});
	return ok ? packed : undefined;
}

/** Installs the tarball into the n8n user folder `userFolder`, as n8n installs a community package. */
export async function checkInstall(checks, userFolder, tarball, commandsLog, breakMode = process.env.E2E_BREAK) {
	if (breakMode && !BREAKS[breakMode]) {
		checks.record(`E2E_BREAK=${breakMode}`, false, `unknown; use one of ${Object.keys(BREAKS).join(', ')}`);
		return false;
	}
	return await checks.run('package: installed as an n8n community package from the tarball', async () => {
		const packageDir = await installCommunityPackage(userFolder, tarball, {
			logFile: commandsLog,
			breakWith: breakMode
				? async (dir) => {
						for (const file of BREAKS[breakMode]) {
							// A file that is not there any more would leave the copy whole and the suite green.
							if (!existsSync(join(dir, file))) throw new Error(`E2E_BREAK=${breakMode}: the package has no ${file}`);
							rmSync(join(dir, file));
						}
						log(`  (E2E_BREAK=${breakMode}: removed ${BREAKS[breakMode].join(', ')} from the installed copy)`);
					}
				: undefined,
		});
		return { detail: packageDir.replace(`${ROOT}/`, '') };
	});
}
