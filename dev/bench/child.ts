import { fork } from 'child_process';

import { disposeRunner } from '../runner';

/** Runs a measuring child's `main`, sends its figures (or its error) to the parent, then exits. */
export function runChild<T>(main: () => Promise<T>): void {
	main()
		.then(
			(output) => new Promise<void>((resolve) => process.send!(output, () => resolve())),
			(error: Error) =>
				new Promise<void>((resolve) => process.send!({ error: error.stack ?? String(error) }, () => resolve())),
		)
		.finally(() => {
			disposeRunner();
			process.exit(0);
		});
}

/**
 * Parent side: runs the compiled child `script` (a path) with `input` as its one JSON argument and
 * resolves with the figures it sends; rejects when it fails or exits without sending any.
 */
export function forkChild<O extends object>(script: string, input: unknown): Promise<O> {
	return new Promise((resolve, reject) => {
		const child = fork(script, [JSON.stringify(input)], {
			execArgv: ['--expose-gc'],
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		let output: O | { error: string } | undefined;
		child.on('message', (message) => {
			output = message as O | { error: string };
		});
		child.on('error', reject);
		child.on('exit', (code) => {
			if (!output) return reject(new Error(`${script} exited with code ${code} and no result`));
			if ('error' in output && typeof output.error === 'string' && Object.keys(output).length === 1) {
				return reject(new Error(`${script} failed: ${output.error}`));
			}
			resolve(output as O);
		});
	});
}
