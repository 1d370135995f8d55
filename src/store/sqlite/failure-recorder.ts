/**
 * Failed attempts on SQLite: recording them under their lease tokens (`failJobs` from a worker,
 * or the lease rescuer), each with its job event, in one IMMEDIATE transaction. The decisions
 * and row mappings are shared with PostgreSQL (../shared/failed-attempts.ts).
 */
import type { FailedAttemptOutcome, Failure, MovedJob } from "../store.js";
import {
  failureOutcomes,
  rescuedJobs,
  rescueFailures,
  type ExpiredRow,
  type FailedRow,
} from "../shared/failed-attempts.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import { appendJobEvents, type NewJobEvent } from "./event-log.js";
import { encodeError } from "../shared/job-columns.js";
import * as jobsSql from "./sql/jobs.js";

/**
 * Applies a failed attempt under its lease token and logs its event; call inside a write
 * transaction. Undefined when the token is stale.
 */
function recordFailure(db: SqliteConnection, failure: Failure, now: number): FailedRow | undefined {
  const { id, error, outcome } = failure;
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

/** Records failed attempts (one outcome per failure, in order) in one transaction. */
export function failJobs(
  db: SqliteConnection,
  params: { failures: readonly Failure[]; now: number },
): FailedAttemptOutcome[] {
  const rows = db.write(() => params.failures.map((f) => recordFailure(db, f, params.now)));
  return failureOutcomes(params.failures, rows);
}

/** Moves running jobs whose lease expired to retrying/failed/cancelled, in one transaction. */
export function rescueExpiredLeases(
  db: SqliteConnection,
  params: { now: number; limit: number; random: () => number },
): MovedJob[] {
  return db.write(() => {
    const expired = db
      .stmt(jobsSql.SELECT_EXPIRED_LEASES)
      .all({ now: params.now, limit: params.limit }) as ExpiredRow[];
    const failures = rescueFailures(expired, params.now, params.random);
    return rescuedJobs(
      expired,
      failures.map((failure) => recordFailure(db, failure, params.now)),
    );
  });
}
