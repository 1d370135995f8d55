/** Queue statistics and waiting-job positions on SQLite (GET /queues, queue_position, ETA). */
import { p50p95 } from "../../core/percentiles.js";
import { JOB_STATES, type JobState } from "../../core/states.js";
import type { QueueStats, StateCounts } from "../store.js";
import type { SqliteConnection } from "./connection.js";
import { rowToQueue, type JobRow, type QueueRow } from "./job-row.js";
import * as insightsSql from "./sql/insights.js";
import * as jobsSql from "./sql/jobs.js";
import * as queuesSql from "./sql/queues.js";

/** Most recent completions sampled for the percentiles. */
const SAMPLE_LIMIT = 5_000;

const emptyCounts = (): StateCounts =>
  Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as StateCounts;

/** Per-queue counts, settings, last-minute throughput and wait/run percentiles. */
export function queueStats(
  db: SqliteConnection,
  params: { now: number; windowMs: number; tenant?: string },
): QueueStats[] {
  return db.guard(() => {
    const tenant = params.tenant ?? null;
    const byName = new Map<string, QueueStats>();
    const entry = (name: string): QueueStats => {
      let stats = byName.get(name);
      if (stats === undefined) {
        stats = {
          name,
          counts: emptyCounts(),
          paused: false,
          concurrency: null,
          completedLastMinute: 0,
          waitMs: null,
          runMs: null,
        };
        byName.set(name, stats);
      }
      return stats;
    };
    for (const row of db.stmt(queuesSql.SELECT_QUEUES).all() as QueueRow[]) {
      const config = rowToQueue(row);
      Object.assign(entry(config.name), { paused: config.paused, concurrency: config.concurrency });
    }
    const counts = db.stmt(insightsSql.COUNT_BY_QUEUE_AND_STATE).all({ tenant }) as {
      queue: string;
      status: JobState;
      n: number;
    }[];
    for (const row of counts) entry(row.queue).counts[row.status] = row.n;
    const samples = db.stmt(insightsSql.SELECT_RECENT_DURATIONS).all({
      since: params.now - params.windowMs,
      minute_ago: params.now - 60_000,
      tenant,
      limit: SAMPLE_LIMIT,
    }) as { queue: string; wait_ms: number; run_ms: number; last_minute: number }[];
    const waits = new Map<string, number[]>();
    const runs = new Map<string, number[]>();
    for (const sample of samples) {
      const stats = entry(sample.queue);
      if (sample.last_minute === 1) stats.completedLastMinute += 1;
      push(waits, sample.queue, Math.max(0, sample.wait_ms));
      push(runs, sample.queue, Math.max(0, sample.run_ms));
    }
    for (const stats of byName.values()) {
      stats.waitMs = p50p95(waits.get(stats.name) ?? []);
      stats.runMs = p50p95(runs.get(stats.name) ?? []);
    }
    return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  });
}

/** Queued jobs ahead of a waiting job in its queue; null when the job is not waiting. */
export function jobPosition(db: SqliteConnection, id: string): number | null {
  return db.guard(() => {
    const row = db.stmt(jobsSql.SELECT_JOB).get({ id }) as JobRow | undefined;
    if (
      row === undefined ||
      (row.status !== "queued" && row.status !== "scheduled" && row.status !== "retrying")
    ) {
      return null;
    }
    return db.stmt(insightsSql.COUNT_AHEAD).pluck().get({
      queue: row.queue,
      priority: row.priority,
      run_at: row.run_at,
      id: row.id,
    }) as number;
  });
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
