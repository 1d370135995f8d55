/**
 * `spool.logs(id, options)` (SPEC §8 "Job logs"): the checks of its options and the page it
 * returns, kept out of spool.ts. Lines come oldest first; `after` continues from a line number
 * (`nextAfter` of the previous page), so a follower reads each line once.
 */
import type { JobLogPage } from "./core/job-logs.js";
import { MAX_LOG_LINES_PER_JOB } from "./core/limits.js";
import { assertInteger, assertTenant } from "./core/options.js";
import { SpoolValidationError } from "./core/errors.js";
import type { Store } from "./store/store.js";

/** Options of `spool.logs`. */
export interface LogsOptions {
  /** Only this attempt's lines (1-based). Default: every attempt's. */
  attempt?: number;
  /** Only lines after this line number (`nextAfter` of a previous page). Default 0. */
  after?: number;
  /** Most lines to return, 1–1,000. Default 1,000. */
  limit?: number;
  /** Only when the job is this tenant's (else null, as for an unknown job). */
  tenant?: string;
}

/** One page of a job's log. */
export interface JobLogs extends JobLogPage {
  /** Pass as `after` to read the lines that come next (the given `after` when none came). */
  nextAfter: number;
}

/** Reads a page of the log of job `id` (already checked); null when there is no such job. */
export async function readLogs(
  store: Store,
  id: string,
  options: LogsOptions,
): Promise<JobLogs | null> {
  if (typeof options !== "object" || options === null)
    throw new SpoolValidationError("options", "must be an object");
  const { attempt, after = 0, limit = MAX_LOG_LINES_PER_JOB, tenant } = options;
  if (attempt !== undefined) assertInteger(attempt, "attempt", 1, 1_000_000);
  assertInteger(after, "after", 0, Number.MAX_SAFE_INTEGER);
  assertInteger(limit, "limit", 1, MAX_LOG_LINES_PER_JOB);
  if (tenant !== undefined) assertTenant(tenant);
  const page = await store.readJobLogs({
    id,
    afterSeq: after,
    limit,
    ...(attempt === undefined ? {} : { attempt }),
    ...(tenant === undefined ? {} : { tenant }),
  });
  if (page === null) return null;
  return { ...page, nextAfter: page.lines.at(-1)?.seq ?? after };
}
