/**
 * Part of the store contract (`Store`, store.ts, states the conventions).
 * Flows: dependencies and batches.
 */
import type { BatchRecord } from "../../core/flows.js";
import type { JobInput } from "../../core/options.js";
import type { TierPolicy } from "../../core/tiers.js";
import type { BatchInput, FlowResolution, JobLinks, ParentResults } from "../flow-types.js";
import type { EnqueueOutcome } from "./jobs.js";

/** Flows: dependencies and batches. */
export interface FlowStore {
  /**
   * Submits jobs with dependencies and/or as a batch, in one transaction (all or nothing), with
   * `enqueueJobs`' defaults, unique keys and quotas. Each `dependsOn` id must be a job of the
   * child's tenant (else `SpoolValidationError` naming `dependsOnField[k]`, exactly as for an
   * unknown id); index references must name earlier jobs of the call. A child with an unfinished
   * parent is held (core/flows.ts). With `batch`, every job (duplicates included) joins it.
   */
  enqueueFlow(params: {
    jobs: readonly JobInput[];
    batch: BatchInput | null;
    now: number;
    /** The tier policy the new jobs are charged under, as for `enqueueJobs`. */
    tiers?: TierPolicy | undefined;
  }): Promise<EnqueueOutcome[]>;
  /**
   * One round of the dependency resolver (at most `limit` held jobs and `limit` batches): held
   * jobs whose parents all completed become `queued`; those with a failed, cancelled or missing
   * parent end `cancelled` with `DependencyFailed` (their own children follow next round);
   * batches whose jobs are all final are marked finished and their `onComplete` job enqueued,
   * exactly once by construction (a conditional update in the inserting transaction).
   */
  resolveFlows(params: { now: number; limit: number }): Promise<FlowResolution>;
  /** The parents' outcomes of each job of `ids` that has parents, in the order they were given. */
  readParentResults(params: { ids: readonly string[] }): Promise<ParentResults>;
  /** A job's batch and parents. */
  readJobLinks(params: { id: string }): Promise<JobLinks>;
  /** A batch with its counts by state, or null when unknown (or not the tenant's). */
  getBatch(params: { id: string; tenant?: string }): Promise<BatchRecord | null>;
}
