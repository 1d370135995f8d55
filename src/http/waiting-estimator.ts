/**
 * `queue_position` and `eta_seconds` for waiting jobs, counted over the job's own tenant only: a
 * tenant must never be able to measure another tenant's backlog or throughput. The position is
 * the tenant's queued jobs ahead in claim order among the next 10,000 of the queue. The ETA is an
 * estimate: `delay until runAt + ceil((position + 1) / concurrency) × recent median run time`,
 * where concurrency is the number of the tenant's jobs of that queue running now (at least 1) and
 * the median comes from the tenant's last 15 minutes of completions (1 s when there are none).
 * Queue statistics are cached for 2 s per tenant so polling clients do not turn into full scans.
 */
import type { JobRecord } from "../core/job.js";
import type { SpoolAdmin } from "../spool-admin.js";
import type { QueueStats } from "../store/store.js";
import type { WaitingEstimate } from "./serialize.js";

const STATS_TTL_MS = 2_000;
const WINDOW_MS = 15 * 60_000;
const DEFAULT_RUN_MS = 1_000;
const MAX_CACHED_TENANTS = 1_000;
/**
 * Positions are counted up to this many (a bounded index range, however long the queue): a
 * `queue_position` of 10,000 means "10,000 or more".
 */
export const POSITION_LIMIT = 10_000;

/** See the module header. */
export class WaitingEstimator {
  private readonly cached = new Map<string, { at: number; byQueue: Map<string, QueueStats> }>();
  private readonly loading = new Map<string, Promise<Map<string, QueueStats>>>();

  constructor(private readonly admin: SpoolAdmin) {}

  /** The estimate for a waiting job; null for jobs that are not waiting. */
  async estimate(job: JobRecord, now: number): Promise<WaitingEstimate | null> {
    if (job.status !== "queued" && job.status !== "scheduled" && job.status !== "retrying")
      return null;
    const [position, stats] = await Promise.all([
      this.admin.jobPosition({ job, limit: POSITION_LIMIT, tenant: job.tenant }),
      this.queueStats(job.tenant, now),
    ]);
    const queue = stats.get(job.queue);
    const runMs = queue?.runMs?.p50 ?? DEFAULT_RUN_MS;
    const concurrency = Math.max(1, queue?.counts.running ?? 0);
    const delayMs = Math.max(0, job.runAt.getTime() - now);
    const etaMs = delayMs + Math.ceil((position + 1) / concurrency) * runMs;
    return { queuePosition: position, etaSeconds: Math.round(etaMs / 100) / 10 };
  }

  private async queueStats(tenant: string, now: number): Promise<Map<string, QueueStats>> {
    const cached = this.cached.get(tenant);
    if (cached !== undefined && now - cached.at < STATS_TTL_MS) return cached.byQueue;
    let loading = this.loading.get(tenant);
    if (loading === undefined) {
      loading = this.admin
        .queueStats({ now, windowMs: WINDOW_MS, tenant })
        .then((list) => {
          const byQueue = new Map(list.map((queue) => [queue.name, queue]));
          // Bounded: many tenants polling at once cost at most this many cached entries.
          if (this.cached.size >= MAX_CACHED_TENANTS) this.cached.clear();
          this.cached.set(tenant, { at: now, byQueue });
          return byQueue;
        })
        .finally(() => this.loading.delete(tenant));
      this.loading.set(tenant, loading);
    }
    return loading;
  }
}
