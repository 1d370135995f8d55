/**
 * Failed attempts, dialect-free: the row both stores' FAIL_JOB returns, its mapping to the
 * per-failure outcomes of `failJobs`, the lease rescuer's decision for each expired row, and the
 * single-failure `failJob` built on `failJobs`. The stores only run the statements.
 */
import { LeaseLostError } from "../../core/errors.js";
import { rescueOutcome } from "../../core/transitions.js";
import type { Failure, FailedAttemptOutcome, LeaseStore } from "../contract/leases.js";
import type { MovedJob } from "../contract/maintenance.js";

/** The row FAIL_JOB returns (both dialects). */
export interface FailedRow {
  status: "retrying" | "failed" | "cancelled";
  run_at: number;
  tenant: string;
  queue: string;
  type: string;
  attempt: number;
}

/** The columns of SELECT_EXPIRED_LEASES the rescue decision reads (both dialects). */
export interface ExpiredRow {
  id: string;
  queue: string;
  type: string;
  attempt: number;
  max_attempts: number;
  backoff_base_ms: number;
  backoff_cap_ms: number;
  started_at: number | null;
  timeout_ms: number;
  lease_token: string | null;
}

/** One outcome per failure, in order: `ok: false` where FAIL_JOB matched nothing (stale token). */
export function failureOutcomes(
  failures: readonly Failure[],
  rows: readonly (FailedRow | undefined)[],
): FailedAttemptOutcome[] {
  return failures.map((failure, i): FailedAttemptOutcome => {
    const row = rows[i];
    return row === undefined
      ? { id: failure.id, ok: false }
      : { id: failure.id, ok: true, status: row.status, runAt: new Date(row.run_at) };
  });
}

/** The failure to record for each expired lease (its attempt counted, or failed when used up). */
export function rescueFailures(
  rows: readonly ExpiredRow[],
  now: number,
  random: () => number,
): Failure[] {
  return rows.map((row): Failure => {
    const { outcome, error } = rescueOutcome(
      {
        attempt: row.attempt,
        maxAttempts: row.max_attempts,
        backoff: { baseMs: row.backoff_base_ms, capMs: row.backoff_cap_ms },
        startedAt: row.started_at,
        timeoutMs: row.timeout_ms,
      },
      now,
      random,
    );
    // SELECT_EXPIRED_LEASES reads running rows only, and a running row has a token.
    return { id: row.id, leaseToken: row.lease_token ?? "", error, outcome };
  });
}

/**
 * The jobs a rescue moved. Both stores select and record in one transaction that holds the rows
 * (BEGIN IMMEDIATE; FOR UPDATE SKIP LOCKED), so every token still matches; a row that did not
 * move anyway is left out rather than reported.
 */
export function rescuedJobs(
  rows: readonly ExpiredRow[],
  recorded: readonly (FailedRow | undefined)[],
): MovedJob[] {
  const moved: MovedJob[] = [];
  rows.forEach((row, i) => {
    const result = recorded[i];
    if (result === undefined) return;
    moved.push({
      id: row.id,
      queue: row.queue,
      type: row.type,
      status: result.status,
      attempt: row.attempt,
    });
  });
  return moved;
}

/**
 * One failed attempt through `failJobs`: throws `LeaseLostError` when the token is stale.
 * (The HTTP API's remote-worker failure, whose answer is a 409 on a stale token.)
 */
export async function failOneJob(
  store: Pick<LeaseStore, "failJobs">,
  params: Failure & { now: number },
): Promise<{ status: "retrying" | "failed" | "cancelled"; runAt: Date }> {
  const { now, ...failure } = params;
  const [outcome] = await store.failJobs({ failures: [failure], now });
  if (outcome?.ok !== true) throw new LeaseLostError(params.id);
  return { status: outcome.status, runAt: outcome.runAt };
}
