/**
 * Part of the store contract (`Store`, store.ts, states the conventions).
 * Per-job log lines.
 */
import type { JobLogLineInput, JobLogPage } from "../../core/job-logs.js";

/** Log lines for one job, written under its lease (`appendJobLogs`). */
export interface JobLogAppend {
  id: string;
  leaseToken: string;
  lines: readonly JobLogLineInput[];
  /**
   * Lines the writer dropped before sending (oldest first, to stay within the cap): their
   * positions are skipped, so readers count them as dropped. Default 0.
   */
  skipped?: number;
}

/** The answer to one append: `ok: false` when the lease token is stale (nothing written). */
export type JobLogAppendOutcome =
  { id: string; ok: true; lastSeq: number } | { id: string; ok: false };

/** Per-job log lines. */
export interface JobLogStore {
  /**
   * Appends log lines to running jobs, each fenced by its lease token (a stale token writes
   * nothing and answers `ok: false`), tagged with the job's current attempt, in one
   * transaction; one outcome per entry, in order. A job keeps its newest `keepLines` lines:
   * older ones are deleted. Logs are deleted with their job (retention).
   */
  appendJobLogs(params: {
    entries: readonly JobLogAppend[];
    keepLines: number;
    now: number;
  }): Promise<JobLogAppendOutcome[]>;
  /**
   * A job's log lines after `afterSeq`, oldest first, at most `limit`; with `attempt`, only
   * that attempt's. Null when the job is unknown (or not `tenant`'s).
   */
  readJobLogs(params: {
    id: string;
    tenant?: string;
    attempt?: number;
    afterSeq: number;
    limit: number;
  }): Promise<JobLogPage | null>;
}
