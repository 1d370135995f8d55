/**
 * Part of the store contract (`Store`, store.ts, states the conventions).
 * Submitting, inspecting and operator actions on jobs.
 */
import type { JsonValue } from "../../core/json.js";
import type { JobRecord } from "../../core/job.js";
import type { JobInput } from "../../core/options.js";
import type { TierPolicy } from "../../core/tiers.js";
import type { JobState } from "../../core/states.js";

/** The outcome of submitting one job. */
export interface EnqueueOutcome {
  job: JobRecord;
  /** True when an unfinished job with the same unique key existed and was returned instead. */
  duplicate: boolean;
}

/** Filters of `listJobs`. */
export interface JobFilter {
  tenant?: string;
  status?: readonly JobState[];
  queue?: string;
  type?: string;
  tag?: string;
}

/** Counts of jobs in each state. */
export type StateCounts = Record<JobState, number>;

/** Submitting, inspecting and operator actions on jobs. */
export interface JobStore {
  /**
   * Inserts jobs in one transaction (all or nothing), applying queue defaults and charging new
   * (non-duplicate) jobs to their tenant's credits: over a limit (the quota override, else the
   * tier's under `tiers`, default `DEFAULT_TIER_POLICY`), it throws `QuotaExceededError` and
   * writes nothing; exact across processes. With `client`
   * (stores with `transactionalEnqueue` only) the insert runs on the caller's own connection,
   * inside the caller's open transaction, and commits or rolls back with it.
   */
  enqueueJobs(params: {
    jobs: readonly JobInput[];
    now: number;
    client?: unknown;
    tiers?: TierPolicy;
  }): Promise<EnqueueOutcome[]>;
  /**
   * Cancels a job: a waiting job becomes `cancelled` at once; a running one gets
   * `cancelRequested` and ends `cancelled` when its worker stops. Throws `SpoolNotFoundError`
   * (also when `tenant` does not own it) and `SpoolConflictError` when the job is final.
   */
  cancelJob(params: { id: string; tenant?: string; now: number }): Promise<JobRecord>;
  /** Moves a `failed`/`cancelled` job back to `queued` with attempts reset. */
  retryJob(params: { id: string; tenant?: string; now: number }): Promise<JobRecord>;
  /** The job, or null when unknown (or not the tenant's). */
  getJob(params: { id: string; tenant?: string }): Promise<JobRecord | null>;
  /**
   * The results of those of `ids` that are `completed`, by id (one read for a batch of
   * `job.completed` events; ids of other jobs are absent).
   */
  readJobResults(params: { ids: readonly string[] }): Promise<Map<string, JsonValue | null>>;
  /** Jobs newest first, `limit` per page; `cursor` is the previous page's `nextCursor`. */
  listJobs(
    params: JobFilter & { limit: number; cursor?: string },
  ): Promise<{ jobs: JobRecord[]; nextCursor: string | null }>;
  /** Counts of jobs by state. */
  countJobsByState(params: { tenant?: string; queue?: string }): Promise<StateCounts>;
}
