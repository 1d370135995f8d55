/** Maps SQLite rows (snake_case, ms integers, JSON text) to job records, in one place. */
import type { ClaimedJob, JobErrorEntry, JobRecord } from "../../core/job.js";
import type { JsonObject, JsonValue } from "../../core/json.js";
import type { JobState } from "../../core/states.js";
import type { QueueConfig } from "../store.js";
import { queueTraffic } from "../queue-traffic.js";
import { parseError, type StoredError } from "../shared/job-columns.js";

/** A `jobs` row as SQLite returns it. */
export interface JobRow {
  id: string;
  tenant: string;
  queue: string;
  type: string;
  payload: string;
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
  tags: string;
  result: string | null;
  error: string | null;
  errors: string;
  webhook_url: string | null;
  worker: string | null;
  lease_token: string | null;
  lease_expires_at: number | null;
  cancel_requested: number;
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
  updated_at: number;
  traceparent: string | null;
  tracestate: string | null;
  concurrency_key: string | null;
}

/** A `queues` row. */
export interface QueueRow {
  name: string;
  paused: number;
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

function parseTags(text: string): string[] {
  return text === "[]" ? [] : (JSON.parse(text) as string[]);
}

function parseErrors(text: string): JobErrorEntry[] {
  return text === "[]" ? [] : (JSON.parse(text) as StoredError[]).map(parseError);
}

const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

/** The job record for a row. */
export function rowToJob(row: JobRow): JobRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    queue: row.queue,
    type: row.type,
    payload: JSON.parse(row.payload) as JsonObject,
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
    tags: parseTags(row.tags),
    result: row.result === null ? null : (JSON.parse(row.result) as JsonValue),
    error: row.error === null ? null : parseError(JSON.parse(row.error) as StoredError),
    errors: parseErrors(row.errors),
    createdAt: new Date(row.created_at),
    startedAt: date(row.started_at),
    completedAt: date(row.completed_at),
    updatedAt: new Date(row.updated_at),
    worker: row.worker,
    cancelRequested: row.cancel_requested === 1,
    leaseExpiresAt: date(row.lease_expires_at),
    webhookUrl: row.webhook_url,
    traceContext:
      row.traceparent === null
        ? null
        : { traceparent: row.traceparent, tracestate: row.tracestate },
    concurrencyKey: row.concurrency_key,
  };
}

/** A raw claim row: the values of `CLAIM_COLUMNS`, in order. */
export type ClaimRow = [
  id: string,
  tenant: string,
  queue: string,
  type: string,
  payload: string,
  priority: number,
  progress: number,
  progressMessage: string | null,
  attempt: number,
  maxAttempts: number,
  runAt: number,
  timeoutMs: number,
  backoffBaseMs: number,
  backoffCapMs: number,
  uniqueKey: string | null,
  tags: string,
  error: string | null,
  errors: string,
  webhookUrl: string | null,
  worker: string,
  leaseToken: string,
  leaseExpiresAt: number,
  cancelRequested: number,
  createdAt: number,
  startedAt: number,
  updatedAt: number,
  traceparent: string | null,
  tracestate: string | null,
  concurrencyKey: string | null,
  hasParents: number,
];

/** The claimed job for a raw claim row. */
export function claimRowToJob(r: ClaimRow): ClaimedJob {
  return {
    id: r[0],
    tenant: r[1],
    queue: r[2],
    type: r[3],
    payload: JSON.parse(r[4]) as JsonObject,
    status: "running",
    priority: r[5],
    progress: r[6],
    progressMessage: r[7],
    attempt: r[8],
    maxAttempts: r[9],
    runAt: new Date(r[10]),
    timeout: r[11],
    backoff: { baseMs: r[12], capMs: r[13] },
    uniqueKey: r[14],
    tags: parseTags(r[15]),
    result: null,
    error: r[16] === null ? null : parseError(JSON.parse(r[16]) as StoredError),
    errors: parseErrors(r[17]),
    webhookUrl: r[18],
    worker: r[19],
    leaseToken: r[20],
    leaseExpiresAt: new Date(r[21]),
    cancelRequested: r[22] === 1,
    createdAt: new Date(r[23]),
    startedAt: new Date(r[24]),
    completedAt: null,
    updatedAt: new Date(r[25]),
    traceContext: r[26] === null ? null : { traceparent: r[26], tracestate: r[27] },
    concurrencyKey: r[28],
    hasParents: r[29] === 1,
  };
}

/** The queue settings for a row. */
export function rowToQueue(row: QueueRow): QueueConfig {
  return {
    name: row.name,
    paused: row.paused === 1,
    concurrency: row.concurrency,
    timeoutMs: row.timeout_ms,
    maxAttempts: row.max_attempts,
    backoffBaseMs: row.backoff_base_ms,
    backoffCapMs: row.backoff_cap_ms,
    updatedAt: new Date(row.updated_at),
    ...queueTraffic(row),
  };
}
