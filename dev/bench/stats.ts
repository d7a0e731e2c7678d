/** Small helpers shared by the benchmarks: timing, statistics, formatting. */

export function now(): number {
	return Number(process.hrtime.bigint()) / 1e6;
}

/**
 * Runs each of `tasks` once per round, `rounds` times, interleaved so that drift (GC, CPU
 * frequency) hits them alike; returns the durations of each task, in ms.
 */
export async function timeInterleaved(rounds: number, tasks: Array<() => Promise<unknown>>): Promise<number[][]> {
	const durations = tasks.map((): number[] => []);
	for (let round = 0; round < rounds; round++) {
		for (const [index, task] of tasks.entries()) {
			const started = now();
			await task();
			durations[index].push(now() - started);
		}
	}
	return durations;
}

export function median(values: number[]): number {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function percentile(values: number[], p: number): number {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[index];
}

export function max(values: number[]): number {
	return values.reduce((a, b) => Math.max(a, b), -Infinity);
}

export function ms(value: number, digits = 2): string {
	return `${value.toFixed(digits)} ms`;
}

export function seconds(valueMs: number, digits = 2): string {
	return `${(valueMs / 1000).toFixed(digits)} s`;
}

export function mb(bytes: number, digits = 1): string {
	return `${(bytes / 1024 / 1024).toFixed(digits)} MB`;
}

export function times(ratio: number, digits = 2): string {
	return `${ratio.toFixed(digits)}×`;
}

export function gc(): void {
	const collect = (globalThis as { gc?: () => void }).gc;
	if (collect) {
		collect();
		collect();
	}
}

export function log(message: string): void {
	process.stdout.write(`${message}\n`);
}

/** One line of the final table. `met` is undefined for context lines that have no goal. */
export interface Row {
	figure: string;
	measured: string;
	baseline: string;
	ratio: string;
	goal: string;
	met?: boolean;
}
