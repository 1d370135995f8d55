/**
 * Job columns both dialects read and write the same way: the columns a claim returns (one list,
 * so both claims hand workers the same fields) and the JSON of an error entry. How a row becomes
 * a `JobRecord` stays per dialect (sqlite/job-row.ts reads raw arrays of JSON text, the
 * hottest path there; node-postgres hands over parsed JSON, arrays and booleans).
 */
import type { JobErrorEntry } from "../../core/job.js";

/**
 * Columns a claim returns, in this order (SQLite reads them in raw mode by position:
 * sqlite/job-row.ts `ClaimRow`). `result` is always null for a claimable job and is left out.
 */
export const CLAIM_COLUMNS = [
  "id",
  "tenant",
  "queue",
  "type",
  "payload",
  "priority",
  "progress",
  "progress_message",
  "attempt",
  "max_attempts",
  "run_at",
  "timeout_ms",
  "backoff_base_ms",
  "backoff_cap_ms",
  "unique_key",
  "tags",
  "error",
  "errors",
  "webhook_url",
  "worker",
  "lease_token",
  "lease_expires_at",
  "cancel_requested",
  "created_at",
  "started_at",
  "updated_at",
  "traceparent",
  "tracestate",
  "concurrency_key",
  "has_parents",
] as const;

/** A stored error entry: `at` is an ISO string inside the JSON. */
export interface StoredError {
  message: string;
  type: string;
  attempt: number;
  at: string;
  stack?: string;
}

/** The error entry of a stored one. */
export function parseError(entry: StoredError): JobErrorEntry {
  return { ...entry, at: new Date(entry.at) };
}

/** Encodes an error entry for the `error`/`errors` columns. */
export function encodeError(entry: Omit<JobErrorEntry, "at">, now: number): string {
  return JSON.stringify({ ...entry, at: new Date(now).toISOString() });
}
