/** Queue statistics and waiting-job positions on PostgreSQL (GET /queues, queue_position, ETA). */
import { isUuid } from "../../core/ids.js";
import { p50p95 } from "../../core/percentiles.js";
import { JOB_STATES, type JobState } from "../../core/states.js";
import type { QueueStats, StateCounts } from "../store.js";
import { rowToQueue, type JobRow, type QueueRow } from "./job-row.js";
import { runStatement, type Queryable, type Statements } from "./postgres-pool.js";

/** Most recent completions sampled for the percentiles. */
const SAMPLE_LIMIT = 5_000;

const emptyCounts = (): StateCounts =>
  Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as StateCounts;

/** Per-queue counts, settings, last-minute throughput and wait/run percentiles. */
export async function queueStats(
  on: Queryable,
  statements: Statements,
  params: { now: number; windowMs: number; tenant?: string },
): Promise<QueueStats[]> {
  const tenant = params.tenant ?? null;
  const [queues, counts, samples] = await Promise.all([
    runStatement<QueueRow>(on, statements.SELECT_QUEUES, []),
    runStatement<{ queue: string; status: JobState; n: number }>(
      on,
      statements.COUNT_BY_QUEUE_AND_STATE,
      [tenant],
    ),
    runStatement<{ queue: string; wait_ms: number; run_ms: number; last_minute: boolean }>(
      on,
      statements.SELECT_RECENT_DURATIONS,
      [params.now - params.windowMs, params.now - 60_000, tenant, SAMPLE_LIMIT],
    ),
  ]);
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
  for (const row of queues.rows) {
    const config = rowToQueue(row);
    Object.assign(entry(config.name), { paused: config.paused, concurrency: config.concurrency });
  }
  for (const row of counts.rows) entry(row.queue).counts[row.status] = row.n;
  const waits = new Map<string, number[]>();
  const runs = new Map<string, number[]>();
  for (const sample of samples.rows) {
    const stats = entry(sample.queue);
    if (sample.last_minute) stats.completedLastMinute += 1;
    push(waits, sample.queue, Math.max(0, sample.wait_ms));
    push(runs, sample.queue, Math.max(0, sample.run_ms));
  }
  for (const stats of byName.values()) {
    stats.waitMs = p50p95(waits.get(stats.name) ?? []);
    stats.runMs = p50p95(runs.get(stats.name) ?? []);
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Queued jobs ahead of a waiting job in its queue; null when the job is not waiting. */
export async function jobPosition(
  on: Queryable,
  statements: Statements,
  id: string,
): Promise<number | null> {
  if (!isUuid(id)) return null;
  const found = await runStatement<JobRow>(on, statements.SELECT_JOB, [id]);
  const row = found.rows[0];
  if (
    row === undefined ||
    (row.status !== "queued" && row.status !== "scheduled" && row.status !== "retrying")
  ) {
    return null;
  }
  const ahead = await runStatement<{ n: number }>(on, statements.COUNT_AHEAD, [
    row.queue,
    row.priority,
    row.run_at,
    row.id,
  ]);
  return ahead.rows[0]!.n;
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
