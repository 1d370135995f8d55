/**
 * Records of flows and batches built the same way by every store: a parent's outcome, a batch
 * with its counts, and the batch-tenant check of a submission.
 */
import { SpoolValidationError } from "../core/errors.js";
import {
  batchProgress,
  type BatchCounts,
  type BatchRecord,
  type ParentResult,
} from "../core/flows.js";
import type { JsonValue } from "../core/json.js";
import type { JobInput } from "../core/options.js";
import { JOB_STATES, isFinalState, type JobState } from "../core/states.js";
import type { BatchInput } from "./flow-types.js";

/** Throws unless every job of the batch belongs to the batch's tenant. */
export function checkBatchTenant(jobs: readonly JobInput[], batch: BatchInput | null): void {
  if (batch === null) return;
  jobs.forEach((job, i) => {
    if (job.tenant !== batch.tenant)
      throw new SpoolValidationError(`jobs[${i}].tenant`, "must be the batch's tenant");
  });
}

/** A parent's outcome; a pruned parent reads as completed with its type unknown. */
export function parentResult(
  id: string,
  type: string | null,
  status: JobState | null,
  result: JsonValue | null,
): ParentResult {
  return { id, type: type ?? "", status: status ?? "completed", result };
}

/** Builds a batch record from its row's fields and counts (shared with the PostgreSQL store). */
export function batchRecord(
  id: string,
  tenant: string,
  total: number,
  rows: readonly { status: JobState; n: number }[],
  createdAt: number,
  finishedAt: number | null,
  onCompleteJobId: string | null,
): BatchRecord {
  const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as BatchCounts;
  let present = 0;
  for (const { status, n } of rows) {
    counts[status] = Number(n);
    present += Number(n);
  }
  // Members pruned by retention were final when they went.
  const finished =
    JOB_STATES.filter(isFinalState).reduce((sum, s) => sum + counts[s], 0) + (total - present);
  return {
    id,
    tenant,
    total,
    counts,
    finished,
    progress: batchProgress(finished, total),
    createdAt: new Date(createdAt),
    finishedAt: finishedAt === null ? null : new Date(finishedAt),
    onCompleteJobId,
  };
}
