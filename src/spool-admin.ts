/**
 * What the HTTP API's admin, console and read routes need beyond the library's own calls, in
 * queue terms: the store's health, API keys, per-queue statistics, a waiting job's position and
 * reason, a job's links. Every call that needs "now" reads the Spool instance's clock unless the
 * caller passes the instant it already read.
 */
import type { Clock } from "./core/clock.js";
import type { JobRecord } from "./core/job.js";
import type { WaitingReason } from "./core/waiting-reason.js";
import type { JobLinks } from "./store/flow-types.js";
import type { ApiKeyRecord, QueueStats, StateCounts, Store } from "./store/store.js";
import { readWaitingReason } from "./store/waiting-reason-reader.js";
import type { AtNow } from "./spool-workers.js";

type Params<K extends keyof Store> = Store[K] extends (params: infer P) => unknown ? P : never;

/** The admin and read calls of one Spool instance (`spool.admin`). */
export class SpoolAdmin {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** Resolves when the store answers (readiness). */
  ping(): Promise<void> {
    return this.store.ping();
  }

  /** Stores a new API key (its hash only). */
  createApiKey(params: AtNow<Params<"createApiKey">>): Promise<ApiKeyRecord> {
    return this.store.createApiKey({ ...params, now: params.now ?? this.clock.now() });
  }

  /** The key with this hash, or null. */
  findApiKey(params: { hash: string }): Promise<ApiKeyRecord | null> {
    return this.store.findApiKey(params);
  }

  /** Every key, newest first. */
  listApiKeys(): Promise<ApiKeyRecord[]> {
    return this.store.listApiKeys();
  }

  /** Revokes a key; throws `SpoolNotFoundError` for an unknown id. */
  revokeApiKey(id: string): Promise<ApiKeyRecord> {
    return this.store.revokeApiKey({ id, now: this.clock.now() });
  }

  /** Per-queue counts, rates and latencies over the last `windowMs`. */
  queueStats(params: AtNow<Params<"queueStats">>): Promise<QueueStats[]> {
    return this.store.queueStats({ ...params, now: params.now ?? this.clock.now() });
  }

  /** run_at (ms) of the oldest queued job of `queue`, or null when none waits. */
  oldestQueuedRunAt(queue: string): Promise<number | null> {
    return this.store.oldestQueuedRunAt({ queue });
  }

  /** Counts of jobs by state (one tenant's / queue's with the filters). */
  countJobsByState(params: { tenant?: string; queue?: string }): Promise<StateCounts> {
    return this.store.countJobsByState(params);
  }

  /** How many jobs come before a waiting job in claim order, among the next `limit`. */
  jobPosition(params: Params<"jobPosition">): Promise<number> {
    return this.store.jobPosition(params);
  }

  /** Why a waiting job has not started at `now`; null when it is running or final. */
  waitingReasonOf(job: JobRecord, now: number = this.clock.now()): Promise<WaitingReason | null> {
    return readWaitingReason(this.store, job, now);
  }

  /** A job's batch and parents. */
  jobLinks(id: string): Promise<JobLinks> {
    return this.store.readJobLinks({ id });
  }
}
