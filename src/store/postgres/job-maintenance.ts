/**
 * Maintenance writes that move many jobs at once: promoting due jobs and pruning finished ones.
 * Both pick their rows with FOR UPDATE SKIP LOCKED in bounded batches, so maintenance in several
 * processes splits the work, and neither ever waits on (or blocks) a worker's write of a row.
 */
import type { MovedJob } from "../store.js";
import { pruneByCutoff, type PruneParams } from "../shared/prune-cutoffs.js";
import { runStatement, type Queryable, type Statements } from "./postgres-pool.js";

/** Moves up to `limit` due scheduled/retrying jobs to `queued`; notifies their queues. */
export async function promoteDueJobs(
  on: Queryable,
  statements: Statements,
  channel: string,
  params: { now: number; limit: number },
): Promise<MovedJob[]> {
  const result = await runStatement<MovedJob>(on, statements.PROMOTE_DUE_JOBS, [
    params.now,
    params.limit,
    channel,
  ]);
  return result.rows.map(({ id, queue, type, status, attempt }) => ({
    id,
    queue,
    type,
    status,
    attempt,
  }));
}

/**
 * Deletes finished jobs older than their state's retention, at most `limit` rows in all, one
 * DELETE per state (the walk is shared: ../shared/prune-cutoffs.ts). Each DELETE is its own
 * short transaction, so pruning a large backlog never holds locks for long.
 */
export async function pruneFinishedJobs(
  on: Queryable,
  statements: Statements,
  params: PruneParams,
): Promise<number> {
  return pruneByCutoff(params, async ({ status, before, limit }) => {
    const result = await runStatement(on, statements.PRUNE_FINISHED, [status, before, limit]);
    return result.rowCount ?? 0;
  });
}

/** Folds the job-count deltas into the base counts (one statement); returns the rows folded. */
export async function foldJobCounts(on: Queryable, statements: Statements): Promise<number> {
  const result = await runStatement<{ folded: number }>(on, statements.FOLD_JOB_COUNTS, []);
  return result.rows[0]!.folded;
}
