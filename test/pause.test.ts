import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';

import { pauseFor } from '../nodes/GreenNodeOcr/helpers/retry';

/** A wait between polls or before a retry ends on time, also when the garbage collector runs meanwhile. */

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('pauseFor', () => {
	it('ends every wait while the garbage collector runs meanwhile', async () => {
		// A wait whose timer went with a collected signal never ends; a slow machine only makes them slower.
		const stop = new AbortController();
		const collector = setInterval(gc, 20);
		let ended = 0;
		const waits = (async () => {
			for (let index = 0; index < 5; index++) {
				await pauseFor(20, stop.signal);
				ended++;
			}
		})();
		const outcome = await Promise.race([waits.then(() => 'ended'), new Promise((resolve) => setTimeout(() => resolve('stuck'), 45_000))]);
		clearInterval(collector);
		stop.abort();
		expect({ outcome, ended }).toEqual({ outcome: 'ended', ended: 5 });
	}, 60_000);

	it('ends at once when the run is stopped', async () => {
		const stop = new AbortController();
		const waiting = pauseFor(60_000, stop.signal);
		stop.abort();
		await expect(waiting).resolves.toBeUndefined();
	});
});
