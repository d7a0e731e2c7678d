import type { IExecuteFunctions } from 'n8n-workflow';

/**
 * Concurrency: one bound on the requests to GreenNode in flight for a whole node run, whichever phase
 * makes them. Submit checks results while it still uploads, so the bound is held here, where every
 * request passes, rather than by each phase's own lanes. A free slot goes first to a check that teaches
 * the batch its reading times (a scout's), then to an upload, then to any other request, each class in
 * the order asked: a result checked sooner would not come out sooner (the node outputs its items
 * together), while each upload that waits delays its job and so the end of the run.
 */

export type SlotClass = 'first' | 'upload' | 'other';

type Wake = () => void;

class Slots {
	private free: number;
	private readonly waiting: Record<SlotClass, Wake[]> = { first: [], upload: [], other: [] };

	constructor(size: number) {
		this.free = size;
	}

	async take(kind: SlotClass): Promise<void> {
		if (this.free > 0) {
			this.free--;
			return;
		}
		await new Promise<void>((wake) => this.waiting[kind].push(wake));
	}

	give(): void {
		const next = this.waiting.first.shift() ?? this.waiting.upload.shift() ?? this.waiting.other.shift();
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
export async function takeSlot(this: IExecuteFunctions, kind: SlotClass): Promise<() => void> {
	const slots = runs.get(this);
	if (!slots) return () => {};
	await slots.take(kind);
	let given = false;
	return () => {
		if (given) return;
		given = true;
		slots.give();
	};
}
