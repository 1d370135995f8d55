/**
 * Dependencies and batches on PostgreSQL (SPEC §8; docs/design.md "Dependencies and batches"),
 * mirroring sqlite/flows.ts. A flow submission is one transaction: the parents' tenants are read
 * with `FOR SHARE` (so a parent cannot be pruned between the check and the edge), then the jobs
 * go through `insertJobs` (defaults, unique keys, quotas), then the edges, holds and batch rows.
 * Resolver rounds are safe to run concurrently (two leaders for a moment, or `runMaintenance`
 * beside the leader): releases and cancellations only change rows still held, and a batch's
 * `on_complete` is inserted by the one transaction whose conditional UPDATE marked it finished.
 */
import type { TierPolicy } from "../../core/tiers.js";
import type pg from "pg";
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
import { insertJobs } from "./job-inserter.js";
import { runStatement, withTransaction, type Queryable, type Statements } from "./postgres-pool.js";

type ParentRow = { id: string; tenant: string; status: JobState };

/** Inserts a flow/batch submission in one transaction. */
export async function insertFlow(
  pool: pg.Pool,
  statements: Statements,
  channel: string,
  params: {
    jobs: readonly JobInput[];
    batch: BatchInput | null;
    now: number;
    tiers?: TierPolicy | undefined;
  },
): Promise<EnqueueOutcome[]> {
  const { jobs, batch, now } = params;
  checkBatchTenant(jobs, batch);
  checkDependencyIndexes(jobs);
  const ids = [
    ...new Set(
      jobs.flatMap((job) => (job.dependsOn ?? []).flatMap((r) => ("id" in r ? r.id : []))),
    ),
  ];
  return withTransaction(pool, async (client) => {
    const found =
      ids.length === 0
        ? []
        : (await runStatement<ParentRow>(client, statements.SELECT_JOB_TENANTS, [ids])).rows;
    const parents = new Map(found.map((row) => [row.id, row]));
    const held = jobs.map((job) => holdsForParents(job, parents));
    const prepared = jobs.map((job, i) =>
      held[i] ? { ...job, runAt: DEPENDENCY_HOLD_RUN_AT } : job,
    );
    const [outcomes] = await insertJobs(client, statements, channel, [
      { jobs: prepared, now, tiers: params.tiers },
    ]);
    await insertLinks(client, statements, jobs, outcomes!, held, now);
    if (batch !== null) await insertBatch(client, statements, batch, outcomes!, now);
    return outcomes!;
  });
}

/** The dependency edges of the new (non-duplicate) children, and the waits of held ones. */
async function insertLinks(
  client: Queryable,
  statements: Statements,
  jobs: readonly JobInput[],
  outcomes: readonly EnqueueOutcome[],
  held: readonly boolean[],
  now: number,
): Promise<void> {
  const edges: [string[], number[], string[]] = [[], [], []];
  const waits: [string[], string[]] = [[], []];
  jobs.forEach((job, i) => {
    const outcome = outcomes[i]!;
    if (job.dependsOn === undefined || outcome.duplicate) return;
    job.dependsOn.forEach((ref, position) => {
      edges[0].push(outcome.job.id);
      edges[1].push(position);
      edges[2].push("id" in ref ? ref.id : outcomes[ref.index]!.job.id);
    });
    if (held[i]) {
      waits[0].push(outcome.job.id);
      waits[1].push(job.tenant);
    }
  });
  if (edges[0].length > 0) await runStatement(client, statements.INSERT_DEPENDENCY, edges);
  if (waits[0].length > 0)
    await runStatement(client, statements.INSERT_DEPENDENCY_WAIT, [...waits, now]);
}

/** The batch row and its members (every job of the call, duplicates included). */
async function insertBatch(
  client: Queryable,
  statements: Statements,
  batch: BatchInput,
  outcomes: readonly EnqueueOutcome[],
  now: number,
): Promise<void> {
  const members = [...new Set(outcomes.map((o) => o.job.id))];
  await runStatement(client, statements.INSERT_BATCH, [
    batch.id,
    batch.tenant,
    members.length,
    batch.onComplete === null ? null : JSON.stringify(batch.onComplete),
    now,
  ]);
  await runStatement(client, statements.INSERT_BATCH_JOB, [batch.id, members]);
}

type WaitRow = {
  job_id: string;
  child_status: JobState | null;
  child_run_at: number | null;
  failed_parent: string | null;
};

