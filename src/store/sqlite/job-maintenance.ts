/**
 * Maintenance writes on SQLite that move many jobs at once: promoting due jobs and pruning
 * finished ones (the walk over the cutoffs is shared: ../shared/prune-cutoffs.ts).
 */
import type { MovedJob } from "../store.js";
import { pruneByCutoff, type PruneParams } from "../shared/prune-cutoffs.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import * as jobsSql from "./sql/jobs.js";

/** Moves due scheduled/retrying jobs to queued. */
export function promoteDueJobs(
  db: SqliteConnection,
  params: { now: number; limit: number },
): MovedJob[] {
  return db.guard(
    () =>
      db.stmt(jobsSql.PROMOTE_DUE_JOBS).all({ now: params.now, limit: params.limit }) as MovedJob[],
  );
}

/** Deletes finished jobs past their state's cutoff, at most `limit`; one write per state. */
export function pruneFinishedJobs(db: SqliteConnection, params: PruneParams): Promise<number> {
  return pruneByCutoff(params, (step) =>
    db.write(() => db.stmt(jobsSql.PRUNE_FINISHED).run(step).changes),
  );
}
