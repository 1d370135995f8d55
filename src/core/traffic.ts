/**
 * Traffic control in the claim (SPEC §7), the pure part: queue rate limits as a token bucket
 * (GCRA, one timestamp of state), concurrency keys, and the stride arithmetic of fair
 * scheduling by tenant. No I/O and no clock: every function takes `now`.
 */
import { SpoolValidationError } from "./errors.js";

/** A queue's rate limit: at most `limit` job starts per `periodMs` (a token bucket). */
export interface RateLimit {
  limit: number;
  periodMs: number;
}

/** Largest `limit` of a rate limit. */
export const MAX_RATE_LIMIT = 1_000_000;
/** Longest period of a rate limit, ms (one day). */
export const MAX_RATE_PERIOD_MS = 86_400_000;
/** Longest concurrency key, characters. */
export const MAX_CONCURRENCY_KEY_CHARS = 255;
/** Largest per-key concurrency cap. */
export const MAX_KEY_CONCURRENCY = 100_000;

/**
 * How many starts the bucket allows at `now`, and when the next one is allowed.
 *
 * GCRA: `tat` (theoretical arrival time, ms) is when the bucket would be full again; each start
 * moves it `periodMs / limit` later. The bucket holds `limit` tokens, so a start is allowed
 * while `tat < now + periodMs`. A queue that has been idle for a period allows a burst of
 * `limit`, then `limit` per period: over any window of n periods at most (n + 1) × limit start.
 */
export function rateAllowance(
  rate: RateLimit,
  tat: number | null,
  now: number,
): { allowed: number; nextAt: number } {
  const interval = rate.periodMs / rate.limit;
  const base = Math.max(tat ?? now, now);
  const allowed = Math.max(
    0,
    Math.min(rate.limit, Math.floor((now + rate.periodMs - base) / interval)),
  );
  const nextAt = allowed > 0 ? now : Math.ceil(base - rate.periodMs + interval);
  return { allowed, nextAt };
}

/** The bucket's state after `started` starts at `now` (`started` ≤ the allowance). */
export function rateAfterStarts(
  rate: RateLimit,
  tat: number | null,
  now: number,
  started: number,
): number {
  return Math.max(tat ?? now, now) + (started * rate.periodMs) / rate.limit;
}

/** Throws unless `value` is a valid rate limit (fields named after `field`). */
export function assertRateLimit(value: RateLimit, field = "rateLimit"): void {
  if (!Number.isInteger(value.limit) || value.limit < 1 || value.limit > MAX_RATE_LIMIT) {
    throw new SpoolValidationError(
      `${field}.limit`,
      `must be an integer from 1 to ${MAX_RATE_LIMIT}`,
    );
  }
  if (
    !Number.isInteger(value.periodMs) ||
    value.periodMs < 1 ||
    value.periodMs > MAX_RATE_PERIOD_MS
  ) {
    throw new SpoolValidationError(
      `${field}.periodMs`,
      `must be an integer number of ms from 1 to ${MAX_RATE_PERIOD_MS}`,
    );
  }
}

/** Throws unless `value` is a per-key concurrency cap. */
export function assertKeyConcurrency(value: number, field = "keyConcurrency"): void {
  if (!Number.isInteger(value) || value < 1 || value > MAX_KEY_CONCURRENCY) {
    throw new SpoolValidationError(field, `must be an integer from 1 to ${MAX_KEY_CONCURRENCY}`);
  }
}

/** The concurrency key of a submission: null when absent; throws when invalid. */
export function validateConcurrencyKey(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_CONCURRENCY_KEY_CHARS) {
    throw new SpoolValidationError(
      field,
      `must be a string of 1 to ${MAX_CONCURRENCY_KEY_CHARS} characters`,
    );
  }
  return value;
}

/**
 * Parses a CLI rate: `50/s`, `600/m`, `1000/h` (also `50/10s`: 50 per 10 seconds), or `none`
 * (null: no limit). Throws a `SpoolValidationError` naming `field`.
 */
export function parseRate(text: string, field = "rate"): RateLimit | null {
  if (text.trim().toLowerCase() === "none") return null;
  const match = /^\s*(\d+)\s*\/\s*(\d*)\s*(s|m|h)\s*$/i.exec(text);
  if (match === null) {
    throw new SpoolValidationError(field, "must look like 50/s, 600/m, 1000/h, 5/10s or none");
  }
  const unitMs = { s: 1000, m: 60_000, h: 3_600_000 }[match[3]!.toLowerCase() as "s" | "m" | "h"];
  const rate = { limit: Number(match[1]), periodMs: Number(match[2] || "1") * unitMs };
  assertRateLimit(rate, field);
  return rate;
}

/**
 * Fair scheduling by tenant is stride scheduling: each ready (queue, tenant) has a `pass`; a
 * start of a job of that tenant adds its stride, `1 / weight`; claims serve the lowest passes
 * first. A tenant that becomes ready joins at the lowest pass of the tenants already ready (the
 * queue's virtual time), so it is served next and never inherits credit for the time it was idle.
 */
export function fairStride(weight: number): number {
  return 1 / Math.max(1, weight);
}

/** One candidate job of a fair claim: its tenant's k-th next job (k = 0, 1, …). */
export interface FairCandidate {
  tenant: string;
  /** The tenant's pass before this claim. */
  pass: number;
  weight: number;
  /** 0 for the tenant's next job, 1 for the one after, … */
  rank: number;
}

/** The virtual time at which a candidate is served: its tenant's pass plus rank strides. */
export function fairTag(candidate: FairCandidate): number {
  return candidate.pass + candidate.rank * fairStride(candidate.weight);
}