/** One resolver round; see the module header. */
export async function resolveFlows(
  pool: pg.Pool,
  statements: Statements,
  channel: string,
  params: { now: number; limit: number },
): Promise<FlowResolution & { queues: string[] }> {
  const { now, limit } = params;
  const out: FlowResolution & { queues: string[] } = {
    released: 0,
    cancelled: 0,
    batchesFinished: 0,
    onCompleteJobs: [],
    queues: [],
  };
  await withTransaction(pool, async (client) => {
    const waits = (
      await runStatement<WaitRow>(client, statements.SELECT_RESOLVABLE_WAITS, [
        DEPENDENCY_HOLD_RUN_AT,
        limit,
      ])
    ).rows;
    if (waits.length === 0) return;
    const active = waits.filter(
      (w) => w.child_status === "scheduled" && w.child_run_at === DEPENDENCY_HOLD_RUN_AT,
    );
    const failing = active.filter((w) => w.failed_parent !== null);
    const releasing = active.filter((w) => w.failed_parent === null).map((w) => w.job_id);
    if (failing.length > 0) {
      const errors = failing.map((w) =>
        JSON.stringify({
          ...dependencyFailedError(w.failed_parent!),
          at: new Date(now).toISOString(),
        }),
      );
      const result = await runStatement(client, statements.CANCEL_HELD_JOB, [
        failing.map((w) => w.job_id),
        errors,
        now,
        DEPENDENCY_HOLD_RUN_AT,
      ]);
      out.cancelled = result.rowCount ?? 0;
    }
    if (releasing.length > 0) {
      const result = await runStatement<{ queue: string }>(client, statements.RELEASE_HELD_JOB, [
        releasing,
        now,
        DEPENDENCY_HOLD_RUN_AT,
        channel,
      ]);
      out.released = result.rows.length;
      out.queues.push(...result.rows.map((row) => row.queue));
    }
    await runStatement(client, statements.DELETE_DEPENDENCY_WAIT, [waits.map((w) => w.job_id)]);
  });
  await finishBatches(pool, statements, channel, now, limit, out);
  return out;
}

async function finishBatches(
  pool: pg.Pool,
  statements: Statements,
  channel: string,
  now: number,
  limit: number,
  out: FlowResolution & { queues: string[] },
): Promise<void> {
  type BatchRow = { id: string; on_complete: Omit<JobInput, "id"> | null };
  const batches = (
    await runStatement<BatchRow>(pool, statements.SELECT_FINISHABLE_BATCHES, [limit])
  ).rows;
  for (const batch of batches) {
    const jobId = batch.on_complete === null ? null : uuidv7(now);
    await withTransaction(pool, async (client) => {
      const marked = await runStatement(client, statements.FINISH_BATCH, [batch.id, now, jobId]);
      if (marked.rows.length !== 1) return;
      out.batchesFinished += 1;
      if (jobId === null) return;
      const [outcomes] = await insertJobs(client, statements, channel, [
        { jobs: [{ ...batch.on_complete!, id: jobId }], now },
      ]);
      const job = outcomes![0]!.job;
      out.onCompleteJobs.push(job);
      if (job.status === "queued") out.queues.push(job.queue);
    });
  }
}

/** The parents' outcomes of each job of `ids`. */
export async function readParentResults(
  pool: pg.Pool,
  statements: Statements,
  ids: readonly string[],
): Promise<ParentResults> {
  const results: ParentResults = new Map();
  if (ids.length === 0) return results;
  type Row = {
    job_id: string;
    parent_id: string;
    type: string | null;
    status: JobState | null;
    result: JsonValue | null;
  };
  const rows = (await runStatement<Row>(pool, statements.SELECT_PARENT_RESULTS, [ids])).rows;
  for (const row of rows) {
    const list = results.get(row.job_id) ?? [];
    list.push(parentResult(row.parent_id, row.type, row.status, row.result));
    results.set(row.job_id, list);
  }
  return results;
}

/** A job's batch and parents. */
export async function readJobLinks(
  pool: pg.Pool,
  statements: Statements,
  id: string,
): Promise<JobLinks> {
  type Row = { batch_id: string | null; held: boolean; parents: string[]; unfinished: number };
  const row = (await runStatement<Row>(pool, statements.SELECT_JOB_LINKS, [id])).rows[0]!;
  return {
    batchId: row.batch_id,
    dependsOn: row.parents,
    waitingOn: row.held ? row.unfinished : 0,
  };
}

/** A batch with its counts, or null when unknown or another tenant's. */
export async function getBatch(
  pool: pg.Pool,
  statements: Statements,
  params: { id: string; tenant?: string },
): Promise<BatchRecord | null> {
  type Row = {
    id: string;
    tenant: string;
    total: number;
    on_complete_job_id: string | null;
    created_at: number;
    finished_at: number | null;
  };
  const row = (await runStatement<Row>(pool, statements.SELECT_BATCH, [params.id])).rows[0];
  if (row === undefined || (params.tenant !== undefined && row.tenant !== params.tenant))
    return null;
  const counts = (
    await runStatement<{ status: JobState; n: number }>(pool, statements.COUNT_BATCH_JOBS, [row.id])
  ).rows;
  return batchRecord(
    row.id,
    row.tenant,
    row.total,
    counts,
    row.created_at,
    row.finished_at,
    row.on_complete_job_id,
  );
}
