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
