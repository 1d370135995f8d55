/**
 * Parameters and results of the store's flow and batch operations (SPEC §8; the operations are
 * declared in store.ts, the pure rules live in core/flows.ts).
 */
import type { ParentResult } from "../core/flows.js";
import type { JobRecord } from "../core/job.js";
import type { JobInput } from "../core/options.js";

/** A batch to create with a submission. */
export interface BatchInput {
  id: string;
  /** Owner; every job of the batch belongs to it. */
  tenant: string;
  /** Validated job enqueued once every job of the batch is final (its id is made then). */
  onComplete: Omit<JobInput, "id"> | null;
}

/** What one `resolveFlows` round did. */
export interface FlowResolution {
  /** Held jobs whose parents all completed: now `queued`. */
  released: number;
  /** Held jobs cancelled with `DependencyFailed` (a parent failed, was cancelled or is gone). */
  cancelled: number;
  /** Batches whose jobs are all final, marked finished by this round. */
  batchesFinished: number;
  /** `onComplete` jobs enqueued by this round (one per finished batch that has one). */
  onCompleteJobs: JobRecord[];
}

/** A job's place in flows and batches (GET /jobs/:id). */
export interface JobLinks {
  /** The batch the job was submitted in, or null. */
  batchId: string | null;
  /** Its parents' ids, in the order given. */
  dependsOn: string[];
  /** Parents not completed yet (0 when none or when the job is not held). */
  waitingOn: number;
}

/** Parents' outcomes by child job id (children without parents are absent). */
export type ParentResults = Map<string, ParentResult[]>;
