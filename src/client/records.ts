/**
 * Converts HTTP resources (snake_case, ISO strings, seconds) back into the library's records
 * (camelCase, Dates, ms), so code written against the library — the CLI's commands — works
 * unchanged over HTTP.
 */
import type { JobErrorEntry, JobRecord } from "../core/job.js";
import type { JsonObject, JsonValue } from "../core/json.js";
import type { WorkerPresence } from "../core/worker-presence.js";
import type { JobResource, JobSummaryResource, WorkerResource } from "../http/contracts.js";

const date = (value: string | null): Date | null => (value === null ? null : new Date(value));

/**
 * The job record for a job resource. A list summary without `?include=` has no payload, result
 * or errors: they come back empty.
 */
export function fromJobResource(resource: JobResource | JobSummaryResource): JobRecord {
  const error = (entry: {
    message: string;
    type: string;
    attempt: number;
    at: string;
  }): JobErrorEntry => ({
    message: entry.message,
    type: entry.type,
    attempt: entry.attempt,
    at: new Date(entry.at),
  });
  return {
    id: resource.id,
    tenant: resource.tenant,
    queue: resource.queue,
    type: resource.type,
    payload: (resource.payload ?? {}) as JsonObject,
    status: resource.status,
    priority: resource.priority,
    progress: resource.progress,
    progressMessage: resource.progress_message,
    attempt: resource.attempt,
    maxAttempts: resource.max_attempts,
    runAt: new Date(resource.run_at),
    timeout: Math.round(resource.timeout_seconds * 1000),
    // The HTTP resource does not carry the backoff policy; these are the defaults it was made with.
    backoff: { baseMs: 1_000, capMs: 3_600_000 },
    uniqueKey: resource.unique_key,
    tags: resource.tags,
    result: (resource.result ?? null) as JsonValue | null,
    error: resource.error === null ? null : error(resource.error),
    errors: (resource.errors ?? []).map(error),
    createdAt: new Date(resource.created_at),
    startedAt: date(resource.started_at),
    completedAt: date(resource.completed_at),
    updatedAt: new Date(resource.updated_at),
    worker: resource.worker,
    cancelRequested: resource.cancel_requested,
    leaseExpiresAt: null,
    webhookUrl: resource.webhook_url,
    // Only claims carry it (`trace_context` of a claimed job).
    traceContext: null,
    concurrencyKey: resource.concurrency_key ?? null,
  };
}

/** The worker presence record for a worker resource. */
export function fromWorkerResource(resource: WorkerResource): WorkerPresence {
  return {
    id: resource.id,
    name: resource.name,
    host: resource.host,
    pid: resource.pid,
    kind: resource.kind,
    tenant: resource.tenant,
    queues: resource.queues,
    types: resource.types,
    concurrency: resource.concurrency,
    running: resource.running,
    version: resource.version,
    staleAfterMs: resource.stale_after_seconds * 1000,
    startedAt: new Date(resource.started_at),
    lastSeenAt: new Date(resource.last_seen_at),
  };
}
