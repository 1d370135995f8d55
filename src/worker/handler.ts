/** What a job handler is and what it receives (SPEC §3). */
import type { ParentResult } from "../core/flows.js";
import type { ClaimedJob } from "../core/job.js";
import type { LogOptions } from "../core/job-logs.js";
import type { Logger } from "../core/logger.js";

/** The second argument of a handler. */
export interface JobContext {
  /** Aborted on timeout, cancellation, a lost lease, or worker shutdown; `signal.reason` says which. */
  signal: AbortSignal;
  /** Reports progress (percent 0–100, optional message ≤ 500 chars); resolves once stored. */
  progress(percent: number, message?: string): Promise<void>;
  /** This attempt's number (1-based). */
  attempt: number;
  /** Id of the worker running the job. */
  workerId: string;
  /** A logger bound to the job. */
  logger: Logger;
  /**
   * Adds a line to the job's log (SPEC §8; `GET /jobs/:id/logs`, `spool logs ID`), stored with
   * this attempt, the time and `options.level` (default `info`). Buffered and written in
   * batches; lines past 2,000 characters are cut. Throws `SpoolValidationError` for a message
   * that is not a string.
   */
  log(message: string, options?: LogOptions): void;
  /** The jobs it depends on (`dependsOn`), in order, with their results; empty for none. */
  parents: readonly ParentResult[];
}

/**
 * Runs one job. Its return value (JSON, ≤ the result limit) becomes `job.result`; throwing fails
 * the attempt (retried with backoff), and throwing `UnrecoverableError` fails the job at once.
 */
export type JobHandler = (job: ClaimedJob, ctx: JobContext) => unknown;

/** Handlers by job type. */
export type HandlerMap = Readonly<Record<string, JobHandler>>;
