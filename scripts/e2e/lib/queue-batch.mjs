// The batches of the queue-mode suite: DOCS different documents POSTed at once to the webhook
// workflow, with one worker and then with two. Every answer must carry its own document's result,
// the emulator must see one submission per document, every execution must succeed, and every
// worker must have run some; then the throughput of two workers against one.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { expect } from './checks.mjs';
import { waitFor } from './proc.mjs';
import { DOCS, NODE_CONCURRENCY, PROCESSING_MS, WORKER_CONCURRENCY } from './queue-config.mjs';
import { isPoll, isSubmission } from './queue-emulators.mjs';
import { makeDocuments, post } from './queue-uploads.mjs';

/** "HTTP 200 ×98, no answer ×2": the answers counted by status. */
function countByStatus(answers) {
	const byStatus = {};
	for (const { status } of answers) {
		const key = status === 0 ? 'no answer' : `HTTP ${status}`;
		byStatus[key] = (byStatus[key] ?? 0) + 1;
	}
	return Object.entries(byStatus)
		.map(([status, count]) => `${status} ×${count}`)
		.join(', ');
}

/**
 * One batch with the workers running now, labelled `label` ("1 worker"); its documents are named
 * `<prefix>-001.pdf`… Adds { workers, seconds, rate, load, perWorker } to `throughput[label]`.
 * Returns { docs, answers, ids }.
 */
export async function runBatch({ checks, cluster, emulators, workflows }, label, prefix, throughput) {
	const workers = Object.values(cluster.workers);
	const docs = makeDocuments(prefix, DOCS);
	const before = emulators.records().length;
	const batchStartedAt = Date.now() - 1000;
	const begun = performance.now();
	const answers = await Promise.all(docs.map((doc) => post(workflows.plain.url, doc).catch((error) => ({ status: 0, body: error.message }))));
	const seconds = (performance.now() - begun) / 1000;
	const rate = DOCS / seconds;
	throughput[label] = { workers: workers.length, seconds, rate, load: loadavg()[0] };

	await checks.run(`${label}: ${DOCS} uploads answered 200, each with the result of its own document`, async () => {
		const wrong = [];
		answers.forEach((answer, index) => {
			const doc = docs[index];
			const body = answer.body;
			if (answer.status !== 200) wrong.push(`${doc.name}: HTTP ${answer.status} ${JSON.stringify(body).slice(0, 160)}`);
			else if (body.upload !== doc.id) wrong.push(`${doc.name}: the answer is for upload ${body.upload}`);
			else if (body.status !== 'COMPLETED' || body.document_type !== doc.docType) wrong.push(`${doc.name}: ${body.status} ${body.document_type}, sent ${doc.docType}`);
			else if (doc.tables ? body.table_rows === 0 : body.table_rows !== 0) wrong.push(`${doc.name}: ${body.table_rows} table rows`);
		});
		expect(wrong.length === 0, `${wrong.length} of ${DOCS} wrong (${countByStatus(answers)}): ${wrong.slice(0, 4).join('; ')}`);
		return { detail: `all ${DOCS} in ${seconds.toFixed(1)} s = ${rate.toFixed(2)} executions/s` };
	});

	const batchRecords = emulators.records().slice(before);
	await checks.run(`${label}: the emulator saw exactly ${DOCS} submissions, each answer's request_id from its own file (sha256)`, async () => {
		const submissions = batchRecords.filter(isSubmission);
		expect(submissions.length === DOCS, `${submissions.length} submissions for ${DOCS} documents`);
		const byRequest = new Map(submissions.map((record) => [record.requestId, record]));
		const problems = [];
		answers.forEach((answer, index) => {
			const doc = docs[index];
			const record = byRequest.get(answer.body?.request_id);
			if (!record) problems.push(`${doc.name}: request_id ${answer.body?.request_id} was not submitted in this batch`);
			else if (record.file?.sha256 !== doc.sha256 || record.file?.fileName !== doc.name) problems.push(`${doc.name}: its request_id belongs to ${record.file?.fileName}`);
		});
		const names = new Set(submissions.map((record) => record.file?.fileName));
		expect(names.size === DOCS, `${names.size} distinct files among ${DOCS} submissions`);
		expect(problems.length === 0, problems.slice(0, 4).join('; '));
		const polls = batchRecords.filter(isPoll).length;
		return { detail: `${DOCS} submissions of ${DOCS} distinct files, ${polls} result polls, ${batchRecords.length - DOCS - polls} table requests` };
	});

	const ids = answers.map((answer) => String(answer.body?.execution ?? '')).filter(Boolean);
	await checks.run(`${label}: every execution succeeded (REST API and executions table)`, () => checkExecutions(cluster, workflows.plain.id, ids, batchStartedAt));

	const perWorker = Object.fromEntries(workers.map((worker) => [worker.name, ids.filter((id) => cluster.startedBy(worker).has(id)).length]));
	throughput[label].perWorker = perWorker;
	await checks.run(`${label}: executions per worker (each worker's log: "Worker started execution <id>")`, async () => {
		const total = Object.values(perWorker).reduce((a, b) => a + b, 0);
		const text = Object.entries(perWorker)
			.map(([name, count]) => `${name} ${count}`)
			.join(', ');
		expect(total === DOCS, `${text}: ${total} of ${DOCS} executions found in the worker logs`);
		const idle = Object.entries(perWorker).filter(([, count]) => count === 0);
		expect(idle.length === 0, `${idle.map(([name]) => name).join(', ')} ran no execution (${text})`);
		return { detail: text };
	});
	return { docs, answers, ids };
}

