/**
 * Maps PostgreSQL rows (snake_case; BIGINT ms; JSON decoded by the driver) to job records and
 * back, in one place. Every query runs with `PG_TYPES`, so BIGINT columns arrive as numbers
 * whatever type parsers the connection (possibly the caller's own client) was set up with.
 */
import pg from "pg";
import type { ClaimedJob, JobRecord } from "../../core/job.js";
import type { JsonObject, JsonValue } from "../../core/json.js";
import type { JobState } from "../../core/states.js";
import type { QueueConfig } from "../store.js";
import { queueTraffic } from "../queue-traffic.js";
import { parseError, type StoredError } from "../shared/job-columns.js";

const INT8_OID = 20;

/**
 * Type parsers for every Spool query: BIGINT (ms timestamps, durations, counts) as a JS number —
 * exact below 2^53, which a ms timestamp stays under for 285,000 years; the rest as pg's defaults.
 */
export const PG_TYPES = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID && format !== "binary"
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser,
};

/** A `jobs` row as the driver returns it with `PG_TYPES`. */
export interface JobRow {
  id: string;
  tenant: string;
  queue: string;
  type: string;
  payload: JsonObject;
  status: JobState;
  priority: number;
  progress: number;
  progress_message: string | null;
  attempt: number;
  max_attempts: number;
  run_at: number;
  timeout_ms: number;
  backoff_base_ms: number;
  backoff_cap_ms: number;
  unique_key: string | null;
  tags: string[];
  result?: JsonValue | null;
  error: StoredError | null;
  errors: StoredError[];
  webhook_url: string | null;
  worker: string | null;
  lease_token: string | null;
  lease_expires_at: number | null;
  cancel_requested: boolean;
  concurrency_key?: string | null;
  has_parents?: boolean;
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
  updated_at: number;
  traceparent: string | null;
  tracestate: string | null;
}

/** A `queues` row. */
export interface QueueRow {
  name: string;
  paused: boolean;
  concurrency: number | null;
  timeout_ms: number | null;
  max_attempts: number | null;
  backoff_base_ms: number | null;
  backoff_cap_ms: number | null;
  updated_at: number;
  rate_limit: number | null;
  rate_period_ms: number | null;
  rate_tat: number | null;
  key_concurrency: number | null;
}

const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

/** The job record for a row (a claim's row has no `result` column: it is null then). */
export function rowToJob(row: JobRow): JobRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    queue: row.queue,
    type: row.type,
    payload: row.payload,
    status: row.status,
    priority: row.priority,
    progress: row.progress,
    progressMessage: row.progress_message,
    attempt: row.attempt,
    maxAttempts: row.max_attempts,
    runAt: new Date(row.run_at),
    timeout: row.timeout_ms,
    backoff: { baseMs: row.backoff_base_ms, capMs: row.backoff_cap_ms },
    uniqueKey: row.unique_key,
    tags: row.tags,
    result: row.result ?? null,
    error: row.error === null ? null : parseError(row.error),
    errors: row.errors.length === 0 ? [] : row.errors.map(parseError),
    createdAt: new Date(row.created_at),
    startedAt: date(row.started_at),
    completedAt: date(row.completed_at),
    updatedAt: new Date(row.updated_at),
    worker: row.worker,
    cancelRequested: row.cancel_requested,
    leaseExpiresAt: date(row.lease_expires_at),
    webhookUrl: row.webhook_url,
    traceContext:
      row.traceparent === null
        ? null
        : { traceparent: row.traceparent, tracestate: row.tracestate },
    concurrencyKey: row.concurrency_key ?? null,
  };
}

/**
 * The claimed job for a row returned by CLAIM_JOBS (its columns: `CLAIM_COLUMNS`). Built field
 * by field rather than from `rowToJob`: this runs for every claimed job.
 */
export function claimRowToJob(row: Omit<JobRow, "status">): ClaimedJob {
  return {
    id: row.id,
    tenant: row.tenant,
    queue: row.queue,
    type: row.type,
    payload: row.payload,
    status: "running",
    priority: row.priority,
    progress: row.progress,
    progressMessage: row.progress_message,
    attempt: row.attempt,
    maxAttempts: row.max_attempts,
    runAt: new Date(row.run_at),
    timeout: row.timeout_ms,
    backoff: { baseMs: row.backoff_base_ms, capMs: row.backoff_cap_ms },
    uniqueKey: row.unique_key,
    tags: row.tags,
    result: null,
    error: row.error === null ? null : parseError(row.error),
    errors: row.errors.length === 0 ? [] : row.errors.map(parseError),
    createdAt: new Date(row.created_at),
    startedAt: new Date(row.started_at!),
    completedAt: null,
    updatedAt: new Date(row.updated_at),
    worker: row.worker,
    cancelRequested: row.cancel_requested,
    leaseToken: row.lease_token!,
    leaseExpiresAt: new Date(row.lease_expires_at!),
    webhookUrl: row.webhook_url,
    traceContext:
      row.traceparent === null
        ? null
        : { traceparent: row.traceparent, tracestate: row.tracestate },
    concurrencyKey: row.concurrency_key ?? null,
    hasParents: row.has_parents === true,
  };
}

/** The queue settings for a row. */
export function rowToQueue(row: QueueRow): QueueConfig {
  return {
    name: row.name,
    paused: row.paused,
    concurrency: row.concurrency,
    timeoutMs: row.timeout_ms,
    maxAttempts: row.max_attempts,
    backoffBaseMs: row.backoff_base_ms,
    backoffCapMs: row.backoff_cap_ms,
    updatedAt: new Date(row.updated_at),
    ...queueTraffic(row),
  };
}

/**
 * Encodes tags as a PostgreSQL array literal (`{"a","b\"c"}`), so that a batch of rows can carry
 * one text element per row through `unnest` and be cast back with `::text[]`.
 */
export function encodeTextArray(values: readonly string[]): string {
  if (values.length === 0) return "{}";
  return `{${values.map((value) => `"${value.replace(/[\\"]/g, "\\$&")}"`).join(",")}}`;
}
