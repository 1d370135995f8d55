/**
 * Submissions on SQLite, with group commit. A submission must be fsync'd before it is
 * acknowledged (~250 µs per commit here), so calls made in the same event-loop turn — 16
 * producers awaiting in a loop, an HTTP server under load — are written in one transaction
 * and one fsync. Each call stays all or nothing: if the merged transaction fails, every call
 * is retried in a transaction of its own, so only the bad call fails. New (non-duplicate) jobs
 * are charged to their tenant's quota in the same transaction: over it, the call fails whole.
 */
import { newJobRecord, resolveJob, type JobInput, type QueueDefaults } from "../../core/options.js";
import type { TierPolicy } from "../../core/tiers.js";
import type { EnqueueOutcome } from "../store.js";
import type { SqliteConnection } from "./connection.js";
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

interface PendingCall {
  jobs: readonly JobInput[];
  now: number;
  tiers: TierPolicy | undefined;
  resolve: (outcomes: EnqueueOutcome[]) => void;
  reject: (error: unknown) => void;
}

/** Merges the submissions of one event-loop turn into one durable transaction. */
export class SubmissionBatcher {
  private pending: PendingCall[] = [];
  private scheduled = false;

  /** @param onCommitted called with every outcome of a committed transaction (for wake-ups). */
  constructor(
    private readonly db: SqliteConnection,
    private readonly onCommitted: (outcomes: readonly EnqueueOutcome[]) => void,
  ) {}

  /** Resolves once this call's jobs are committed (fsync'd). */
  submit(jobs: readonly JobInput[], now: number, tiers?: TierPolicy): Promise<EnqueueOutcome[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ jobs, now, tiers, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const calls = this.pending;
    this.pending = [];
    try {
      const results = this.db.write(
        () => calls.map((call) => insertJobs(this.db, call.jobs, call.now, call.tiers)),
        { durable: true },
      );
      results.forEach((outcomes, i) => calls[i]!.resolve(outcomes));
      this.onCommitted(results.flat());
      return;
    } catch (error) {
      if (calls.length === 1) {
        calls[0]!.reject(error);
        return;
      }
    }
    // The merged transaction failed: isolate the bad call.
    for (const call of calls) {
      try {
        const outcomes = this.db.write(() => insertJobs(this.db, call.jobs, call.now, call.tiers), {
          durable: true,
        });
        call.resolve(outcomes);
        this.onCommitted(outcomes);
      } catch (error) {
        call.reject(error);
      }
    }
  }
}
