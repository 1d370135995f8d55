/**
 * The retention pruner's walk over the finished states, shared by both stores: completed, then
 * failed, then cancelled jobs older than their state's cutoff, `limit` rows in all. Each step
 * is its own short write (the store's `deleteBatch`), so pruning a large backlog never holds a
 * lock for long; the pruner calls again while full batches come back.
 */
import type { MaintenanceStore } from "../contract/maintenance.js";

/** Parameters of `pruneFinishedJobs`. */
export type PruneParams = Parameters<MaintenanceStore["pruneFinishedJobs"]>[0];

/** One DELETE of finished jobs in `status` finalized before `before`, at most `limit`. */
export type PruneBatch = (step: {
  status: "completed" | "failed" | "cancelled";
  before: number;
  limit: number;
}) => number | Promise<number>;

/** Deletes finished jobs past their state's cutoff; returns how many. */
export async function pruneByCutoff(params: PruneParams, deleteBatch: PruneBatch): Promise<number> {
  let deleted = 0;
  const cutoffs = [
    ["completed", params.completedBefore],
    ["failed", params.failedBefore],
    ["cancelled", params.cancelledBefore],
  ] as const;
  for (const [status, before] of cutoffs) {
    const limit = params.limit - deleted;
    if (limit <= 0) break;
    deleted += await deleteBatch({ status, before, limit });
  }
  return deleted;
}
