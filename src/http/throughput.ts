/**
 * Per-queue throughput for the dashboard's charts: jobs completed, failed and retried in
 * 10-second buckets over the last hour, counted from the event feed (so it covers every process
 * that writes to the store) since this server started. Memory is bounded: 360 buckets per
 * (tenant, queue) pair seen. Kept in memory rather than queried from the jobs table, so a chart
 * refresh never scans jobs.
 */
import type { StoredJobEvent } from "../store/store.js";

/** Width of one stored bucket, ms. */
export const BUCKET_MS = 10_000;
/** How far back buckets are kept, ms. */
export const HISTORY_MS = 3_600_000;
const SLOTS = HISTORY_MS / BUCKET_MS;

/** One bucket of counts. */
export interface ThroughputCounts {
  completed: number;
  failed: number;
  retried: number;
}

interface Series {
  tenant: string;
  queue: string;
  /** Ring of counts; `starts[i]` is the bucket start the slot holds (ms). */
  counts: ThroughputCounts[];
  starts: number[];
}

/** See the module header. */
export class ThroughputTracker {
  readonly startedAt: number;
  private readonly series = new Map<string, Series>();

  constructor(now: number) {
    this.startedAt = now;
  }

  /** Counts an event (a feed listener). */
  observe = (event: StoredJobEvent): void => {
    const field =
      event.name === "job.completed"
        ? "completed"
        : event.name === "job.failed"
          ? "failed"
          : event.name === "job.retrying"
            ? "retried"
            : null;
    if (field === null) return;
    const key = `${event.tenant}\u0000${event.queue}`;
    let series = this.series.get(key);
    if (series === undefined) {
      series = {
        tenant: event.tenant,
        queue: event.queue,
        counts: Array.from({ length: SLOTS }, () => ({ completed: 0, failed: 0, retried: 0 })),
        starts: new Array<number>(SLOTS).fill(-1),
      };
      this.series.set(key, series);
    }
    const start = Math.floor(event.at.getTime() / BUCKET_MS) * BUCKET_MS;
    const slot = (start / BUCKET_MS) % SLOTS;
    if (series.starts[slot] !== start) {
      series.starts[slot] = start;
      series.counts[slot] = { completed: 0, failed: 0, retried: 0 };
    }
    series.counts[slot]![field] += 1;
  };

  /** Tenants seen in events. */
  tenants(): string[] {
    return [...new Set([...this.series.values()].map((series) => series.tenant))];
  }

  /**
   * Buckets of `bucketMs` (a multiple of 10 s) covering the last `windowMs`, per queue, oldest
   * first; summed over tenants unless `tenant` is given.
   */
  read(params: {
    now: number;
    windowMs: number;
    bucketMs: number;
    tenant?: string;
    queue?: string;
  }): { queue: string; buckets: (ThroughputCounts & { at: number })[] }[] {
    const { now, windowMs, bucketMs } = params;
    const end = Math.floor(now / bucketMs) * bucketMs + bucketMs;
    const first = end - Math.ceil(windowMs / bucketMs) * bucketMs;
    const byQueue = new Map<string, (ThroughputCounts & { at: number })[]>();
    for (const series of this.series.values()) {
      if (params.tenant !== undefined && series.tenant !== params.tenant) continue;
      if (params.queue !== undefined && series.queue !== params.queue) continue;
      let buckets = byQueue.get(series.queue);
      if (buckets === undefined) {
        buckets = [];
        for (let at = first; at < end; at += bucketMs)
          buckets.push({ at, completed: 0, failed: 0, retried: 0 });
        byQueue.set(series.queue, buckets);
      }
      for (let slot = 0; slot < SLOTS; slot++) {
        const start = series.starts[slot]!;
        if (start < first || start >= end) continue;
        const bucket = buckets[Math.floor((start - first) / bucketMs)]!;
        const counts = series.counts[slot]!;
        bucket.completed += counts.completed;
        bucket.failed += counts.failed;
        bucket.retried += counts.retried;
      }
    }
    return [...byQueue.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([queue, buckets]) => ({ queue, buckets }));
  }
}
