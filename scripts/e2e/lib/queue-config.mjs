// The settings of the queue-mode e2e suite (scripts/e2e/queue.mjs): its folders, the environment
// switches it reads, and the timings of the emulator and of n8n's stalled-job detection.
import { join } from 'node:path';

import { PACKAGE, ROOT } from './n8n.mjs';
import { log } from './proc.mjs';

export const WORK = join(ROOT, '.output', 'e2e-queue');
export const CACHE = process.env.E2E_CACHE_DIR || join(ROOT, '.cache', 'e2e');
export const DOCS = Number(process.env.E2E_QUEUE_DOCS || 100);
export const WORKER_CONCURRENCY = Number(process.env.E2E_QUEUE_WORKER_CONCURRENCY || 5);
export const SKIP_BUILD = process.env.E2E_SKIP_BUILD === '1';
export const SKIP_WORKER_INSTALL = process.env.E2E_QUEUE_SKIP_WORKER_INSTALL === '1';
export const RESUBMIT = process.env.E2E_QUEUE_RESUBMIT === '1';
export const REPLACEMENT = process.env.E2E_QUEUE_REPLACEMENT === 'worker-b' ? 'worker-b' : 'worker-a';
export const BENCH = process.env.E2E_QUEUE_BENCH === '1';
export const PROCESSING_MS = 2000;
export const CRASH_PROCESSING_MS = 8000;
export const POLL_INTERVAL_S = 1;
export const NODE_CONCURRENCY = 10; // the node's Options → Concurrency, left at its default
export const WEBHOOK_PATH = 'greennode-ocr-queue';
export const OWNER = { email: 'e2e-queue-owner@example.com', password: `E2e-${Math.random().toString(36).slice(2, 10)}-Pw1` };
export const WORKERS = ['worker-a', 'worker-b'];
// Stalled-job detection, shortened so that the crash is noticed within seconds (n8n's defaults:
// 60000 / 10000 / 30000 ms).
export const DEFAULT_LOCKS = process.env.E2E_QUEUE_DEFAULT_LOCKS === '1';
export const LOCKS = DEFAULT_LOCKS ? {} : { QUEUE_WORKER_LOCK_DURATION: '20000', QUEUE_WORKER_LOCK_RENEW_TIME: '5000', QUEUE_WORKER_STALLED_INTERVAL: '5000' };

/** A path below the project, as the suite prints it. */
export const shown = (path) => path.replace(`${ROOT}/`, '');

/** The first lines of a run: the package, the work folder, and the switches that change what is checked. */
export function announce() {
	log(`e2e-queue: ${PACKAGE.name}@${PACKAGE.version} in n8n queue mode (work folder ${shown(WORK)})`);
	if (SKIP_WORKER_INSTALL) log('  (E2E_QUEUE_SKIP_WORKER_INSTALL=1: the workers get no copy of the package)');
	if (RESUBMIT) log('  (E2E_QUEUE_RESUBMIT=1: after the crash the document is posted again to the workflow without the Data Table)');
	if (DEFAULT_LOCKS) log("  (E2E_QUEUE_DEFAULT_LOCKS=1: n8n's default lock duration and stalled-job check interval)");
}
