/**
 * Pure decisions about what happens to a job next. They compute new field values and never
 * write; the stores apply them atomically, fenced by the lease token.
 */
import { backoffDelayMs, type BackoffPolicy } from "./backoff.js";

/** What follows a failed attempt. */
export type FailureOutcome = { status: "retrying"; runAt: number } | { status: "failed" };

/** The facts about a job that decide its next state after a failure. */
export interface FailureContext {
  attempt: number;
  maxAttempts: number;
  backoff: BackoffPolicy;
}

/**
 * After attempt `job.attempt` failed at `now`: retry after backoff while attempts are left and
 * the error is retryable, otherwise fail for good.
 */
export function nextOnFailure(
  job: FailureContext,
  failure: { retryable: boolean },
  now: number,
  random: () => number,
): FailureOutcome {
  if (!failure.retryable || job.attempt >= job.maxAttempts) return { status: "failed" };
  return { status: "retrying", runAt: now + backoffDelayMs(job.attempt, job.backoff, random) };
}

/** Maximum length of a stored error message and stack. */
export const MAX_ERROR_MESSAGE_CHARS = 10_000;
export const MAX_ERROR_STACK_CHARS = 4_096;
/** How many failed attempts `errors` keeps (the newest). */
export const MAX_ERROR_HISTORY = 25;

/** Normalises anything a handler threw into the `{message, type, stack?}` that is stored. */
export function describeError(error: unknown): { message: string; type: string; stack?: string } {
  if (error instanceof Error) {
    const described: { message: string; type: string; stack?: string } = {
      message: truncate(error.message || String(error), MAX_ERROR_MESSAGE_CHARS),
      type: errorTypeName(error),
    };
    if (error.stack !== undefined) described.stack = truncate(error.stack, MAX_ERROR_STACK_CHARS);
    return described;
  }
  return { message: truncate(safeText(error), MAX_ERROR_MESSAGE_CHARS), type: "Error" };
}

/** The error's class name: `name` when set, else the constructor's (`class Foo extends Error {}`). */
function errorTypeName(error: Error): string {
  if (error.name && error.name !== "Error") return error.name;
  const ctor = (Object.getPrototypeOf(error) as { constructor?: { name?: unknown } } | null)
    ?.constructor;
  return typeof ctor?.name === "string" && ctor.name !== "" ? ctor.name : "Error";
}

/** Text for a thrown non-Error value; never throws (cycles, null prototypes, hostile toString). */
function safeText(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json;
  } catch {
    // not JSON-encodable: fall through
  }
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** What the lease rescuer knows about a running job whose lease has expired. */
export interface ExpiredLease extends FailureContext {
  /** When the attempt started (ms), or null. */
  startedAt: number | null;
  /** The attempt's time limit (ms). */
  timeoutMs: number;
}

/**
 * The failed attempt a rescued lease records: a timeout when the attempt ran past its limit,
 * else a lost worker (`LeaseExpired`); either way retryable while attempts remain.
 */
export function rescueOutcome(
  job: ExpiredLease,
  now: number,
  random: () => number,
): { outcome: FailureOutcome; error: { message: string; type: string; attempt: number } } {
  const timedOut = job.startedAt !== null && now >= job.startedAt + job.timeoutMs;
  const error = timedOut
    ? {
        message: `attempt timed out after ${job.timeoutMs} ms`,
        type: "TimeoutError",
        attempt: job.attempt,
      }
    : {
        message: "lease expired: the worker stopped heartbeating",
        type: "LeaseExpired",
        attempt: job.attempt,
      };
  return { outcome: nextOnFailure(job, { retryable: true }, now, random), error };
}
