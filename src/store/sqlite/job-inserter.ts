/**
 * Inserting submissions on SQLite: queue defaults applied (and queues registered), one INSERT
 * per job, the holder of a duplicate unique key read back, the job.queued events logged, and
 * new (non-duplicate) jobs charged to their tenant's quota — all in the caller's write
 * transaction, so over a quota the call fails whole. A submission must be fsync'd before it is
 * acknowledged (~250 µs per commit here), so the store merges the calls of one event-loop turn
 * into one durable transaction (the shared batcher, ../shared/submission-batcher.ts).
 */
import { newJobRecord, resolveJob, type JobInput, type QueueDefaults } from "../../core/options.js";
import type { TierPolicy } from "../../core/tiers.js";
import type { EnqueueOutcome } from "../store.js";
import type { Submission } from "../shared/submission-batcher.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import { appendJobEvents, eventIdentity, type NewJobEvent } from "./event-log.js";
import { rowToJob, type JobRow } from "./job-row.js";
import { chargeQuotas } from "./quotas.js";
import { registerQueue } from "./queue-settings.js";
import * as jobsSql from "./sql/jobs.js";

/** Inserts one call's jobs (inside a write transaction), applying queue defaults. */
export function insertJobs(
  db: SqliteConnection,
  jobs: readonly JobInput[],
  now: number,
  tiers?: TierPolicy,
): EnqueueOutcome[] {
  const defaults = new Map<string, QueueDefaults | undefined>();
  const events: NewJobEvent[] = [];
  const results = jobs.map((input): EnqueueOutcome => {
    if (!defaults.has(input.queue)) defaults.set(input.queue, registerQueue(db, input.queue, now));
    const job = resolveJob(input, defaults.get(input.queue), now);
    const info = db.stmt(jobsSql.INSERT_JOB).run({
      id: job.id,
      tenant: job.tenant,
      queue: job.queue,
      type: job.type,
      payload: job.payloadJson,
      status: job.status,
      priority: job.priority,
      max_attempts: job.maxAttempts,
      run_at: job.runAt,
      timeout_ms: job.timeoutMs,
      backoff_base_ms: job.backoff.baseMs,
      backoff_cap_ms: job.backoff.capMs,
      unique_key: job.uniqueKey,
      tags: JSON.stringify(job.tags),
      webhook_url: job.webhookUrl,
      concurrency_key: job.concurrencyKey,
      now,
      traceparent: job.traceContext?.traceparent ?? null,
      tracestate: job.traceContext?.tracestate ?? null,
    });
    if (info.changes === 1) {
      events.push({
        ...eventIdentity(job),
        name: "job.queued",
        status: job.status,
        data: { runAt: job.runAt, reason: "submitted" },
      });
      return { job: newJobRecord(job), duplicate: false };
    }
    const holder = db.stmt(jobsSql.SELECT_UNIQUE_HOLDER).get({
      tenant: job.tenant,
      queue: job.queue,
      unique_key: job.uniqueKey,
    }) as JobRow;
    return { job: rowToJob(holder), duplicate: true };
  });
  appendJobEvents(db, events, now);
  const newByTenant = new Map<string, number>();
  for (const { job, duplicate } of results) {
    if (!duplicate) newByTenant.set(job.tenant, (newByTenant.get(job.tenant) ?? 0) + 1);
  }
  chargeQuotas(db, newByTenant, now, tiers);
  return results;
}

/**
 * Writes a group of submissions in one durable transaction (fsync'd before it returns); each
 * submission's outcomes, in order. A failure commits nothing (the shared batcher's retry relies
 * on it).
 */
export function writeSubmissionGroup(
  db: SqliteConnection,
  group: readonly Submission[],
): EnqueueOutcome[][] {
  return db.write(() => group.map((s) => insertJobs(db, s.jobs, s.now, s.tiers)), {
    durable: true,
  });
}
