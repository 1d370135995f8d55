/**
 * The worker's lease-fenced batch writes: renewals (heartbeats with progress), completions and
 * releases, each one statement for the whole batch, matched on `(id, lease_token, running)`.
 * Ids that are not UUIDs cannot match any job; they are answered `ok: false` without asking the
 * database (a malformed id would otherwise fail the whole batch's uuid[] cast).
 */
import { isUuid } from "../../core/ids.js";
import { TIMEOUT_GRACE_MS } from "../../core/job.js";
import type { Completion, CompletionOutcome, LeaseRenewal, LeaseRenewalOutcome } from "../store.js";
import { runStatement, type Queryable, type Statements } from "./postgres-pool.js";

/** Extends leases (never past the attempt's timeout) and saves progress. */
export async function extendLeases(
  on: Queryable,
  statements: Statements,
  params: { leases: readonly LeaseRenewal[]; leaseMs: number; now: number },
): Promise<LeaseRenewalOutcome[]> {
  const leases = params.leases.filter((lease) => isUuid(lease.id));
  const renewed = new Map<string, { lease_expires_at: number; cancel_requested: boolean }>();
  if (leases.length > 0) {
    const result = await runStatement<{
      id: string;
      lease_expires_at: number;
      cancel_requested: boolean;
    }>(on, statements.EXTEND_LEASE, [
      leases.map((lease) => lease.id),
      leases.map((lease) => lease.leaseToken),
      leases.map((lease) => lease.progress ?? null),
      leases.map((lease) => lease.progressMessage !== undefined),
      leases.map((lease) => lease.progressMessage ?? null),
      params.now,
      params.leaseMs,
      TIMEOUT_GRACE_MS,
    ]);
    for (const row of result.rows) renewed.set(row.id, row);
  }
  return params.leases.map((lease): LeaseRenewalOutcome => {
    const row = renewed.get(lease.id.toLowerCase());
    if (row === undefined) return { id: lease.id, ok: false };
    return {
      id: lease.id,
      ok: true,
      leaseExpiresAt: new Date(row.lease_expires_at),
      cancelRequested: row.cancel_requested,
    };
  });
}

/** Records successful attempts; a cancellation asked for meanwhile wins. */
export async function completeJobs(
  on: Queryable,
  statements: Statements,
  params: { completions: readonly Completion[]; now: number },
): Promise<CompletionOutcome[]> {
  const valid = params.completions.filter((c) => isUuid(c.id));
  const done = new Map<string, "completed" | "cancelled">();
  if (valid.length > 0) {
    const result = await runStatement<{ id: string; status: "completed" | "cancelled" }>(
      on,
      statements.COMPLETE_JOBS,
      [
        valid.map((c) => c.id),
        valid.map((c) => c.leaseToken),
        valid.map((c) => c.resultJson),
        params.now,
      ],
    );
    for (const row of result.rows) done.set(row.id, row.status);
  }
  return params.completions.map((completion): CompletionOutcome => {
    const status = done.get(completion.id.toLowerCase());
    return status === undefined
      ? { id: completion.id, ok: false }
      : { id: completion.id, ok: true, status };
  });
}

/** Gives running jobs back uncounted; returns the queue of each job released. */
export async function releaseJobs(
  on: Queryable,
  statements: Statements,
  channel: string,
  params: { leases: readonly { id: string; leaseToken: string }[]; now: number },
): Promise<string[]> {
  const leases = params.leases.filter((lease) => isUuid(lease.id));
  if (leases.length === 0) return [];
  const result = await runStatement<{ queue: string }>(on, statements.RELEASE_JOB, [
    leases.map((lease) => lease.id),
    leases.map((lease) => lease.leaseToken),
    params.now,
    channel,
  ]);
  return result.rows.map((row) => row.queue);
}

/** Ids among `ids` of running jobs whose cancellation was requested. */
export async function findCancelRequested(
  on: Queryable,
  statements: Statements,
  ids: readonly string[],
): Promise<string[]> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return [];
  const result = await runStatement<{ id: string }>(on, statements.SELECT_CANCEL_REQUESTED, [
    valid,
  ]);
  return result.rows.map((row) => row.id);
}
