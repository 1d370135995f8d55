/**
 * What remote workers do through the HTTP API (SPEC §2 worker routes), in queue terms: claim,
 * renew leases, complete, fail, append log lines, and keep their presence rows. Every call reads
 * the Spool instance's clock (a caller may pass the `now` it already read, so that one request
 * uses one instant), and failures back off with the instance's random source.
 */
import type { Clock } from "./core/clock.js";
import type { ClaimedJob, JobRecord } from "./core/job.js";
import { nextOnFailure } from "./core/transitions.js";
import type { WorkerPresence } from "./core/worker-presence.js";
import type { ParentResults } from "./store/flow-types.js";
import { failOneJob } from "./store/shared/failed-attempts.js";
import type { Failure, Store } from "./store/store.js";

/** A store call's params with `now` optional (default: the instance's clock). */
export type AtNow<P> = Omit<P, "now"> & { now?: number };

type Params<K extends keyof Store> = Store[K] extends (params: infer P) => unknown ? P : never;
type Result<K extends keyof Store> = Store[K] extends (...args: never[]) => infer R ? R : never;

/** A remote worker's failed attempt: the job as claimed, its lease token and the error. */
export interface RemoteFailure {
  job: JobRecord;
  leaseToken: string;
  error: Failure["error"];
  /** False fails the job at once; otherwise it retries with backoff while attempts remain. */
  retryable: boolean;
}

/** The remote-worker calls of one Spool instance (`spool.remoteWorkers`). */
export class SpoolWorkers {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly random: () => number,
  ) {}

  /** Leases up to `limit` jobs of `queues` to `workerId` (fenced by each job's lease token). */
  claimJobs(params: AtNow<Params<"claimJobs">>): Promise<ClaimedJob[]> {
    return this.store.claimJobs({ ...params, now: params.now ?? this.clock.now() });
  }

  /** The results of the parents of jobs that have parents, by job id (one read per claim). */
  async parentResults(jobs: readonly ClaimedJob[]): Promise<ParentResults> {
    const ids = jobs.filter((job) => job.hasParents !== false).map((job) => job.id);
    return ids.length === 0 ? new Map() : this.store.readParentResults({ ids });
  }

  /** Renews leases (and records progress); one outcome per lease, in order. */
  extendLeases(params: AtNow<Params<"extendLeases">>): Result<"extendLeases"> {
    return this.store.extendLeases({ ...params, now: params.now ?? this.clock.now() });
  }

  /** Records successful attempts; one outcome per completion, in order. */
  completeJobs(params: AtNow<Params<"completeJobs">>): Result<"completeJobs"> {
    return this.store.completeJobs({ ...params, now: params.now ?? this.clock.now() });
  }

  /** Records a failed attempt: retried with backoff, or failed when it may not retry. */
  failJob(failure: RemoteFailure): ReturnType<typeof failOneJob> {
    const now = this.clock.now();
    const { job, leaseToken, error, retryable } = failure;
    const outcome = nextOnFailure(job, { retryable }, now, this.random);
    return failOneJob(this.store, { id: job.id, leaseToken, error, outcome, now });
  }

  /** Appends log lines to running jobs (fenced by their lease tokens). */
  appendJobLogs(params: AtNow<Params<"appendJobLogs">>): Result<"appendJobLogs"> {
    return this.store.appendJobLogs({ ...params, now: params.now ?? this.clock.now() });
  }

  /** Writes a worker's presence row (first claim, or again after it was pruned). */
  registerWorker(params: AtNow<Params<"registerWorker">>): Promise<WorkerPresence> {
    return this.store.registerWorker({ ...params, now: params.now ?? this.clock.now() });
  }

  /** Marks workers as seen; returns the ids that have no row any more (must register again). */
  heartbeatWorkers(params: AtNow<Params<"heartbeatWorkers">>): Promise<string[]> {
    return this.store.heartbeatWorkers({ ...params, now: params.now ?? this.clock.now() });
  }

  /** Calls `listener(queue)` when jobs may be ready in a queue; returns the unsubscribe. */
  onJobsAvailable(listener: Parameters<Store["onJobsAvailable"]>[0]): () => void {
    return this.store.onJobsAvailable(listener);
  }
}
