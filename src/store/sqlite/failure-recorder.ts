/**
 * Failed attempts on SQLite: recording one under its lease token (from a worker or the lease
 * rescuer), rescuing expired leases, promoting due jobs and pruning finished ones.
 */
import type { JobErrorEntry } from "../../core/job.js";
import { rescueOutcome, type FailureOutcome } from "../../core/transitions.js";
import type { MovedJob } from "../store.js";
import type { SqliteConnection } from "./connection.js";
import { appendJobEvents, type NewJobEvent } from "./event-log.js";
import { encodeError, type JobRow } from "./job-row.js";
import * as jobsSql from "./sql/jobs.js";

/** What FAIL_JOB returns. */
export interface FailedRow {
  status: "retrying" | "failed" | "cancelled";
  run_at: number;
  tenant: string;
  queue: string;
  type: string;
  attempt: number;
}

/**
 * Applies a failed attempt under its lease token and logs its event; call inside a write
 * transaction. Undefined when the token is stale.
 */
export function recordFailure(
  db: SqliteConnection,
  failure: {
    id: string;
    leaseToken: string;
    error: Omit<JobErrorEntry, "at">;
    outcome: FailureOutcome;
    now: number;
  },
): FailedRow | undefined {
  const { id, error, outcome, now } = failure;
  const row = db.stmt(jobsSql.FAIL_JOB).get({
    id,
    lease_token: failure.leaseToken,
    status: outcome.status,
    run_at: outcome.status === "retrying" ? outcome.runAt : null,
    error: encodeError(error, now),
    now,
  }) as FailedRow | undefined;
  if (row === undefined) return undefined;
  const { stack: _stack, ...publicError } = error;
  const name: NewJobEvent["name"] =
    row.status === "retrying"
      ? "job.retrying"
      : row.status === "failed"
        ? "job.failed"
        : "job.cancelled";
  const data =
    row.status === "retrying"
      ? { attempt: row.attempt, error: publicError, runAt: row.run_at }
      : { attempt: row.attempt, error: publicError };
  appendJobEvents(
    db,
    [
      {
        jobId: id,
        tenant: row.tenant,
        queue: row.queue,
        type: row.type,
        name,
        status: row.status,
        data,
      },
    ],
    now,
  );
  return row;
}

type ExpiredRow = Pick<
  JobRow,
  | "id"
  | "queue"
  | "type"
  | "attempt"
  | "max_attempts"
  | "backoff_base_ms"
  | "backoff_cap_ms"
  | "started_at"
  | "timeout_ms"
  | "lease_token"
>;

/** Moves running jobs whose lease expired to retrying/failed/cancelled, in one transaction. */
export function rescueExpiredLeases(
  db: SqliteConnection,
  params: { now: number; limit: number; random: () => number },
): MovedJob[] {
  return db.write(() => {
    const expired = db
      .stmt(jobsSql.SELECT_EXPIRED_LEASES)
      .all({ now: params.now, limit: params.limit }) as ExpiredRow[];
    return expired.map((row): MovedJob => {
      const { outcome, error } = rescueOutcome(
        {
          attempt: row.attempt,
          maxAttempts: row.max_attempts,
          backoff: { baseMs: row.backoff_base_ms, capMs: row.backoff_cap_ms },
          startedAt: row.started_at,
          timeoutMs: row.timeout_ms,
        },
        params.now,
        params.random,
      );
      // Selected and moved in one IMMEDIATE transaction: the token still matches.
      const result = recordFailure(db, {
        id: row.id,
        leaseToken: row.lease_token!,
        error,
        outcome,
        now: params.now,
      })!;
      return {
        id: row.id,
        queue: row.queue,
        type: row.type,
        status: result.status,
        attempt: row.attempt,
      };
    });
  });
}

/** Moves due scheduled/retrying jobs to queued. */
export function promoteDueJobs(
  db: SqliteConnection,
  params: { now: number; limit: number },
): MovedJob[] {
  return db.guard(
    () =>
      db.stmt(jobsSql.PROMOTE_DUE_JOBS).all({ now: params.now, limit: params.limit }) as MovedJob[],
  );
}

/** Deletes finished jobs past their state's cutoff, at most `limit`. */
export function pruneFinishedJobs(
  db: SqliteConnection,
  params: { completedBefore: number; failedBefore: number; cancelledBefore: number; limit: number },
): number {
  return db.write(() => {
    let deleted = 0;
    const cutoffs = [
      ["completed", params.completedBefore],
      ["failed", params.failedBefore],
      ["cancelled", params.cancelledBefore],
    ] as const;
    for (const [status, before] of cutoffs) {
      const limit = params.limit - deleted;
      if (limit <= 0) break;
      deleted += db.stmt(jobsSql.PRUNE_FINISHED).run({ status, before, limit }).changes;
    }
    return deleted;
  });
}
