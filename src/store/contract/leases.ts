/**
 * Part of the store contract (`Store`, store.ts, states the conventions).
 * The worker's lease-fenced calls: claim, renew, complete, fail, release.
 */
import type { ClaimedJob, JobErrorEntry } from "../../core/job.js";
import type { FailureOutcome } from "../../core/transitions.js";

/** A lease renewal, optionally carrying progress. */
export interface LeaseRenewal {
  id: string;
  leaseToken: string;
  progress?: number;
  /** Set to write the message (null clears it); leave undefined to keep the stored one. */
  progressMessage?: string | null;
}

/** The answer to one renewal. */
export type LeaseRenewalOutcome =
  | { id: string; ok: true; leaseExpiresAt: Date; cancelRequested: boolean }
  | { id: string; ok: false };

/** A successful attempt to record. */
export interface Completion {
  id: string;
  leaseToken: string;
  /** The handler's result, already encoded as JSON (null for none). */
  resultJson: string | null;
}

/** The answer to one completion: `cancelled` when cancellation was asked for meanwhile. */
export type CompletionOutcome =
  { id: string; ok: true; status: "completed" | "cancelled" } | { id: string; ok: false };

/** A failed attempt to record; `outcome` comes from `nextOnFailure`. */
export interface Failure {
  id: string;
  leaseToken: string;
  error: Omit<JobErrorEntry, "at">;
  outcome: FailureOutcome;
}

/** The answer to one failure: the state the job moved to, or `ok: false` for a stale token. */
export type FailedAttemptOutcome =
  | { id: string; ok: true; status: "retrying" | "failed" | "cancelled"; runAt: Date }
  | { id: string; ok: false };

/** The worker's lease-fenced calls: claim, renew, complete, fail, release. */
export interface LeaseStore {
  /**
   * Claims up to `limit` ready jobs from `queues` (taken in the order given), each by priority
   * (high first), then runAt, then id. Skips paused queues and honours each queue's concurrency
   * limit across all processes. Jobs due by `now` in `scheduled`/`retrying` are claimable too.
   * With `tenant`, only that tenant's jobs are claimed (tenant-scoped remote workers).
   * With `types`, only jobs of those types, in the same order across all of them (undefined or
   * a list containing `"*"`: any type; an empty list: none). Jobs of other types stay queued,
   * untouched, and cost the claim nothing however many there are.
   */
  claimJobs(params: {
    queues: readonly string[];
    workerId: string;
    limit: number;
    leaseMs: number;
    now: number;
    tenant?: string;
    types?: readonly string[];
  }): Promise<ClaimedJob[]>;
  /**
   * Extends leases (never past the attempt's timeout) and saves progress; reports cancellations.
   * Returns one outcome per lease, in the order given.
   */
  extendLeases(params: {
    leases: readonly LeaseRenewal[];
    leaseMs: number;
    now: number;
  }): Promise<LeaseRenewalOutcome[]>;
  /** Records successful attempts in one transaction; one outcome per completion, in order. */
  completeJobs(params: {
    completions: readonly Completion[];
    now: number;
  }): Promise<CompletionOutcome[]>;
  /**
   * Records failed attempts in one transaction, each fenced by its lease token (a stale token
   * writes nothing and answers `ok: false`); one outcome per failure, in order.
   */
  failJobs(params: { failures: readonly Failure[]; now: number }): Promise<FailedAttemptOutcome[]>;
  /** Gives running jobs back without counting the attempt (graceful shutdown). Returns how many. */
  releaseJobs(params: {
    leases: readonly { id: string; leaseToken: string }[];
    now: number;
  }): Promise<number>;
  /** Ids among `ids` whose cancellation was requested (for workers polling for cancels). */
  findCancelRequested(params: { ids: readonly string[] }): Promise<string[]>;
}
