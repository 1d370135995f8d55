/** Queue statistics and waiting-job positions on SQLite (GET /queues, queue_position, ETA). */
import type { JobRecord } from "../../core/job.js";
import type { JobState } from "../../core/states.js";
import { buildQueueStats } from "../queue-stats.js";
import type { QueueStats } from "../store.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import { rowToQueue, type QueueRow } from "./job-row.js";
import * as insightsSql from "./sql/insights.js";
import * as queuesSql from "./sql/queues.js";

/**
 * Most recent completions sampled for the percentiles: enough for a stable p95, few enough
 * that a dashboard refresh stays cheap (it reads and sorts this many rows per call).
 */
const SAMPLE_LIMIT = 1_000;

/** Per-queue counts, settings, last-minute throughput and wait/run percentiles. */
export function queueStats(
  db: SqliteConnection,
  params: { now: number; windowMs: number; tenant?: string },
): QueueStats[] {
  return db.guard(() => {
    const tenant = params.tenant ?? null;
    const configs = (db.stmt(queuesSql.SELECT_QUEUES).all() as QueueRow[]).map(rowToQueue);
    const counts = db.stmt(insightsSql.COUNT_BY_QUEUE_AND_STATE).all({ tenant }) as {
      queue: string;
      status: JobState;
      n: number;
    }[];
    const rows = db.stmt(insightsSql.SELECT_RECENT_DURATIONS).all({
      since: params.now - params.windowMs,
      tenant,
      limit: SAMPLE_LIMIT,
    }) as { queue: string; wait_ms: number; run_ms: number }[];
    const samples = rows.map((r) => ({ queue: r.queue, waitMs: r.wait_ms, runMs: r.run_ms }));
    const completedLastMinute = db
      .stmt(insightsSql.COUNT_COMPLETED_SINCE)
      .all({ since: params.now - 60_000, tenant }) as { queue: string; n: number }[];
    return buildQueueStats({ configs, counts, completedLastMinute, samples });
  });
}

/** Queued jobs (of `tenant`, or all) ahead of a waiting job among the next `limit` of its queue. */
export function jobPosition(
  db: SqliteConnection,
  job: Pick<JobRecord, "id" | "queue" | "priority" | "runAt">,
  limit: number,
  tenant: string | null,
): number {
  return db.guard(
    () =>
      db.stmt(insightsSql.COUNT_AHEAD).pluck().get({
        queue: job.queue,
        priority: job.priority,
        run_at: job.runAt.getTime(),
        id: job.id,
        limit,
        tenant,
      }) as number,
  );
}

/** run_at (ms) of the oldest queued job of `queue`, or null when none waits. */
export function oldestQueuedRunAt(db: SqliteConnection, queue: string): number | null {
  return db.guard(
    () =>
      (db.stmt(insightsSql.OLDEST_QUEUED_RUN_AT).pluck().get({ queue }) as number | null) ?? null,
  );
}
