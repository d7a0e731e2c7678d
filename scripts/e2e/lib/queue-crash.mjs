// A worker killed while two executions wait for their result, on the 8 s emulator: one execution of
// Submit → Get Result, one of Submit (waiting) with the node's ledger of paid submissions.
// What n8n does with them is recorded; the editor's Retry is tried as soon as n8n shows the first
// one final and again after n8n failed the stalled job; neither may submit the document again.
// Then the recipe: the caller posts the document again and the saved request_id is used.
import { expect } from './checks.mjs';
import { sleep, waitFor } from './proc.mjs';
import { LOCKS, REPLACEMENT, RESUBMIT } from './queue-config.mjs';
import { isPollOf } from './queue-emulators.mjs';
import { crashDocument, post } from './queue-uploads.mjs';

const unfinished = (status) => ['running', 'new', 'unknown'].includes(status);

/** POST /rest/executions/:id/retry {loadWorkflow:false} (the editor's Retry), then the retried execution once it is final. */
async function retry(cluster, executionId) {
	const retried = await cluster.api('POST', `/executions/${executionId}/retry`, { loadWorkflow: false });
	const retriedId = String(retried?.id ?? '');
	if (!retriedId) throw new Error(`the retry answered ${JSON.stringify(retried).slice(0, 300)}`);
	const after = await waitFor(
		'the retried execution to finish',
		async () => {
			const value = await cluster.execution(retriedId);
			return ['running', 'new', 'waiting'].includes(value.status) ? undefined : value;
		},
		{ timeoutMs: 90000, intervalMs: 500 },
	);
	return { retriedId, after };
}

/**
 * Kills worker-a once both executions wait in Get Result (their request_ids saved with the
 * progress), after checking that it is the worker that runs them. Returns { plain, once }, each
 * { doc, requestId, executionId }, or undefined when that failed.
 */
async function killDuringGetResult({ checks, cluster, emulators }, flows, docs) {
	const victim = cluster.workers['worker-a'];
	const crashed = {};
	const killed = await checks.run('crash: worker-a killed (SIGKILL) while both executions wait in Get Result', async () => {
		for (const kind of ['plain', 'once']) {
			const doc = docs[kind];
			const submission = await waitFor(`${doc.name} to be submitted`, () => emulators.submissionsOf(doc.name)[0], { timeoutMs: 60000 });
			const requestId = submission.requestId;
			await waitFor(`Get Result to poll ${requestId}`, () => emulators.records('emulator-slow').find(isPollOf(requestId)), { timeoutMs: 30000 });
			// Without the ledger the request_id is in the progress saved after Submit; with it, Submit is
			// still waiting and the request_id is in the ledger's Data Table.
			const holding = kind === 'plain' ? ` and position('${requestId}' in d.data) > 0` : '';
			const executionId = await waitFor(
				kind === 'plain' ? `the execution holding ${requestId} in its saved progress` : 'the running execution of the workflow with the ledger',
				async () =>
					(await cluster.sql(
						`select e.id from execution_entity e join execution_data d on d."executionId" = e.id where e.status = 'running' and e."workflowId" = '${flows[kind].id}'${holding}`,
					)) || undefined,
				{ timeoutMs: 30000, intervalMs: 200 },
			);
			expect(cluster.startedBy(victim).has(executionId), `execution ${executionId} is not on ${victim.name}`);
			crashed[kind] = { doc, requestId, executionId };
		}
		await cluster.killWorker(victim.name);
		return {
			detail: `executions ${crashed.plain.executionId} (Submit, then Get Result: its request_id saved with the progress after Submit) and ${crashed.once.executionId} (Submit waiting, with the ledger: its request_id in the ledger) on worker-a, both polled`,
		};
	});
	return killed ? crashed : undefined;
}

/**
 * What n8n does by itself, watched until both executions are final and n8n has nothing left to
 * do with them (lock expiry, stalled-job check, its 30 s grace). The first time the execution of
 * the workflow without the ledger shows `crashed` (or anything final), it is retried at once, as
 * an operator who watches the list would. Returns { timeline, settled, early }.
 */
