/**
 * `queue_position` and `eta_seconds` for waiting jobs. The position is exact (queued jobs ahead
 * in claim order, all tenants: they share the queue's workers). The ETA is an estimate:
 * `delay until runAt + ceil((position + 1) / concurrency) × recent median run time`, where
 * concurrency is the number of the queue's jobs running now (at least 1) and the median comes
 * from the last 15 minutes of completions (1 s when there are none). Queue statistics are
 * cached for 2 s so polling clients do not turn into full scans.
 */
import type { JobRecord } from "../core/job.js";
import type { QueueStats, Store } from "../store/store.js";
import type { WaitingEstimate } from "./serialize.js";

const STATS_TTL_MS = 2_000;
const WINDOW_MS = 15 * 60_000;
const DEFAULT_RUN_MS = 1_000;
/**
 * Positions are counted up to this many (a bounded index range, however long the queue): a
 * `queue_position` of 10,000 means "10,000 or more".
 */
export const POSITION_LIMIT = 10_000;

/** See the module header. */
export class WaitingEstimator {
  private cached: { at: number; byQueue: Map<string, QueueStats> } | undefined;
  private loading: Promise<Map<string, QueueStats>> | undefined;

  constructor(private readonly store: Store) {}

  /** The estimate for a waiting job; null for jobs that are not waiting. */
  async estimate(job: JobRecord, now: number): Promise<WaitingEstimate | null> {
    if (job.status !== "queued" && job.status !== "scheduled" && job.status !== "retrying")
      return null;
    const [position, stats] = await Promise.all([
      this.store.jobPosition({ job, limit: POSITION_LIMIT }),
      this.queueStats(now),
    ]);
    const queue = stats.get(job.queue);
    const runMs = queue?.runMs?.p50 ?? DEFAULT_RUN_MS;
    const concurrency = Math.max(1, queue?.counts.running ?? 0);
    const delayMs = Math.max(0, job.runAt.getTime() - now);
    const etaMs = delayMs + Math.ceil((position + 1) / concurrency) * runMs;
    return { queuePosition: position, etaSeconds: Math.round(etaMs / 100) / 10 };
  }

  private async queueStats(now: number): Promise<Map<string, QueueStats>> {
    if (this.cached !== undefined && now - this.cached.at < STATS_TTL_MS)
      return this.cached.byQueue;
    this.loading ??= this.store
      .queueStats({ now, windowMs: WINDOW_MS })
      .then((list) => {
        const byQueue = new Map(list.map((queue) => [queue.name, queue]));
        this.cached = { at: now, byQueue };
        return byQueue;
      })
      .finally(() => (this.loading = undefined));
    return this.loading;
  }
}
