/**
 * Part of the store contract (`Store`, store.ts, states the conventions).
 * Queue settings and what queues are doing.
 */
import type { JobRecord } from "../../core/job.js";
import type { RateLimit } from "../../core/traffic.js";
import type { WorkerPresence } from "../../core/worker-presence.js";
import type { StateCounts } from "./jobs.js";

/** Per-queue settings (admin-controlled). Null fields fall back to Spool's defaults. */
export interface QueueConfig {
  name: string;
  paused: boolean;
  /** Most jobs of this queue running at once across all processes; null = unlimited. */
  concurrency: number | null;
  /** Default per-attempt timeout of new jobs, ms. */
  timeoutMs: number | null;
  /** Default max attempts of new jobs. */
  maxAttempts: number | null;
  backoffBaseMs: number | null;
  backoffCapMs: number | null;
  updatedAt: Date;
  /** At most `limit` job starts per `periodMs` across all processes (SPEC §7); null = none. */
  rateLimit: RateLimit | null;
  /** Most running jobs per concurrency key across all processes (SPEC §7); null = no cap. */
  keyConcurrency: number | null;
}

/** Changeable queue settings; `undefined` leaves a field alone, `null` clears it. */
export type QueuePatch = Partial<Omit<QueueConfig, "name" | "updatedAt">>;

/** Percentiles of a duration, ms. */
export interface DurationPercentiles {
  p50: number;
  p95: number;
}

/** What a queue is doing (GET /queues). */
export interface QueueStats {
  name: string;
  counts: StateCounts;
  paused: boolean;
  concurrency: number | null;
  /** Jobs completed in the last 60 s. */
  completedLastMinute: number;
  /** Time from runAt to start, over recently started jobs; null when there are none. */
  waitMs: DurationPercentiles | null;
  /** Run time of recently completed jobs; null when there are none. */
  runMs: DurationPercentiles | null;
}

/** What a store knows about a queue that explains why its jobs wait (see core/waiting-reason.ts). */
export interface QueueWaitingFacts {
  paused: boolean;
  concurrency: number | null;
  /** Jobs of the queue running now. */
  running: number;
  /** When the rate limit allows the next start (ms); null when it allows one now or has none. */
  rateLimitedUntil: number | null;
  keyConcurrency: number | null;
  /** Running jobs of the asked-for concurrency key (0 without one). */
  keyRunning: number;
  /** What every live worker serves (the caller picks the ones that serve a job). */
  workers: Pick<WorkerPresence, "queues" | "types" | "tenant">[];
}

/** Queue settings and what queues are doing. */
export interface QueueStore {
  /** Settings of every configured queue and of every queue that has jobs. */
  listQueues(): Promise<QueueConfig[]>;
  /** Changes a queue's settings (creating its row on first use). */
  updateQueue(params: { name: string; patch: QueuePatch; now: number }): Promise<QueueConfig>;
  /** Per-queue counts, settings, throughput and wait/run-time percentiles over `windowMs`. */
  queueStats(params: { now: number; windowMs: number; tenant?: string }): Promise<QueueStats[]>;
  /**
   * run_at (ms since the epoch) of the oldest `queued` job of `queue` (every tenant's), or null
   * when none waits. Exact, and read through the claim index: its cost does not grow with the
   * backlog (GET /queues `oldest_waiting_at`).
   */
  oldestQueuedRunAt(params: { queue: string }): Promise<number | null>;
  /**
   * How many queued jobs of the same queue come before a waiting job in claim order, among the
   * next `limit` jobs in line (a result of `limit` means "that many or more"), so that the cost
   * stays bounded however long the queue is. With `tenant`, only that tenant's jobs are counted
   * (a tenant must not learn another's backlog); without, every tenant's.
   */
  jobPosition(params: {
    job: Pick<JobRecord, "id" | "queue" | "priority" | "runAt">;
    limit: number;
    tenant?: string;
  }): Promise<number>;
  /** A queue's pause, limit and running count, and the live workers, in one read. */
  queueWaitingFacts(params: {
    queue: string;
    now: number;
    concurrencyKey?: string | null;
  }): Promise<QueueWaitingFacts>;
}