async function watchAfterKill(cluster, crashed, since, killedAt) {
	const timeline = [];
	let last = '';
	const lockMs = Number(LOCKS.QUEUE_WORKER_LOCK_DURATION ?? 60000);
	const stalledMs = Number(LOCKS.QUEUE_WORKER_STALLED_INTERVAL ?? 30000);
	const quietUntil = killedAt + lockMs + stalledMs + 30000 + 10000;
	const ids = `${crashed.plain.executionId}, ${crashed.once.executionId}`;
	const kept = new Map();
	let statuses = [];
	let early;
	while (Date.now() < quietUntil + 60000) {
		const rows = await cluster.sql(
			`select e.id, e.status, position('${crashed.plain.requestId}' in d.data) > 0 or position('${crashed.once.requestId}' in d.data) > 0 from execution_entity e join execution_data d on d."executionId" = e.id where e.id in (${ids}) order by e.id`,
		);
		statuses = rows.split('\n').map((row) => row.split('|'));
		for (const [id, , hasRequestId] of statuses) kept.set(id, hasRequestId === 't');
		const now = statuses.map(([id, status, hasRequestId]) => `${id} ${status}${hasRequestId === 't' ? '' : ' (request_id no longer in its data)'}`).join(', ');
		if (now !== last) {
			timeline.push(`${since()}: ${now}`);
			last = now;
		}
		const plainStatus = statuses.find(([id]) => id === crashed.plain.executionId)?.[1];
		if (!early && plainStatus === 'success') {
			// The restarted worker took the stalled job back and finished it: there is nothing to retry (n8n refuses it).
			early = { at: since(), status: plainStatus, withProgress: kept.get(crashed.plain.executionId), recovered: true };
			timeline.push(`${since()}: ${crashed.plain.executionId} finished by the restarted worker: no Retry needed`);
		} else if (!early && plainStatus && !unfinished(plainStatus)) {
			early = { at: since(), status: plainStatus, withProgress: kept.get(crashed.plain.executionId), outcome: retry(cluster, crashed.plain.executionId).catch((error) => ({ error })) };
			timeline.push(`${since()}: Retry of ${crashed.plain.executionId} (${plainStatus}, request_id ${early.withProgress ? 'in' : 'not in'} its saved data)`);
		}
		const final = statuses.every(([, status]) => !unfinished(status));
		if ((final && Date.now() > quietUntil) || statuses.every(([, status]) => status === 'error')) break;
		await sleep(500);
	}
	const settled = statuses.every(([, status]) => !unfinished(status));
	return { timeline, settled, early };
}

export async function crashAndRecover(ctx) {
	const { checks, cluster, workflows } = ctx;
	// The workflows on the 8 s emulator, without and with the ledger.
	const flows = { plain: workflows.crashPlain, once: workflows.crashOnce };
	// Only worker-a runs, so that both documents are on the worker that is killed.
	await cluster.stopWorker('worker-b', 20000);
	const docs = { plain: crashDocument('crash-plain'), once: crashDocument('crash-once') };
	const answers = {};
	const pending = (kind) =>
		post(flows[kind].url, docs[kind], 400000).then(
			(answer) => (answers[kind] = { ...answer, at: Date.now() }),
			(error) => (answers[kind] = { status: 0, body: error.message, at: Date.now() }),
		);
	void pending('plain');
	void pending('once');

	const crashed = await killDuringGetResult(ctx, flows, docs);
	if (!crashed) return;
	const killedAt = Date.now();
	const since = () => `${((Date.now() - killedAt) / 1000).toFixed(1)} s`;

	// A supervisor starts the worker again: the same process on the same folder (worker-a), or a
	// fresh one elsewhere (E2E_QUEUE_REPLACEMENT=worker-b).
	await checks.run(`crash: ${REPLACEMENT} started ${REPLACEMENT === 'worker-a' ? 'again on the same user folder (as a supervisor restarts it)' : 'in its own folder (a replacement on another machine)'}`, async () => {
		await cluster.startWorker(REPLACEMENT);
		return { detail: `ready ${since()} after the kill` };
	});

	const { timeline, settled, early } = await watchAfterKill(cluster, crashed, since, killedAt);
	const onceNow = await cluster.execution(crashed.once.executionId);
	const runData = onceNow.data?.resultData?.runData ?? {};
	timeline.push(
		`execution ${crashed.once.executionId} then: ${onceNow.status}; nodes with run data [${Object.keys(runData).join(', ')}]; next on the stack [${(onceNow.data?.executionData?.nodeExecutionStack ?? []).map((entry) => entry.node.name).join(', ')}]; error "${onceNow.data?.resultData?.error?.message ?? ''}"`,
	);
	for (const kind of ['plain', 'once']) {
		const answer = answers[kind];
		timeline.push(`webhook caller of ${crashed[kind].executionId}: ${answer ? `HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 80)} ${((answer.at - killedAt) / 1000).toFixed(1)} s after the kill` : 'no answer yet'}`);
	}
	checks.record('crash: what n8n 2.41 does with the executions of the killed worker', settled, timeline.join('\n'));
	if (!settled || !early) return;
	await checkRetries(ctx, crashed, early, killedAt);
	await checkResubmission(ctx, flows, crashed.once);
}

