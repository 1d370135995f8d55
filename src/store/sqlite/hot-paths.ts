/**
 * The two hottest transactions of the SQLite store: claiming a batch of jobs (with due-job
 * promotion, pause and concurrency checks) and completing a batch (one statement). Each logs
 * its events in the same transaction. The store runs them inside cached IMMEDIATE transactions.
 */
import { servedTypes } from "../../core/claim-types.js";
import { randomToken } from "../../core/ids.js";
import { TIMEOUT_GRACE_MS, type ClaimedJob, compareClaimOrder } from "../../core/job.js";
import type { Completion, CompletionOutcome, Store } from "../store.js";
import type { SqliteConnection } from "./connection.js";
import { appendJobEvents, eventIdentity } from "./event-log.js";
import { claimRowToJob, type ClaimRow, type QueueRow } from "./job-row.js";
import * as jobsSql from "./sql/jobs.js";
import * as queuesSql from "./sql/queues.js";

/** Parameters of a claim. */
export type ClaimParams = Parameters<Store["claimJobs"]>[0];
/** Parameters of a batch completion. */
export type CompleteParams = { completions: readonly Completion[]; now: number };

/** The body of a claim (inside its IMMEDIATE transaction). */
export function claimRows(db: SqliteConnection, p: ClaimParams): ClaimedJob[] {
  const claimed: ClaimedJob[] = [];
  const leaseToken = randomToken();
  const types = servedTypes(p.types);
  if (types?.length === 0) return claimed;
  for (const queue of p.queues) {
    let limit = p.limit - claimed.length;
    if (limit <= 0) break;
    const config = db.stmt(queuesSql.SELECT_QUEUE).get({ name: queue }) as QueueRow | undefined;
    if (config?.paused === 1) continue;
    if (config?.concurrency != null) {
      const running = db.stmt(jobsSql.COUNT_RUNNING_IN_QUEUE).pluck().get({ queue }) as number;
      limit = Math.min(limit, config.concurrency - running);
      if (limit <= 0) continue;
    }
    db.stmt(jobsSql.PROMOTE_DUE_IN_QUEUE).run({ queue, now: p.now, limit });
    const statement = types === undefined ? jobsSql.CLAIM_JOBS : jobsSql.CLAIM_JOBS_OF_TYPES;
    const rows = db.rawStmt(statement).all({
      queue,
      ...(types === undefined ? {} : { types: JSON.stringify(types) }),
      tenant: p.tenant ?? null,
      limit,
      worker: p.workerId,
      lease_token: leaseToken,
      now: p.now,
      lease_ms: p.leaseMs,
      grace_ms: TIMEOUT_GRACE_MS,
    }) as ClaimRow[];
    const jobs = rows.map(claimRowToJob).sort(compareClaimOrder);
    for (const job of jobs) claimed.push(job);
  }
  appendJobEvents(
    db,
    claimed.map((job) => ({
      ...eventIdentity(job),
      name: "job.started",
      status: "running",
      data: {
        attempt: job.attempt,
        worker: p.workerId,
        waitMs: Math.max(0, p.now - job.runAt.getTime()),
      },
    })),
    p.now,
  );
  return claimed;
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
