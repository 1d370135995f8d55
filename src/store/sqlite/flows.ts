/**
 * Dependencies and batches on SQLite (SPEC §8; docs/design.md "Dependencies and batches").
 * Submissions with parents or a batch are written in one durable transaction with the jobs
 * (`insertJobs`, so defaults, unique keys and quotas behave as for any submission); the
 * resolver's rounds run in IMMEDIATE transactions, so a release, a cancellation or a batch's
 * `on_complete` is decided and written under the one write lock.
 */
import type { TierPolicy } from "../../core/tiers.js";
import {
  DEPENDENCY_HOLD_RUN_AT,
  checkDependencyIndexes,
  dependencyFailedError,
  holdsForParents,
  type BatchRecord,
} from "../../core/flows.js";
import { uuidv7 } from "../../core/ids.js";
import type { JsonValue } from "../../core/json.js";
import type { JobInput } from "../../core/options.js";
import type { JobState } from "../../core/states.js";
import { batchRecord, checkBatchTenant, parentResult } from "../flow-records.js";
import type { BatchInput, FlowResolution, JobLinks, ParentResults } from "../flow-types.js";
import type { EnqueueOutcome } from "../store.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import { appendJobEvents, eventIdentity, type NewJobEvent } from "./event-log.js";
import { encodeError } from "../shared/job-columns.js";
import { insertJobs } from "./job-inserter.js";
import * as sql from "./sql/flows.js";

type ParentRow = { id: string; tenant: string; status: JobState };

/** Inserts a flow/batch submission (inside a durable write transaction). */
function insertFlow(
  db: SqliteConnection,
  params: {
    jobs: readonly JobInput[];
    batch: BatchInput | null;
    now: number;
    tiers?: TierPolicy | undefined;
  },
): EnqueueOutcome[] {
  const { jobs, batch, now, tiers } = params;
  checkBatchTenant(jobs, batch);
  checkDependencyIndexes(jobs);
  const ids = jobs.flatMap((job) => (job.dependsOn ?? []).flatMap((r) => ("id" in r ? r.id : [])));
  const parents = new Map(
    (
      db.stmt(sql.SELECT_JOB_TENANTS).all({ ids: JSON.stringify([...new Set(ids)]) }) as ParentRow[]
    ).map((row) => [row.id, row]),
  );
  const held = jobs.map((job) => holdsForParents(job, parents));
  const outcomes = insertJobs(
    db,
    jobs.map((job, i) => (held[i] ? { ...job, runAt: DEPENDENCY_HOLD_RUN_AT } : job)),
    now,
    tiers,
  );
  jobs.forEach((job, i) => {
    const outcome = outcomes[i]!;
    if (job.dependsOn === undefined || outcome.duplicate) return;
    job.dependsOn.forEach((ref, position) => {
      const parentId = "id" in ref ? ref.id : outcomes[ref.index]!.job.id;
      db.stmt(sql.INSERT_DEPENDENCY).run({ job_id: outcome.job.id, position, parent_id: parentId });
    });
    if (job.dependsOn.length > 0) db.stmt(sql.MARK_HAS_PARENTS).run({ job_id: outcome.job.id });
    if (held[i]) {
      db.stmt(sql.INSERT_DEPENDENCY_WAIT).run({ job_id: outcome.job.id, tenant: job.tenant, now });
    }
  });
  if (batch !== null) insertBatch(db, batch, outcomes, now);
  return outcomes;
}

function insertBatch(
  db: SqliteConnection,
  batch: BatchInput,
  outcomes: readonly EnqueueOutcome[],
  now: number,
): void {
  const members = [...new Set(outcomes.map((o) => o.job.id))];
  db.stmt(sql.INSERT_BATCH).run({
    id: batch.id,
    tenant: batch.tenant,
    total: members.length,
    on_complete: batch.onComplete === null ? null : JSON.stringify(batch.onComplete),
    now,
  });
  for (const jobId of members)
    db.stmt(sql.INSERT_BATCH_JOB).run({ batch_id: batch.id, job_id: jobId });
}

type WaitRow = {
  job_id: string;
  child_id: string | null;
  child_status: JobState | null;
  child_run_at: number | null;
  total: number;
  completed: number;
  failed_parent: string | null;
};
type MovedRow = { id: string; tenant: string; queue: string; type: string; status: JobState };

/**
 * One resolver round (inside an IMMEDIATE transaction). Returns what it did and the queues that
 * got ready jobs (for wake-ups).
 */
