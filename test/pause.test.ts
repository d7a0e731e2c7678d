import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';

import { pauseFor } from '../nodes/GreenNodeOcr/helpers/retry';

/** A wait between polls or before a retry ends on time, also when the garbage collector runs meanwhile. */

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('pauseFor', () => {
	it('ends every wait while the garbage collector runs every few milliseconds', async () => {
		const stop = new AbortController();
		const collector = setInterval(gc, 5);
		let ended = 0;
		const waits = (async () => {
			for (let index = 0; index < 30; index++) {
				await pauseFor(20, stop.signal);
				ended++;
			}
		})();
		const outcome = await Promise.race([waits.then(() => 'ended'), new Promise((resolve) => setTimeout(() => resolve('stuck'), 15_000))]);
		clearInterval(collector);
		stop.abort();
		expect({ outcome, ended }).toEqual({ outcome: 'ended', ended: 30 });
	});

	it('ends at once when the run is stopped', async () => {
		const stop = new AbortController();
		const waiting = pauseFor(60_000, stop.signal);
		stop.abort();
		await expect(waiting).resolves.toBeUndefined();
	});
});
