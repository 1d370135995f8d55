/**
 * Which writes wake waiting workers, decided once for both stores: the queues a submission made
 * claimable, and the queue patches that can free up claims.
 */
import type { EnqueueOutcome, QueuePatch } from "../store.js";

/** The queues of newly queued (not duplicate, not scheduled or held) jobs among `outcomes`. */
export function readyQueues(outcomes: readonly EnqueueOutcome[]): string[] {
  const queues: string[] = [];
  for (const o of outcomes) if (!o.duplicate && o.job.status === "queued") queues.push(o.job.queue);
  return queues;
}

/** True when a patch can make jobs claimable that were not (so waiting workers should look). */
export function patchWakesWorkers(patch: QueuePatch): boolean {
  return (
    patch.paused === false ||
    patch.concurrency !== undefined ||
    patch.rateLimit !== undefined ||
    patch.keyConcurrency !== undefined
  );
}
