import { PollPlan, SCOUT_FROM, SCOUTS, type PlannedJob } from '../nodes/GreenNodeOcr/wait/plan';

/** The plan of a batch's checks, on its own: what it learns and when it asks. Times in ms. */

const I = 2000;
const job = (submittedAt: number, extra: Partial<PlannedJob> = {}): PlannedJob => ({ submittedAt, intervalMs: I, ...extra });

describe('the plan of checks', () => {
	it('a small batch: first check one interval after GreenNode accepted the upload, then every interval', () => {
		const plan = new PollPlan(SCOUT_FROM - 1);
		const a = job(1000);
		plan.enroll(a);
		expect(a.scout).toBeUndefined();
		expect(plan.nextPoll(a)).toBe(1000 + I);
		plan.checked(a, 3000, false);
		expect(plan.nextPoll(a)).toBe(3000 + I);
	});

	it('a request not uploaded by this run is checked at once and teaches nothing', () => {
		const plan = new PollPlan(SCOUT_FROM);
		const old: PlannedJob = { intervalMs: I };
		plan.enroll(old);
		expect(old.scout).toBeUndefined();
		expect(plan.nextPoll(old)).toBe(0);
		plan.checked(old, 5000, true);
		expect(plan.shortestMs()).toBe(0);
	});

	it('a large batch: its first uploads are scouts checked every eighth of an interval, and bound the shortest time', () => {
		const plan = new PollPlan(SCOUT_FROM);
		const scouts = Array.from({ length: SCOUTS }, (_, n) => job(n * 10));
		for (const scout of scouts) plan.enroll(scout);
		const other = job(100);
		plan.enroll(other);
		expect(scouts.every((scout) => scout.scout)).toBe(true);
		expect(other.scout).toBeUndefined();
		expect(plan.nextPoll(scouts[0])).toBe(0 + I / 8);
		// nothing known yet: one interval after the upload began
		expect(plan.shortestMs()).toBe(0);
		expect(plan.nextPoll(other)).toBe(100 + I);
		// every scout still processing 1.6 s after GreenNode accepted it
		for (const scout of scouts) plan.checked(scout, (scout.submittedAt as number) + 1600, false);
		expect(plan.shortestMs()).toBe(1200);
		expect(plan.nextPoll(scouts[0])).toBe(scouts[0].lastPoll! + I / 8);
		// as late as the promise allows: one interval after the shortest time
		expect(plan.nextPoll(other)).toBe(100 + 1200 + I);
		// the scouts were all found ready only at 4.5 s: still as late as the promise allows, no later
		for (const scout of scouts) plan.checked(scout, (scout.submittedAt as number) + 4500, true);
		expect(plan.nextPoll(other)).toBe(100 + 1200 + I);
	});

	it('once every scout is ready, the first check moves to when the scouts were, within the bounds', () => {
		const plan = new PollPlan(SCOUT_FROM);
		const scouts = Array.from({ length: SCOUTS }, () => job(0));
		for (const scout of scouts) plan.enroll(scout);
		for (const scout of scouts) plan.checked(scout, 1400, false);
		for (const scout of scouts) plan.checked(scout, 1650, true);
		const other = job(500);
		plan.enroll(other);
		// each was found ready at 1.65 s
		expect(plan.nextPoll(other)).toBe(500 + 1650);
		// a ready scout is no longer a scout: checked like the others
		expect(scouts[0].scout).toBe(false);
	});

	it('a scout a step older than the quickest ready scout no longer teaches: checked every interval, after the uploads', () => {
		const plan = new PollPlan(SCOUT_FROM);
		const scouts = Array.from({ length: SCOUTS }, () => job(0));
		for (const scout of scouts) plan.enroll(scout);
		for (const scout of scouts) plan.checked(scout, 1500, false);
		// the quickest is found ready at 1.75 s, having been still processing at 1.5 s
		plan.checked(scouts[0], 1750, true);
		// one still processing at 1.7 s may yet show a time as short: it still teaches
		plan.checked(scouts[1], 1700, false);
		expect(plan.teaches(scouts[1])).toBe(true);
		expect(plan.nextPoll(scouts[1])).toBe(1700 + I / 8);
		// one still processing at 2.1 s is more than a step (250 ms) older than 1.5 s: checked like the others
		plan.checked(scouts[2], 2100, false);
		expect(plan.teaches(scouts[2])).toBe(false);
		expect(plan.nextPoll(scouts[2])).toBe(2100 + I);
	});

	it('many first checks made at the same age and found still processing move the first check once, not once each', () => {
		const plan = new PollPlan(10);
		const slow = (submittedAt: number) => job(submittedAt, { intervalMs: 8000 });
		// twenty first checks at 8 s find their jobs ready: the first check moves 20 × 100 ms earlier
		for (let n = 0; n < 20; n++) {
			const one = slow(0);
			plan.enroll(one);
			plan.checked(one, 8000, true);
		}
		const probe = slow(0);
		plan.enroll(probe);
		expect(plan.nextPoll(probe)).toBe(6000);
		// fifty made together at 3 s find theirs still processing: 3 s + one step (1.9 s) is before 6 s, so it stays
		const burst = Array.from({ length: 50 }, () => slow(0));
		for (const one of burst) plan.enroll(one);
		for (const one of burst) plan.checked(one, 3000, false);
		expect(plan.nextPoll(probe)).toBe(6000);
	});

	it('learns from first checks: earlier when they find jobs ready, later when they do not, never past the bounds', () => {
		const plan = new PollPlan(10);
		const first = job(0);
		plan.enroll(first);
		plan.checked(first, I, true);
		const second = job(0);
		plan.enroll(second);
		expect(plan.nextPoll(second)).toBeLessThan(I);
		for (let n = 0; n < 50; n++) {
			const slow = job(0);
			plan.enroll(slow);
			plan.checked(slow, plan.nextPoll(slow), false);
		}
		const last = job(0);
		plan.enroll(last);
		// never later than one interval after the shortest time (here unknown: 0)
		expect(plan.nextPoll(last)).toBe(I);
	});
});
