/**
 * Failed attempts: the worker's `failJobs` and the lease rescuer both record them (and log the
 * job's event) with FAIL_JOB, fenced by the lease token, so a rescue and a late report of the
 * same attempt can never both apply. The rescuer locks the expired rows it takes with SKIP
 * LOCKED, so rescuers in several processes split the work instead of racing for it. The
 * decisions and row mappings are shared with SQLite (../shared/failed-attempts.ts).
 */
import type pg from "pg";
import { isUuid } from "../../core/ids.js";
import type { FailedAttemptOutcome, Failure, MovedJob } from "../store.js";
import {
  failureOutcomes,
  rescuedJobs,
  rescueFailures,
  type ExpiredRow,
  type FailedRow,
} from "../shared/failed-attempts.js";
import { encodeError } from "../shared/job-columns.js";
import { runStatement, withTransaction, type Queryable, type Statements } from "./postgres-pool.js";

/** Records a failed attempt; undefined when the lease token no longer matches. */
async function recordFailure(
  on: Queryable,
  statements: Statements,
  params: Failure & { now: number },
): Promise<FailedRow | undefined> {
  // A malformed id would fail the statement's uuid cast; it cannot match any job.
  if (!isUuid(params.id)) return undefined;
  // The stack is stored in the job's error history but stays out of the event log.
  const { stack: _stack, ...publicError } = params.error;
  const result = await runStatement<FailedRow>(on, statements.FAIL_JOB, [
    params.id,
    params.leaseToken,
    params.outcome.status,
    params.outcome.status === "retrying" ? params.outcome.runAt : null,
    encodeError(params.error, params.now),
    params.now,
    JSON.stringify(publicError),
  ]);
  return result.rows[0];
}

/** Records failures in order, one FAIL_JOB each; undefined where the token no longer matches. */
async function recordFailures(
  on: Queryable,
  statements: Statements,
  failures: readonly Failure[],
  now: number,
): Promise<(FailedRow | undefined)[]> {
  const rows: (FailedRow | undefined)[] = [];
  for (const failure of failures)
    rows.push(await recordFailure(on, statements, { ...failure, now }));
  return rows;
}

/**
 * Records failed attempts, one outcome per failure, in order; several in one transaction (a
 * single one needs none: its one statement is atomic).
 */
export async function failJobs(
  pool: pg.Pool,
  statements: Statements,
  params: { failures: readonly Failure[]; now: number },
): Promise<FailedAttemptOutcome[]> {
  const { failures, now } = params;
  const rows =
    failures.length === 1
      ? [await recordFailure(pool, statements, { ...failures[0]!, now })]
      : await withTransaction(pool, (client) => recordFailures(client, statements, failures, now));
  return failureOutcomes(failures, rows);
}

/**
 * Moves up to `limit` running jobs whose lease ended to `retrying` (an attempt counted), or to
 * `failed` once attempts are used up — `cancelled` when cancellation was asked for. One
 * transaction: the row locks (FOR UPDATE SKIP LOCKED) last until it commits.
 */
export async function rescueExpiredLeases(
  pool: pg.Pool,
  statements: Statements,
  params: { now: number; limit: number; random: () => number },
): Promise<MovedJob[]> {
  return withTransaction(pool, async (client) => {
    const expired = await runStatement<ExpiredRow>(client, statements.SELECT_EXPIRED_LEASES, [
      params.now,
      params.limit,
    ]);
    const failures = rescueFailures(expired.rows, params.now, params.random);
    const recorded = await recordFailures(client, statements, failures, params.now);
    return rescuedJobs(expired.rows, recorded);
  });
}
