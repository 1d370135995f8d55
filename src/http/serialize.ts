/** Job records as the HTTP API shows them (SPEC §1 in snake_case, ISO-8601 UTC timestamps). */
import { elapsedMs, type ClaimedJob, type JobErrorEntry, type JobRecord } from "../core/job.js";
import type { Stats } from "../spool-options.js";
import type {
  ClaimedJobResource,
  JobResource,
  JobSummaryResource,
  StatsResponse,
} from "./contracts.js";

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

function errorResource(entry: JobErrorEntry): {
  message: string;
  type: string;
  attempt: number;
  at: string;
} {
  return {
    message: entry.message,
    type: entry.type,
    attempt: entry.attempt,
    at: entry.at.toISOString(),
  };
}

/** Extra facts about a waiting job. */
export interface WaitingEstimate {
  queuePosition: number;
  etaSeconds: number;
}

/** The job resource. */
export function toJobResource(
  job: JobRecord,
  now: number,
  estimate?: WaitingEstimate | null,
): JobResource {
  const elapsed = elapsedMs(job, now);
  const resource: JobResource = {
    id: job.id,
    tenant: job.tenant,
    queue: job.queue,
    type: job.type,
    payload: job.payload,
    status: job.status,
    priority: job.priority,
    progress: job.progress,
    progress_message: job.progressMessage,
    attempt: job.attempt,
    max_attempts: job.maxAttempts,
    run_at: job.runAt.toISOString(),
    timeout_seconds: job.timeout / 1000,
    unique_key: job.uniqueKey,
    tags: job.tags,
    result: job.result,
    error: job.error === null ? null : errorResource(job.error),
    errors: job.errors.map(errorResource),
    created_at: job.createdAt.toISOString(),
    started_at: iso(job.startedAt),
    completed_at: iso(job.completedAt),
    updated_at: job.updatedAt.toISOString(),
    elapsed_seconds: elapsed === null ? null : elapsed / 1000,
    worker: job.worker,
    cancel_requested: job.cancelRequested,
    webhook_url: job.webhookUrl,
    concurrency_key: job.concurrencyKey,
  };
  if (estimate) {
    resource.queue_position = estimate.queuePosition;
    resource.eta_seconds = estimate.etaSeconds;
  }
  return resource;
}

/**
 * A job in a list: the resource without `payload`, `result` and `errors` (they can be large:
 * a page of 1,000 jobs with 1 MiB results must not be built by default), unless `include`
 * names them.
 */
export function toJobSummary(
  job: JobRecord,
  now: number,
  include: ReadonlySet<string>,
): JobSummaryResource {
  const { payload, result, errors, ...summary } = toJobResource(job, now);
  return {
    ...summary,
    ...(include.has("payload") ? { payload } : {}),
    ...(include.has("result") ? { result } : {}),
    ...(include.has("errors") ? { errors } : {}),
  };
}

/** A claimed job with its lease, for a remote worker. */
export function toClaimedJobResource(job: ClaimedJob, now: number): ClaimedJobResource {
  return {
    ...toJobResource(job, now),
    lease_token: job.leaseToken,
    lease_expires_at: job.leaseExpiresAt.toISOString(),
    trace_context: job.traceContext,
  };
}

/**
 * The `/stats` resource (SPEC §2 field names; `pending` is seed 000's name for `queued`), also
 * what `spool stats --json` prints, so scripts work against either.
 */
export function toStatsResource(stats: Stats): StatsResponse {
  return {
    total_jobs: stats.totalJobs,
    scheduled: stats.scheduled,
    queued: stats.queued,
    pending: stats.queued,
    running: stats.running,
    retrying: stats.retrying,
    completed: stats.completed,
    failed: stats.failed,
    cancelled: stats.cancelled,
    queue_size: stats.queueSize,
  };
}
