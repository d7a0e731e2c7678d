/** Timers of the emulator, all cancelled when it closes. */
export class Timers {
	private readonly pending = new Map<NodeJS.Timeout, (() => void) | undefined>();

	/** Calls `callback` after `ms`; returns a cancel function. If the emulator closes first, `onClose` runs instead. */
	after(ms: number, callback: () => void, onClose?: () => void): () => void {
		const timer = setTimeout(() => {
			this.pending.delete(timer);
			callback();
		}, ms);
		this.pending.set(timer, onClose);
		return () => {
			clearTimeout(timer);
			this.pending.delete(timer);
		};
	}

	/** Resolves after `ms`, or at once when the emulator closes. */
	sleep(ms: number): Promise<void> {
		return new Promise((resolve) => this.after(ms, resolve, resolve));
	}

	closeAll(): void {
		for (const [timer, onClose] of this.pending) {
			clearTimeout(timer);
			onClose?.();
		}
		this.pending.clear();
	}
}
