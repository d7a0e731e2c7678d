import type { IExecuteFunctions } from 'n8n-workflow';

/**
 * Concurrency: one bound on the requests to GreenNode in flight for a whole node run, whichever phase
 * makes them. Submit checks results while it still uploads, so the bound is held here, where every
 * request passes, rather than by each phase's own lanes. Requests take free slots in the order they
 * asked: checks of results cannot starve the uploads still to come, nor uploads the checks.
 */

type Wake = () => void;

class Slots {
	private free: number;
	private readonly waiting: Wake[] = [];

	constructor(size: number) {
		this.free = size;
	}

	async take(): Promise<void> {
		if (this.free > 0) {
			this.free--;
			return;
		}
		await new Promise<void>((wake) => this.waiting.push(wake));
	}

	give(): void {
		const next = this.waiting.shift();
		if (next) next();
		else this.free++;
	}
}

const runs = new WeakMap<object, Slots>();

/** Sets the Concurrency of this run: at most `size` requests in flight. */
export function setSlots(this: IExecuteFunctions, size: number): void {
	runs.set(this, new Slots(Math.max(1, Math.floor(size) || 1)));
}

/** Takes a slot of the run (at once when the run has no bound) and gives the function that frees it. */
export async function takeSlot(this: IExecuteFunctions): Promise<() => void> {
	const slots = runs.get(this);
	if (!slots) return () => {};
	await slots.take();
	let given = false;
	return () => {
		if (given) return;
		given = true;
		slots.give();
	};
}
