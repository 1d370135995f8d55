/** The job record (SPEC §1, camelCase as in SPEC §3) and the error entries it carries. */
import type { BackoffPolicy } from "./backoff.js";
import type { JsonObject, JsonValue } from "./json.js";
import type { JobState } from "./states.js";
import type { TraceContext } from "./trace-context.js";

/** One failed attempt, as kept in `error` (the last) and `errors` (the history). */
export interface JobErrorEntry {
  /** The error message. */
  message: string;
  /** The error's class name (`Error`, `TimeoutError`, `LeaseExpired`, …) or a type the worker gave. */
  type: string;
  /** The attempt that failed (1-based). */
  attempt: number;
  /** When it failed. */
  at: Date;
  /** The stack trace, when a local handler threw (truncated to 4 KiB). */
  stack?: string;
}

/** A job as the library returns it. */
export interface JobRecord {
  id: string;
  tenant: string;
  queue: string;
  type: string;
  payload: JsonObject;
  status: JobState;
  /** −1000…1000, higher runs first. */
  priority: number;
  /** 0–100. */
  progress: number;
  progressMessage: string | null;
  /** Attempts made so far (claims that were not released). */
  attempt: number;
  maxAttempts: number;
  /** Earliest start. */
  runAt: Date;
  /** Per-attempt execution limit in ms. */
  timeout: number;
  /** Retry backoff of this job. */
  backoff: BackoffPolicy;
  uniqueKey: string | null;
  tags: string[];
  result: JsonValue | null;
  error: JobErrorEntry | null;
  errors: JobErrorEntry[];
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  updatedAt: Date;
  /** Id of the worker holding, or that last held, the job. */
  worker: string | null;
  /** True once cancellation of a running job was asked for. */
  cancelRequested: boolean;
  /** When the current lease ends (running jobs only). */
  leaseExpiresAt: Date | null;
  /** Where a completion/failure notification is POSTed (HTTP servers only). */
  webhookUrl: string | null;
  /** The W3C trace context of the span that submitted the job, or null (core/trace-context.ts). */
  traceContext: TraceContext | null;
  /** Jobs sharing a key in a queue run at most the queue's `keyConcurrency` at once (SPEC §7). */
  concurrencyKey: string | null;
}

/** A job handed to a worker by a claim: the record plus the lease that fences its writes. */
export interface ClaimedJob extends JobRecord {
  status: "running";
  leaseToken: string;
  leaseExpiresAt: Date;
  /**
   * False when the job names no parents (`dependsOn`), so `ctx.parents` is empty without a read;
   * absent when unknown (a claim from an older server), in which case the parents are read.
   */
  hasParents?: boolean;
}

/** Time a job has run: its last attempt's run time, or so far. Null before it started. */
export function elapsedMs(
  job: Pick<JobRecord, "startedAt" | "completedAt" | "status">,
  now: number,
): number | null {
  if (job.startedAt === null) return null;
  const end =
    job.completedAt?.getTime() ?? (job.status === "running" ? now : job.startedAt.getTime());
  return Math.max(0, end - job.startedAt.getTime());
}

/** How long a worker waits, by default, for an aborted handler to stop (`abortGraceMs`). */
export const DEFAULT_ABORT_GRACE_MS = 5_000;

/** What a worker keeps of its lease after the abort grace, to record the attempt's outcome. */
export const RECORD_MARGIN_MS = 2_000;

/**
 * Extra time a running attempt keeps its lease past its timeout (7 s): the worker's abort grace
 * plus the time to record the outcome. So a handler that stops within the grace of its timeout
 * has stopped, and the timeout is recorded, before the lease can expire and the job be claimed
 * again: the job never runs twice at once (docs/design.md "Graces").
 */
export const TIMEOUT_GRACE_MS = DEFAULT_ABORT_GRACE_MS + RECORD_MARGIN_MS;

/**
 * How long a worker may wait for an aborted handler at `now` before recording the outcome: its
 * abort grace, but never so long that the lease's hard end (`startedAt + timeout + grace`) comes
 * within `RECORD_MARGIN_MS` — past that the rescuer could hand the job to another worker.
 */
export function abortWaitMs(
  job: Pick<JobRecord, "startedAt" | "timeout">,
  abortGraceMs: number,
  now: number,
): number {
  if (job.startedAt === null) return abortGraceMs;
  const leaseEnd = job.startedAt.getTime() + job.timeout + TIMEOUT_GRACE_MS;
  return Math.max(0, Math.min(abortGraceMs, leaseEnd - RECORD_MARGIN_MS - now));
}

/**
 * Claim order inside a queue (SPEC §1): priority (high first), then runAt, then id (FIFO).
 * Stores sort claimed batches with it, since `RETURNING` does not keep the order of a claim.
 */
export function compareClaimOrder(
  a: Pick<JobRecord, "priority" | "runAt" | "id">,
  b: Pick<JobRecord, "priority" | "runAt" | "id">,
): number {
  return (
    b.priority - a.priority ||
    a.runAt.getTime() - b.runAt.getTime() ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}
