/**
 * Failed attempts: the worker's `failJob` and the lease rescuer both record them (and log the
 * job's event) with FAIL_JOB, fenced by the lease token, so a rescue and a late report of the same attempt can never both
 * apply. The rescuer locks the expired rows it takes with SKIP LOCKED, so rescuers in several
 * processes split the work instead of racing for it.
 */
import { rescueOutcome } from "../../core/transitions.js";
import type { Failure, MovedJob } from "../store.js";
import { encodeError } from "./job-row.js";
import { runStatement, type Queryable, type Statements } from "./postgres-pool.js";

/** The row FAIL_JOB returns. */
export interface FailedRow {
  status: "retrying" | "failed" | "cancelled";
  run_at: number;
  tenant: string;
  queue: string;
  type: string;
  attempt: number;
}

/** Records a failed attempt; undefined when the lease token no longer matches. */
export async function recordFailure(
  on: Queryable,
  statements: Statements,
  params: Failure & { now: number },
): Promise<FailedRow | undefined> {
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

interface ExpiredRow {
  id: string;
  queue: string;
  type: string;
  attempt: number;
  max_attempts: number;
  backoff_base_ms: number;
  backoff_cap_ms: number;
  started_at: number | null;
  timeout_ms: number;
  lease_token: string;
  cancel_requested: boolean;
}

/**
 * Moves up to `limit` running jobs whose lease ended to `retrying` (an attempt counted), or to
 * `failed` once attempts are used up — `cancelled` when cancellation was asked for. Must run
 * inside a transaction on `client` (the row locks last until it commits).
 */
export async function rescueExpiredLeases(
  client: Queryable,
  statements: Statements,
  params: { now: number; limit: number; random: () => number },
): Promise<MovedJob[]> {
  const expired = await runStatement<ExpiredRow>(client, statements.SELECT_EXPIRED_LEASES, [
    params.now,
    params.limit,
  ]);
  const moved: MovedJob[] = [];
  for (const row of expired.rows) {
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
    const result = await recordFailure(client, statements, {
      id: row.id,
      leaseToken: row.lease_token,
      error,
      outcome,
      now: params.now,
    });
    // The row is locked by this transaction, so the token still matches; guard anyway.
    if (result === undefined) continue;
    moved.push({
      id: row.id,
      queue: row.queue,
      type: row.type,
      status: result.status,
      attempt: row.attempt,
    });
  }
  return moved;
}
