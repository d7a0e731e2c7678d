/** CPU time of this process over time, to tell how busy it was during a part of a run. */

export interface CpuSample {
	/** Date.now() of the sample. */
	at: number;
	/** User + system CPU time of the whole process so far, in ms. */
	cpuMs: number;
}

function sample(): CpuSample {
	const usage = process.cpuUsage();
	return { at: Date.now(), cpuMs: (usage.user + usage.system) / 1000 };
}

/**
 * Records the process's CPU time every `intervalMs` on the main thread (a busy thread delays a sample
 * but loses nothing: the time is cumulative); `stop()` takes a last sample and returns them all.
 */
export function startCpuSampler(intervalMs = 50): { stop: () => CpuSample[] } {
	const samples: CpuSample[] = [sample()];
	const timer = setInterval(() => samples.push(sample()), intervalMs);
	// Never keeps the process alive, should a caller fail before stopping it.
	timer.unref();
	return {
		stop: () => {
			clearInterval(timer);
			samples.push(sample());
			return samples;
		},
	};
}

/** CPU time (ms) spent between `from` and `to` (Date.now() values), interpolated between samples. */
export function cpuBetween(samples: CpuSample[], from: number, to: number): number {
	const at = (time: number): number => {
		if (samples.length === 0) return 0;
		if (time <= samples[0].at) return samples[0].cpuMs;
		for (let index = 1; index < samples.length; index++) {
			const [a, b] = [samples[index - 1], samples[index]];
			if (time <= b.at) return b.at === a.at ? b.cpuMs : a.cpuMs + ((b.cpuMs - a.cpuMs) * (time - a.at)) / (b.at - a.at);
		}
		return samples[samples.length - 1].cpuMs;
	};
	return at(to) - at(from);
}

/** Runs `work` while sampling this process's CPU time; the sampler stops whatever happens. */
export async function sampleCpuDuring<T>(work: () => Promise<T>, intervalMs = 50): Promise<{ result: T; cpu: CpuSample[] }> {
	const sampler = startCpuSampler(intervalMs);
	let cpu: CpuSample[] | undefined;
	try {
		const result = await work();
		cpu = sampler.stop();
		return { result, cpu };
	} finally {
		if (!cpu) sampler.stop();
	}
}
