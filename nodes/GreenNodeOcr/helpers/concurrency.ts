/**
 * Runs `worker` over `inputs` with at most `limit` calls in flight and returns the results in input
 * order. `shouldStop` lets a caller stop starting new work (already started calls finish).
 */
export async function mapWithConcurrency<T, R>(
	inputs: readonly T[],
	limit: number,
	worker: (input: T, index: number) => Promise<R>,
	shouldStop: () => boolean = () => false,
): Promise<Array<R | undefined>> {
	const results: Array<R | undefined> = new Array(inputs.length);
	let next = 0;
	const lanes = Math.max(1, Math.min(Math.floor(limit) || 1, inputs.length));
	const lane = async () => {
		while (next < inputs.length && !shouldStop()) {
			const index = next++;
			results[index] = await worker(inputs[index], index);
		}
	};
	await Promise.all(Array.from({ length: lanes }, lane));
	return results;
}