/** The editor's Retry (POST /rest/executions/:id/retry {loadWorkflow:false}), early and late. */
async function checkRetries({ checks, cluster, emulators }, crashed, early, killedAt) {
	const describe = (outcome, requestId) => {
		const { retriedId, after } = outcome;
		const ran = Object.keys(after.data?.resultData?.runData ?? {});
		const resultOut = after.data?.resultData?.runData?.['Get Result']?.at(-1)?.data?.main?.[0]?.[0]?.json;
		const submitRun = after.data?.resultData?.runData?.Submit?.[0];
		const resumed = after.status === 'success' && resultOut?.request_id === requestId && submitRun?.startTime < killedAt;
		const text = `retry ${retriedId} (retryOf ${after.retryOf}): ${after.status}, nodes with run data [${ran.join(', ')}]${after.data?.resultData?.error ? `, error "${after.data.resultData.error.message.slice(0, 60)}…"` : ''}`;
		return { resumed, text };
	};
	/** The facts of a retry and the number of submissions of its document, which must be one. */
	const submittedOnce = ({ text }, doc) => {
		const submissions = emulators.submissionsOf(doc.name).length;
		const facts = `${text}; submissions of the document: ${submissions}`;
		expect(submissions === 1, `the document was submitted ${submissions} times — ${facts}`);
		return facts;
	};
	if (early.recovered) {
		await checks.run(`crash: the restarted worker finished the execution by itself (${early.at} after the kill), with the result and no second submission`, async () => {
			const after = await cluster.execution(crashed.plain.executionId);
			const resultOut = after.data?.resultData?.runData?.['Get Result']?.at(-1)?.data?.main?.[0]?.[0]?.json;
			expect(resultOut?.request_id === crashed.plain.requestId, `Get Result output ${JSON.stringify(resultOut ?? null).slice(0, 200)}`);
			const facts = submittedOnce({ text: `execution ${crashed.plain.executionId}: ${after.status}` }, crashed.plain.doc);
			return { detail: `${facts} → n8n's stalled-job recovery resumed it; a Retry is refused for a success, and not needed` };
		});
	} else await checks.run(`crash: Retry as soon as n8n shows the execution ${early.status} (${early.at} after the kill) resumes at Get Result, no second submission`, async () => {
		const outcome = await early.outcome;
		if (outcome.error) throw outcome.error;
		const described = describe(outcome, crashed.plain.requestId);
		const facts = submittedOnce(described, crashed.plain.doc);
		if (early.withProgress) expect(described.resumed, `the retry started from saved progress with the request_id, but did not finish from it — ${facts}`);
		return { detail: `${facts} → ${described.resumed ? 'resumed at Get Result with the request_id saved after Submit (Submit output taken from before the kill)' : 'n8n had already replaced the saved progress: nothing to resume'}` };
	});
	await checks.run(`crash: Retry of the execution with the ledger, after n8n failed the stalled job, submits nothing again`, async () => {
		const outcome = await retry(cluster, crashed.once.executionId);
		const facts = submittedOnce(describe(outcome, crashed.once.requestId), crashed.once.doc);
		const submitOut = outcome.after.data?.resultData?.runData?.Submit?.at(-1)?.data?.main?.[0]?.[0]?.json;
		// n8n replaced the saved data of a failed stalled job: its Retry runs no node. When it does run
		// Submit, Submit must find the request_id in its ledger.
		if (submitOut) expect(submitOut.request_id === crashed.once.requestId && submitOut.reused === true, `Submit output ${JSON.stringify(submitOut).slice(0, 200)} — ${facts}`);
		return { detail: `${facts} → ${submitOut ? `Submit found ${crashed.once.requestId} in the ledger (reused: true)` : 'n8n ran no node: nothing left to retry, the caller posts again (next check)'}` };
	});
}

/**
 * The recipe: the caller posts the document again; Submit finds the request_id in its ledger. With
 * E2E_QUEUE_RESUBMIT=1 it goes to the workflow without the ledger, which submits it again.
 */
async function checkResubmission({ checks, emulators }, flows, crashedOnce) {
	await checks.run('crash recipe: the caller posts the document again → Submit reuses the request_id of its ledger, no second submission', async () => {
		const kind = RESUBMIT ? 'plain' : 'once';
		const answer = await post(flows[kind].url, crashedOnce.doc);
		const submissions = emulators.submissionsOf(crashedOnce.doc.name).length;
		const body = answer.body ?? {};
		const facts = `HTTP ${answer.status}, request_id ${body.request_id}, reused: ${body.reused}, ${body.status}, ${body.table_rows} table rows; submissions of the document: ${submissions}`;
		expect(answer.status === 200 && body.status === 'COMPLETED', facts);
		expect(submissions === 1, `the document was submitted ${submissions} times — ${facts}`);
		expect(body.request_id === crashedOnce.requestId && body.reused === true, facts);
		return { detail: `execution ${body.execution}: ${facts}` };
	});
}
