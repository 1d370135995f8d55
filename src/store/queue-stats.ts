/**
 * Assembles `QueueStats` from what each store reads (settings, counts by state, recent run and
 * wait times), so the aggregation is written once for every store.
 */
import { p50p95 } from "../core/percentiles.js";
import { JOB_STATES, type JobState } from "../core/states.js";
import type { QueueConfig, QueueStats, StateCounts } from "./store.js";

/** A recently completed job's timings. */
export interface DurationSample {
  queue: string;
  waitMs: number;
  runMs: number;
}

/** Every queue that has settings, jobs or samples, sorted by name. */
export function buildQueueStats(input: {
  configs: readonly QueueConfig[];
  counts: readonly { queue: string; status: JobState; n: number }[];
  /** Jobs completed in the last 60 s, per queue (counted exactly, not from the samples). */
  completedLastMinute: readonly { queue: string; n: number }[];
  samples: readonly DurationSample[];
}): QueueStats[] {
  const byName = new Map<string, QueueStats>();
  const waits = new Map<string, number[]>();
  const runs = new Map<string, number[]>();
  const entry = (name: string): QueueStats => {
    let stats = byName.get(name);
    if (stats === undefined) {
      const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as StateCounts;
      stats = {
        name,
        counts,
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
  for (const config of input.configs)
    Object.assign(entry(config.name), { paused: config.paused, concurrency: config.concurrency });
  for (const row of input.counts) entry(row.queue).counts[row.status] = row.n;
  for (const row of input.completedLastMinute) entry(row.queue).completedLastMinute = row.n;
  for (const sample of input.samples) {
    entry(sample.queue);
    append(waits, sample.queue, Math.max(0, sample.waitMs));
    append(runs, sample.queue, Math.max(0, sample.runMs));
  }
  for (const stats of byName.values()) {
    stats.waitMs = p50p95(waits.get(stats.name) ?? []);
    stats.runMs = p50p95(runs.get(stats.name) ?? []);
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function append(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
