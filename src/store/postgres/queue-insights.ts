/** Queue statistics and waiting-job positions on PostgreSQL (GET /queues, queue_position, ETA). */
import type { JobRecord } from "../../core/job.js";
import type { JobState } from "../../core/states.js";
import { buildQueueStats } from "../queue-stats.js";
import type { QueueStats } from "../store.js";
import { rowToQueue, type QueueRow } from "./job-row.js";
import { runStatement, type Queryable, type Statements } from "./postgres-pool.js";

/**
 * Most recent completions sampled for the percentiles: enough for a stable p95, few enough
 * that a dashboard refresh stays cheap (it reads and sorts this many rows per call).
 */
const SAMPLE_LIMIT = 1_000;

/** Per-queue counts, settings, last-minute throughput and wait/run percentiles. */
export async function queueStats(
  on: Queryable,
  statements: Statements,
  params: { now: number; windowMs: number; tenant?: string },
): Promise<QueueStats[]> {
  const tenant = params.tenant ?? null;
  const [queues, counts, samples, completed] = await Promise.all([
    runStatement<QueueRow>(on, statements.SELECT_QUEUES, []),
    runStatement<{ queue: string; status: JobState; n: number }>(
      on,
      statements.COUNT_BY_QUEUE_AND_STATE,
      [tenant],
    ),
    runStatement<{ queue: string; wait_ms: number; run_ms: number }>(
      on,
      statements.SELECT_RECENT_DURATIONS,
      [params.now - params.windowMs, tenant, SAMPLE_LIMIT],
    ),
    runStatement<{ queue: string; n: number }>(on, statements.COUNT_COMPLETED_SINCE, [
      params.now - 60_000,
      tenant,
    ]),
  ]);
  return buildQueueStats({
    configs: queues.rows.map(rowToQueue),
    counts: counts.rows,
    completedLastMinute: completed.rows,
    samples: samples.rows.map((r) => ({
      queue: r.queue,
      waitMs: Number(r.wait_ms),
      runMs: Number(r.run_ms),
    })),
  });
}

/** Queued jobs (of `tenant`, or all) ahead of a waiting job among the next `limit` of its queue. */
export async function jobPosition(
  on: Queryable,
  statements: Statements,
  job: Pick<JobRecord, "id" | "queue" | "priority" | "runAt">,
  limit: number,
  tenant: string | null,
): Promise<number> {
  const ahead = await runStatement<{ n: number }>(on, statements.COUNT_AHEAD, [
    job.queue,
    job.priority,
    job.runAt.getTime(),
    job.id,
    limit,
    tenant,
  ]);
  return ahead.rows[0]!.n;
}

/** run_at (ms) of the oldest queued job of `queue`, or null when none waits. */
export async function oldestQueuedRunAt(
  on: Queryable,
  statements: Statements,
  queue: string,
): Promise<number | null> {
  const rows = await runStatement<{ run_at: string | null }>(on, statements.OLDEST_QUEUED_RUN_AT, [
    queue,
  ]);
  const value = rows.rows[0]?.run_at ?? null;
  return value === null ? null : Number(value);
}
