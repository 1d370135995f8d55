/**
 * Reads the facts behind a job's `waiting_reason` from any store and hands them to the pure
 * decision in core/waiting-reason.ts. One `queueWaitingFacts` read per waiting job (the queue's
 * row, a count over the partial index of running jobs, and the live workers); nothing at all
 * for jobs that are not waiting.
 */
import { dependencyWaitMessage, isHeldForDependencies } from "../core/flows.js";
import type { JobRecord } from "../core/job.js";
import { decideWaitingReason, isWaitingState, type WaitingReason } from "../core/waiting-reason.js";
import type { Store } from "./store.js";

/** Why `job` waits at `now`, or null when it is running or final. */
export async function readWaitingReason(
  store: Store,
  job: JobRecord,
  now: number,
): Promise<WaitingReason | null> {
  if (!isWaitingState(job.status)) return null;
  if (isHeldForDependencies(job)) {
    // Held for its parents (core/flows.ts): nothing about its queue matters yet.
    const links = await store.readJobLinks({ id: job.id });
    return {
      code: "dependencies",
      message: dependencyWaitMessage(links.waitingOn, links.dependsOn.length),
    };
  }
  const facts = await store.queueWaitingFacts({
    queue: job.queue,
    now,
    concurrencyKey: job.concurrencyKey,
  });
  return decideWaitingReason(
    {
      job,
      queue: {
        paused: facts.paused,
        concurrency: facts.concurrency,
        running: facts.running,
        rateLimitedUntil: facts.rateLimitedUntil,
        keyConcurrency: facts.keyConcurrency,
        keyRunning: facts.keyRunning,
      },
      workers: facts.workers,
    },
    now,
  );
}