function resolveFlowRows(
  db: SqliteConnection,
  params: { now: number; limit: number },
): FlowResolution & { queues: string[] } {
  const { now, limit } = params;
  const out: FlowResolution & { queues: string[] } = {
    released: 0,
    cancelled: 0,
    batchesFinished: 0,
    onCompleteJobs: [],
    queues: [],
  };
  const events: NewJobEvent[] = [];
  const waits = db
    .stmt(sql.SELECT_RESOLVABLE_WAITS)
    .all({ hold: DEPENDENCY_HOLD_RUN_AT, limit }) as WaitRow[];
  for (const wait of waits) {
    db.stmt(sql.DELETE_DEPENDENCY_WAIT).run({ job_id: wait.job_id });
    if (wait.child_status !== "scheduled" || wait.child_run_at !== DEPENDENCY_HOLD_RUN_AT) continue;
    if (wait.failed_parent !== null) {
      const error = dependencyFailedError(wait.failed_parent);
      const row = db.stmt(sql.CANCEL_HELD_JOB).get({
        id: wait.job_id,
        now,
        hold: DEPENDENCY_HOLD_RUN_AT,
        error: encodeError(error, now),
      }) as MovedRow | undefined;
      if (row === undefined) continue;
      out.cancelled += 1;
      events.push({
        ...eventIdentity(row),
        name: "job.cancelled",
        status: "cancelled",
        data: { error },
      });
    } else {
      const row = db
        .stmt(sql.RELEASE_HELD_JOB)
        .get({ id: wait.job_id, now, hold: DEPENDENCY_HOLD_RUN_AT }) as MovedRow | undefined;
      if (row === undefined) continue;
      out.released += 1;
      out.queues.push(row.queue);
      events.push({
        ...eventIdentity(row),
        name: "job.queued",
        status: "queued",
        data: { runAt: now, reason: "dependencies" },
      });
    }
  }
  appendJobEvents(db, events, now);
  finishBatches(db, now, limit, out);
  return out;
}

function finishBatches(
  db: SqliteConnection,
  now: number,
  limit: number,
  out: FlowResolution & { queues: string[] },
): void {
  type BatchRow = { id: string; tenant: string; on_complete: string | null };
  const batches = db.stmt(sql.SELECT_FINISHABLE_BATCHES).all({ limit }) as BatchRow[];
  for (const batch of batches) {
    const jobId = batch.on_complete === null ? null : uuidv7(now);
    const changed = db.stmt(sql.FINISH_BATCH).run({ id: batch.id, now, job_id: jobId }).changes;
    if (changed !== 1) continue;
    out.batchesFinished += 1;
    if (jobId === null) continue;
    const input = { ...(JSON.parse(batch.on_complete!) as Omit<JobInput, "id">), id: jobId };
    const [outcome] = insertJobs(db, [input], now);
    out.onCompleteJobs.push(outcome!.job);
    if (outcome!.job.status === "queued") out.queues.push(outcome!.job.queue);
  }
}

/** The parents' outcomes of each job of `ids`. */
export function readParentResults(db: SqliteConnection, ids: readonly string[]): ParentResults {
  const results: ParentResults = new Map();
  if (ids.length === 0) return results;
  type Row = {
    job_id: string;
    parent_id: string;
    type: string | null;
    status: JobState | null;
    result: string | null;
  };
  const rows = db.guard(
    () => db.stmt(sql.SELECT_PARENT_RESULTS).all({ ids: JSON.stringify(ids) }) as Row[],
  );
  for (const row of rows) {
    const list = results.get(row.job_id) ?? [];
    list.push(
      parentResult(
        row.parent_id,
        row.type,
        row.status,
        row.result === null ? null : (JSON.parse(row.result) as JsonValue),
      ),
    );
    results.set(row.job_id, list);
  }
  return results;
}

/** A job's batch and parents. */
export function readJobLinks(db: SqliteConnection, id: string): JobLinks {
  return db.guard(() => {
    const parents = db.stmt(sql.SELECT_JOB_PARENTS).all({ id }) as {
      parent_id: string;
      status: JobState | null;
    }[];
    const batchId =
      (db.stmt(sql.SELECT_JOB_BATCH).pluck().get({ id }) as string | undefined) ?? null;
    const held = db.stmt(sql.SELECT_DEPENDENCY_WAIT).get({ id }) !== undefined;
    return {
      batchId,
      dependsOn: parents.map((p) => p.parent_id),
      waitingOn: held ? parents.filter((p) => p.status !== "completed").length : 0,
    };
  });
}

/** A batch with its counts, or null when unknown or another tenant's. */
export function getBatch(
  db: SqliteConnection,
  params: { id: string; tenant?: string },
): BatchRecord | null {
  return db.guard(() => {
    type Row = {
      id: string;
      tenant: string;
      total: number;
      on_complete_job_id: string | null;
      created_at: number;
      finished_at: number | null;
    };
    const row = db.stmt(sql.SELECT_BATCH).get({ id: params.id }) as Row | undefined;
    if (row === undefined || (params.tenant !== undefined && row.tenant !== params.tenant))
      return null;
    const counts = db.stmt(sql.COUNT_BATCH_JOBS).all({ id: row.id }) as {
      status: JobState;
      n: number;
    }[];
    return batchRecord(
      row.id,
      row.tenant,
      row.total,
      counts,
      row.created_at,
      row.finished_at,
      row.on_complete_job_id,
    );
  });
}

/** Submits a flow (see `insertFlow`) in one durable transaction, fsync'd before it returns. */
export function enqueueFlow(
  db: SqliteConnection,
  params: Parameters<typeof insertFlow>[1],
): EnqueueOutcome[] {
  return db.write(() => insertFlow(db, params), { durable: true });
}

/** Resolves held children and batches (see `resolveFlowRows`) in one write transaction. */
export function resolveFlows(
  db: SqliteConnection,
  params: { now: number; limit: number },
): FlowResolution & { queues: string[] } {
  return db.write(() => resolveFlowRows(db, params));
}
