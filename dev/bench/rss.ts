/** Resident set size (RSS) sampling shared by the memory benchmark's child processes. */
import { readFileSync, writeFileSync } from 'fs';
import { Worker } from 'worker_threads';

/**
 * Samples RSS every 20 ms in a worker thread, so that the main thread being busy (a large
 * synchronous copy) does not hide a peak. Slot 0: peak since the last reset; slot 1: samples.
 */
export function startSampler(): { shared: BigInt64Array; stop: () => Promise<number> } {
	const shared = new BigInt64Array(new SharedArrayBuffer(16));
	const worker = new Worker(
		`const { workerData } = require('worker_threads');
		const shared = workerData;
		setInterval(() => {
			const rss = BigInt(process.memoryUsage.rss());
			for (;;) {
				const peak = Atomics.load(shared, 0);
				if (rss <= peak || Atomics.compareExchange(shared, 0, peak, rss) === peak) break;
			}
			Atomics.add(shared, 1, 1n);
		}, 20);`,
		{ eval: true, workerData: shared },
	);
	return { shared, stop: async () => await worker.terminate() };
}

export function resetPeak(shared: BigInt64Array): void {
	Atomics.store(shared, 0, BigInt(process.memoryUsage.rss()));
}

export function peakOf(shared: BigInt64Array): number {
	return Math.max(Number(Atomics.load(shared, 0)), process.memoryUsage.rss());
}

export function sampleCount(shared: BigInt64Array): number {
	return Number(Atomics.load(shared, 1));
}

/** Resets the kernel's peak RSS (VmHWM) of this process; false when /proc does not allow it. */
export function resetKernelPeak(): boolean {
	try {
		writeFileSync('/proc/self/clear_refs', '5');
		return true;
	} catch {
		return false;
	}
}

export function kernelPeak(): number | undefined {
	try {
		const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
		return match ? Number(match[1]) * 1024 : undefined;
	} catch {
		return undefined;
	}
}

/** A few full collections with pauses in between, so the RSS that follows is a settled baseline. */
export async function settle(): Promise<void> {
	await new Promise((resolve) => setTimeout(resolve, 100));
	for (let round = 0; round < 3; round++) {
		(globalThis as { gc?: () => void }).gc?.();
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}
