/**
 * When to check each job of a batch, from what the batch has learned of its reading times. The
 * promise stays: a job that turns ready is seen within one Poll Interval. Within it, a job is not
 * checked before it can plausibly be ready, and not later than most of its batch is.
 *
 * - **Scouts.** In a batch of at least `SCOUT_FROM` new uploads, the first `SCOUTS` are checked every
 *   eighth of a Poll Interval (at least 250 ms) until they are ready, or until they are a step older
 *   than the quickest of them was: their last "still processing" answers bound the batch's shortest
 *   reading time from below, and the ages at which they were ready tell when most of the batch is.
 * - **The bounds of a first check.** A job is first checked no sooner than that shortest time (with a
 *   margin, `MARGIN` of it, for documents read faster than any scout) and no later than one Poll
 *   Interval after it: no check is spent on a job that cannot be ready yet, and a job ready at the
 *   shortest time is still seen within one interval.
 * - **The usual first check.** Within those bounds, the first check comes as late as the promise
 *   allows (the fewest checks: the node outputs its items together, so a result seen sooner does not
 *   come out sooner), or, once every scout is ready, at the age the last of them was found ready. It moves to
 *   when nineteen jobs in twenty are ready at it, learned from the first checks made: one step earlier
 *   when a job is found ready, nineteen steps later when it is not. A batch whose documents take about
 *   the same time is then returned soon after they are ready, not up to an interval later.
 * - After a "still processing" answer a job is checked one Poll Interval later, or when GreenNode's
 *   Retry-After says (the caller's rule). A job that was not uploaded by this run (Get Result, a reused
 *   submission) is checked at once and teaches nothing.
 */

export const SCOUTS = 8;
export const SCOUT_FROM = 200;
/** The shortest reading time the scouts saw is trusted to this fraction. */
export const MARGIN = 0.75;
const SCOUT_STEP_MIN_MS = 250;
/** Nineteen in twenty first checks should find the job ready. */
const READY_SHARE = 0.95;

export interface PlannedJob {
	/**
	 * When GreenNode accepted this run's upload of it (ms since epoch); unset when it was not uploaded by
	 * this run. Its job started before that, so a "still processing" answer at an age counted from here
	 * bounds its reading time from below.
	 */
	submittedAt?: number;
	intervalMs: number;
	scout?: boolean;
	/** The age (ms) at its last "still processing" answer. */
	pendingAge?: number;
	/** When it was last checked. */
	lastPoll?: number;
}

/** How often a scout that still teaches is checked. */
function scoutStep(job: PlannedJob): number {
	return Math.max(SCOUT_STEP_MIN_MS, job.intervalMs / 8);
}

export class PollPlan {
	private readonly scouts: PlannedJob[] = [];
	private readonly scoutCount: number;
	/** The ages at which the scouts were found ready. */
	private readonly readyScouts: number[] = [];
	/** The shortest reading time a ready scout showed (its last "still processing" age). */
	private quickest = Infinity;
	/** The age at which a first check finds nineteen jobs in twenty ready (learned; unset until then). */
	private usualAge?: number;

	/** `newJobs`: how many jobs this run will upload and wait for. */
	constructor(newJobs: number) {
		this.scoutCount = newJobs >= SCOUT_FROM ? SCOUTS : 0;
	}

	/** Takes a job into the plan; the first new ones of a large batch become its scouts. */
	enroll(job: PlannedJob): void {
		if (job.submittedAt !== undefined && this.scouts.length < this.scoutCount) {
			job.scout = true;
			this.scouts.push(job);
		}
	}

	/** The shortest reading time the batch can plausibly have, with the margin: 0 while nothing is known. */
	shortestMs(): number {
		if (this.scouts.length === 0) return 0;
		let least = Infinity;
		for (const scout of this.scouts) least = Math.min(least, scout.pendingAge ?? 0);
		return Math.floor(least * MARGIN);
	}

	/** When the job is next due (ms since epoch). */
	nextPoll(job: PlannedJob): number {
		if (job.submittedAt === undefined) return job.lastPoll === undefined ? 0 : job.lastPoll + job.intervalMs;
		if (this.teaches(job)) return (job.lastPoll ?? job.submittedAt) + scoutStep(job);
		if (job.lastPoll !== undefined) return job.lastPoll + job.intervalMs;
		const earliest = this.shortestMs();
		const latest = earliest + job.intervalMs;
		// Until the batch has learned when most jobs are ready, as late as the promise allows: the fewest checks.
		const age = Math.min(latest, Math.max(earliest, this.usualAge ?? latest));
		return job.submittedAt + age;
	}

	/**
	 * Whether the job is a scout whose checks still teach the batch: it is not a step older than the
	 * quickest ready scout was, so it may still show a shorter reading time. Its checks come often and
	 * go before the uploads; an older scout is checked like the others until it is ready.
	 */
	teaches(job: PlannedJob): boolean {
		return job.scout === true && (job.pendingAge ?? 0) < this.quickest + scoutStep(job);
	}

	/** Learns from a check of the job at `polledAt` that found it ready or still processing. */
	checked(job: PlannedJob, polledAt: number, ready: boolean): void {
		const first = job.lastPoll === undefined;
		job.lastPoll = polledAt;
		if (job.submittedAt === undefined) return;
		const age = polledAt - job.submittedAt;
		if (!ready) job.pendingAge = age;
		if (job.scout) {
			if (!ready) return;
			job.scout = false;
			this.quickest = Math.min(this.quickest, job.pendingAge ?? 0);
			this.readyScouts.push(age);
			// Every scout ready: most of the batch is plausibly ready by the longest time a scout took.
			if (this.readyScouts.length === this.scouts.length) this.usualAge = Math.max(...this.readyScouts);
			return;
		}
		if (!first) return;
		// A stochastic step towards the age at which nineteen in twenty first checks find the job ready.
		const step = job.intervalMs / 4;
		const earliest = this.shortestMs();
		const from = Math.min(earliest + job.intervalMs, Math.max(earliest, this.usualAge ?? earliest + job.intervalMs));
		// A job still processing moves it later than the age of that check, not later than where it stood:
		// many first checks made at the same age and answered together move it once, not once each.
		this.usualAge = ready ? from - step * (1 - READY_SHARE) : Math.max(from, age + step * READY_SHARE);
	}
}
