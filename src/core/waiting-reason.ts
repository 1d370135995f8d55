/**
 * Explained waiting (SPEC §6): why a `queued`/`scheduled`/`retrying` job has not started yet,
 * as `{ code, message }`. The decision is pure: the caller reads the facts from the store
 * (the job, its queue's settings and running count, the live workers) and passes `now`.
 *
 * Reasons are checked in the order a job meets them: its own start time first (scheduled or
 * backing off), then the queue (paused, at its concurrency limit), then whether any live worker
 * can run it at all; a job past all of these is `ready`, next in line for a free slot.
 */
import type { JobState } from "./states.js";
import { servesJob, type WorkerPresence } from "./worker-presence.js";

/**
 * Every waiting-reason code, in the order they are checked. `tenant_limit` and `dependencies`
 * (SPEC §7, §8) are reserved here so that their checks slot in; nothing returns them yet. A
 * concurrency key at its cap is reported as `queue_concurrency` ("key K: 3/3 running").
 */
export const WAITING_REASON_CODES = [
  "scheduled",
  "backoff",
  "queue_paused",
  "queue_concurrency",
  "rate_limited",
  "tenant_limit",
  "no_worker",
  "dependencies",
  "ready",
] as const;

/** A waiting-reason code. */
export type WaitingReasonCode = (typeof WAITING_REASON_CODES)[number];

/** Why a job waits: a stable code and a sentence for people (the dashboard shows the same). */
export interface WaitingReason {
  code: WaitingReasonCode;
  message: string;
}

/** What the decision needs to know. */
export interface WaitingFacts {
  job: {
    status: JobState;
    runAt: Date;
    attempt: number;
    queue: string;
    type: string;
    tenant: string;
    concurrencyKey?: string | null;
  };
  queue: {
    paused: boolean;
    /** Most jobs of the queue running at once; null = unlimited. */
    concurrency: number | null;
    /** Jobs of the queue running now (all processes). */
    running: number;
    /** When the queue's rate limit allows the next start; null when it allows one now. */
    rateLimitedUntil?: number | null;
    /** Most running jobs per concurrency key; null = no cap. */
    keyConcurrency?: number | null;
    /** Running jobs with the job's concurrency key. */
    keyRunning?: number;
  };
  /** Live workers (any queue: the ones that serve this job are picked here). */
  workers: readonly Pick<WorkerPresence, "queues" | "types" | "tenant">[];
}

const WAITING_STATES: ReadonlySet<JobState> = new Set(["queued", "scheduled", "retrying"]);

/** True for the states in which a job waits (and so has a waiting reason). */
export function isWaitingState(status: JobState): boolean {
  return WAITING_STATES.has(status);
}

/** Why the job waits at `now`; null when it is not waiting (running or final). */
export function decideWaitingReason(facts: WaitingFacts, now: number): WaitingReason | null {
  const { job, queue } = facts;
  if (!isWaitingState(job.status)) return null;
  const at = job.runAt.toISOString();
  if (job.runAt.getTime() > now) {
    if (job.status === "retrying") {
      return {
        code: "backoff",
        message: `attempt ${job.attempt} failed; the next attempt waits until ${at}`,
      };
    }
    return { code: "scheduled", message: `scheduled to start at ${at}` };
  }
  if (queue.paused) return { code: "queue_paused", message: `queue "${job.queue}" is paused` };
  if (queue.concurrency !== null && queue.running >= queue.concurrency) {
    return {
      code: "queue_concurrency",
      message: `queue "${job.queue}" is at its concurrency limit (${queue.running}/${queue.concurrency} running)`,
    };
  }
  const traffic = decideTrafficReason(facts);
  if (traffic !== null) return traffic;
  if (!facts.workers.some((worker) => servesJob(worker, job))) {
    return {
      code: "no_worker",
      message: `no live worker serves type "${job.type}" on queue "${job.queue}"`,
    };
  }
  return {
    code: "ready",
    message: `ready: next in line for a free worker on queue "${job.queue}"`,
  };
}

/** A concurrency key at its cap, then the queue's rate limit (SPEC §7); null when neither. */
function decideTrafficReason({ job, queue }: WaitingFacts): WaitingReason | null {
  const key = job.concurrencyKey ?? null;
  const cap = queue.keyConcurrency ?? null;
  if (key !== null && cap !== null && (queue.keyRunning ?? 0) >= cap) {
    return {
      code: "queue_concurrency",
      message: `key "${key}" is at its concurrency limit in queue "${job.queue}" (${queue.keyRunning}/${cap} running)`,
    };
  }
  if (queue.rateLimitedUntil != null) {
    return {
      code: "rate_limited",
      message: `queue "${job.queue}" is at its rate limit until ${new Date(queue.rateLimitedUntil).toISOString()}`,
    };
  }
  return null;
}
