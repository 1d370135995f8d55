/**
 * The worker's lease-fenced batch writes on SQLite: renewals (heartbeats with progress),
 * completions and releases, matched on `(id, lease_token, running)`, each batch in one
 * IMMEDIATE transaction with its job events. Completion is the second-hottest transaction: the
 * store builds it once (`SqliteConnection.transaction`) around `completeRows`.
 */
import { TIMEOUT_GRACE_MS } from "../../core/job.js";
import type { Completion, CompletionOutcome, LeaseRenewal, LeaseRenewalOutcome } from "../store.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import { appendJobEvents, eventIdentity, type NewJobEvent } from "./event-log.js";
import * as jobsSql from "./sql/jobs.js";

/** Parameters of a batch completion. */
export type CompleteParams = { completions: readonly Completion[]; now: number };

/** What EXTEND_LEASE returns. */
interface RenewedRow {
  lease_expires_at: number;
  cancel_requested: number;
  tenant: string;
  queue: string;
  type: string;
}

/** Extends leases (never past the attempt's timeout) and saves progress, in one transaction. */
export function extendLeases(
  db: SqliteConnection,
  params: { leases: readonly LeaseRenewal[]; leaseMs: number; now: number },
): LeaseRenewalOutcome[] {
  return db.write(() => {
    const events: NewJobEvent[] = [];
    const outcomes = params.leases.map((lease): LeaseRenewalOutcome => {
      const row = db.stmt(jobsSql.EXTEND_LEASE).get({
        id: lease.id,
        lease_token: lease.leaseToken,
        now: params.now,
        lease_ms: params.leaseMs,
        grace_ms: TIMEOUT_GRACE_MS,
        progress: lease.progress ?? null,
        set_message: lease.progressMessage === undefined ? 0 : 1,
        message: lease.progressMessage ?? null,
      }) as RenewedRow | undefined;
      if (row === undefined) return { id: lease.id, ok: false };
      if (lease.progress !== undefined) {
        events.push({
          ...eventIdentity({ ...row, id: lease.id }),
          name: "job.progress",
          status: "running",
          data: { progress: lease.progress, progressMessage: lease.progressMessage ?? null },
        });
      }
      return {
        id: lease.id,
        ok: true,
        leaseExpiresAt: new Date(row.lease_expires_at),
        cancelRequested: row.cancel_requested === 1,
      };
    });
    appendJobEvents(db, events, params.now);
    return outcomes;
  });
}

/** The body of a batch completion (inside its IMMEDIATE transaction). */
export function completeRows(db: SqliteConnection, p: CompleteParams): CompletionOutcome[] {
  const batch = JSON.stringify(p.completions.map((c) => [c.id, c.leaseToken, c.resultJson]));
  type Row = [
    id: string,
    status: "completed" | "cancelled",
    tenant: string,
    queue: string,
    type: string,
    attempt: number,
    startedAt: number,
  ];
  const rows = db.rawStmt(jobsSql.COMPLETE_JOBS).all({ batch, now: p.now }) as Row[];
  const done = new Map(rows.map((row) => [row[0], row[1]]));
  appendJobEvents(
    db,
    rows.map(([id, status, tenant, queue, type, attempt, startedAt]) => ({
      jobId: id,
      tenant,
      queue,
      type,
      status,
      name: status === "completed" ? "job.completed" : "job.cancelled",
      data: { attempt, runMs: p.now - startedAt },
    })),
    p.now,
  );
  return p.completions.map((completion): CompletionOutcome => {
    const status = done.get(completion.id);
    return status === undefined
      ? { id: completion.id, ok: false }
      : { id: completion.id, ok: true, status };
  });
}

/** What RELEASE_JOB returns. */
interface ReleasedRow {
  id: string;
  status: "queued" | "cancelled";
  run_at: number;
  tenant: string;
  queue: string;
  type: string;
}

/** Gives running jobs back uncounted; returns the queue of each job released. */
export function releaseJobs(
  db: SqliteConnection,
  params: { leases: readonly { id: string; leaseToken: string }[]; now: number },
): string[] {
  return db.write(() => {
    const released: ReleasedRow[] = [];
    for (const lease of params.leases) {
      const row = db
        .stmt(jobsSql.RELEASE_JOB)
        .get({ id: lease.id, lease_token: lease.leaseToken, now: params.now }) as
        ReleasedRow | undefined;
      if (row !== undefined) released.push(row);
    }
    appendJobEvents(
      db,
      released.map((row) => ({
        ...eventIdentity(row),
        name: row.status === "queued" ? "job.queued" : "job.cancelled",
        status: row.status,
        data: row.status === "queued" ? { runAt: row.run_at, reason: "released" } : {},
      })),
      params.now,
    );
    return released.map((row) => row.queue);
  });
}

/** Ids among `ids` of running jobs whose cancellation was requested. */
export function findCancelRequested(db: SqliteConnection, ids: readonly string[]): string[] {
  if (ids.length === 0) return [];
  return db.guard(
    () =>
      db
        .stmt(jobsSql.SELECT_CANCEL_REQUESTED)
        .pluck()
        .all({ ids: JSON.stringify(ids) }) as string[],
  );
}