/** Every execution the answers name is stored as a success, in the REST API and in the executions table. */
async function checkExecutions(cluster, workflowId, ids, batchStartedAt) {
	if (new Set(ids).size !== DOCS) {
		// Say what n8n recorded for the executions that did not answer.
		const listed = [...(await cluster.listExecutions(workflowId, [])).values()].filter((entry) => new Date(entry.startedAt ?? entry.createdAt).getTime() >= batchStartedAt);
		const counts = {};
		for (const entry of listed) counts[entry.status] = (counts[entry.status] ?? 0) + 1;
		const failed = listed.find((entry) => entry.status === 'error');
		const error = failed ? (await cluster.execution(failed.id)).data?.resultData?.error : undefined;
		expect(false, `${new Set(ids).size} of ${DOCS} answers name their execution; n8n lists ${JSON.stringify(counts)}${error ? `; execution ${failed.id}: ${error.message}` : ''}`);
	}
	// The answer leaves with Respond, just before the worker stores the finished execution.
	await waitFor(
		'the executions to be stored as finished',
		async () => (await cluster.sql(`select count(*) from execution_entity where id in (${ids.join(',')}) and status in ('new', 'running')`)) === '0',
		{ timeoutMs: 30000, intervalMs: 250 },
	);
	const byId = await cluster.listExecutions(workflowId, ids);
	const notOk = ids.filter((id) => byId.get(id)?.status !== 'success');
	expect(notOk.length === 0, `${notOk.length} not successful: ${notOk.slice(0, 5).map((id) => `${id} ${byId.get(id)?.status}`).join(', ')}`);
	const table = await cluster.sql(`select status, count(*) from execution_entity where id in (${ids.join(',')}) group by status`);
	expect(table === `success|${DOCS}`, `executions table: ${table.replace(/\n/g, ', ')}`);
	return { detail: `REST: ${DOCS} × success; executions table: ${table}` };
}

/**
 * Throughput of two workers against one, printed as a figure with its goal (≥ 1.7×), not asserted:
 * it is a measurement that depends on what else the machine runs. The figures go to logs/throughput.json.
 */
export async function checkThroughput(checks, throughput, logsDir) {
	throughput.ratio = throughput['2 workers'].rate / throughput['1 worker'].rate;
	await checks.run('throughput: one and two workers measured (goal: two at least 1.7 × one)', async () => {
		const load = loadavg().map((value) => value.toFixed(1)).join(' ');
		const met = throughput.ratio >= 1.7 ? 'goal met' : 'goal NOT met';
		const text = `1 worker ${throughput['1 worker'].rate.toFixed(2)}/s, 2 workers ${throughput['2 workers'].rate.toFixed(2)}/s, ratio ${throughput.ratio.toFixed(2)}, ${met} (worker --concurrency ${WORKER_CONCURRENCY}, node Concurrency ${NODE_CONCURRENCY}, ${PROCESSING_MS / 1000} s per job; ${cpus().length} CPUs, load average ${load})`;
		expect(Number.isFinite(throughput.ratio) && throughput.ratio > 0, `no throughput measured: ${text}`);
		return { detail: text };
	});
	writeFileSync(join(logsDir, 'throughput.json'), JSON.stringify(throughput, null, 2));
}
