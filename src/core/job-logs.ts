/**
 * Job logs (SPEC §8): lines a handler (`ctx.log`) or a remote worker (`POST /jobs/:id/logs`)
 * writes while it holds a job's lease, stored per attempt. Pure: the types, and the checks both
 * entry points share.
 *
 * The cap: a job keeps its newest `MAX_LOG_LINES_PER_JOB` lines and drops the oldest first, as
 * BullMQ's `keepLogs` and River's `riverlog` do — the lines that explain how an attempt ended
 * are the last ones, so they must be the ones kept. Readers see how many were dropped.
 */
import { SpoolValidationError } from "./errors.js";
import { LOG_LEVELS, MAX_LOG_LINE_CHARS } from "./limits.js";

/** Level of a log line. */
export type JobLogLevel = (typeof LOG_LEVELS)[number];

/** A line to store: what was logged, at what level, when (ms since the epoch). */
export interface JobLogLineInput {
  message: string;
  level: JobLogLevel;
  at: number;
}

/** A stored line. */
export interface JobLogLine {
  /** Position in the job's log: 1 for its first line ever, increasing across attempts. */
  seq: number;
  /** The attempt that wrote it (1-based). */
  attempt: number;
  level: JobLogLevel;
  message: string;
  at: Date;
}

/** One page of a job's log, oldest line first. */
export interface JobLogPage {
  lines: JobLogLine[];
  /** True when lines after the last one returned exist (and match the filter). */
  hasMore: boolean;
  /** Lines of this job dropped (oldest first) to stay within the per-job cap. */
  droppedLines: number;
}

/** Options of `ctx.log`. */
export interface LogOptions {
  /** Default `info`. */
  level?: JobLogLevel;
}

const TRUNCATED = "… [truncated]";

/** True for one of `LOG_LEVELS`. */
export function isLogLevel(value: unknown): value is JobLogLevel {
  return typeof value === "string" && (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * Checks a `ctx.log(message, options)` call and returns the line to store. A line longer than
 * `MAX_LOG_LINE_CHARS` is cut (with a marker) rather than refused: a handler's log call must not
 * fail its job. Anything that is not a string is refused (`SpoolValidationError`).
 */
export function validateLogCall(
  message: unknown,
  options: unknown,
): { message: string; level: JobLogLevel } {
  if (typeof message !== "string") throw new SpoolValidationError("message", "must be a string");
  let level: JobLogLevel = "info";
  if (options !== undefined) {
    if (typeof options !== "object" || options === null)
      throw new SpoolValidationError("options", "must be an object");
    const given = (options as { level?: unknown }).level;
    if (given !== undefined) {
      if (!isLogLevel(given))
        throw new SpoolValidationError("level", `must be one of ${LOG_LEVELS.join(", ")}`);
      level = given;
    }
  }
  const text =
    message.length > MAX_LOG_LINE_CHARS
      ? message.slice(0, MAX_LOG_LINE_CHARS - TRUNCATED.length) + TRUNCATED
      : message;
  return { message: text, level };
}

/**
 * The newest `keepLines` of `lines` and how many line numbers the store must skip for the ones
 * dropped here (on top of `skipped`, those the writer already dropped), so that readers count
 * every dropped line.
 */
export function keepNewestLines<T>(
  lines: readonly T[],
  skipped: number,
  keepLines: number,
): { lines: readonly T[]; skipped: number } {
  const over = Math.max(0, lines.length - keepLines);
  return { lines: over === 0 ? lines : lines.slice(over), skipped: skipped + over };
}
