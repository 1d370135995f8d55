/**
 * A `Backend` over the HTTP API (`--server`, `SPOOL_TOKEN`): each command call becomes a request
 * through the typed client, and server errors come back as the library's errors, so the CLI's
 * exit codes are the same in both modes.
 */
import { SpoolHttpError, SpoolClient } from "../client/client.js";
import { fromJobResource, fromWorkerResource } from "../client/records.js";
import { fromScheduleResource, ScheduleClient } from "../client/schedule-client.js";
import type { ScheduleRecord } from "../core/schedule.js";
import type { PutScheduleBody } from "../http/schedule-contracts.js";
import {
  SpoolConflictError,
  SpoolError,
  SpoolNotFoundError,
  SpoolValidationError,
  StoreUnavailableError,
} from "../core/errors.js";
import type { JobRecord } from "../core/job.js";
import type { EnqueueRequest } from "../core/options.js";
import type { WaitingReason } from "../core/waiting-reason.js";
import type { WorkerPresence } from "../core/worker-presence.js";
import { JOB_STATES, type JobState } from "../core/states.js";
import type { SubmitJobBody } from "../http/contracts.js";
import type { JobLogs, LogsOptions } from "../spool-logs.js";
import type { EnqueuedJob, Stats } from "../spool-options.js";
import type { SavedSchedule } from "../spool-schedules.js";
import type { QueueConfig, QueuePatch, StateCounts } from "../store/store.js";
import type { Backend, JobListFilter, JobPage, QueueSummary, ScheduleRequest } from "./backend.js";

/** See the module header. */
export class HttpBackend implements Backend {
  private readonly client: SpoolClient;
  private readonly cron: ScheduleClient;

  constructor(
    readonly target: string,
    token: string | undefined,
  ) {
    this.client = new SpoolClient({ baseUrl: target, ...(token === undefined ? {} : { token }) });
    this.cron = new ScheduleClient(this.client);
  }

  async enqueue(request: EnqueueRequest): Promise<EnqueuedJob> {
    const body: SubmitJobBody = { type: request.type, payload: request.payload ?? {} };
    if (request.queue !== undefined) body.queue = request.queue;
    if (request.priority !== undefined) body.priority = request.priority;
    if (request.runAt !== undefined) body.run_at = request.runAt.toISOString();
    if (request.delay !== undefined) body.delay_seconds = request.delay / 1000;
    if (request.maxAttempts !== undefined) body.max_attempts = request.maxAttempts;
    if (request.timeout !== undefined) body.timeout_seconds = request.timeout / 1000;
    if (request.uniqueKey !== undefined) body.unique_key = request.uniqueKey;
    if (request.tags !== undefined) body.tags = request.tags;
    if (request.webhookUrl !== undefined) body.webhook_url = request.webhookUrl;
    const answer = await this.call(() => this.client.submit(body));
    return Object.assign(fromJobResource(answer.job), { duplicate: answer.duplicate });
  }

  async get(id: string): Promise<JobRecord | null> {
    try {
      return fromJobResource(await this.call(() => this.client.get(id)));
    } catch (error) {
      if (error instanceof SpoolNotFoundError) return null;
      throw error;
    }
  }

  async list(filter: JobListFilter): Promise<JobPage> {
    const status =
      filter.status === undefined
        ? undefined
        : typeof filter.status === "string"
          ? filter.status
          : filter.status.join(",");
    const page = await this.call(() =>
      this.client.list({
        ...(status === undefined ? {} : { status }),
        ...(filter.queue === undefined ? {} : { queue: filter.queue }),
        ...(filter.type === undefined ? {} : { type: filter.type }),
        ...(filter.tag === undefined ? {} : { tag: filter.tag }),
        ...(filter.limit === undefined ? {} : { limit: filter.limit }),
        ...(filter.cursor === undefined ? {} : { cursor: filter.cursor }),
        // Whole records, as the library's list returns them.
        include: "payload,result,errors",
      }),
    );
    return { jobs: page.jobs.map(fromJobResource), nextCursor: page.next_cursor };
  }

  async cancel(id: string): Promise<JobRecord> {
    return fromJobResource((await this.call(() => this.client.cancel(id))).job);
  }

  async retry(id: string): Promise<JobRecord> {
    return fromJobResource((await this.call(() => this.client.retry(id))).job);
  }

  async stats(filter: { queue?: string }): Promise<Stats> {
    const stats = await this.call(() => this.client.stats(filter));
    return {
      totalJobs: stats.total_jobs,
      scheduled: stats.scheduled,
      queued: stats.queued,
      running: stats.running,
      retrying: stats.retrying,
      completed: stats.completed,
      failed: stats.failed,
      cancelled: stats.cancelled,
      queueSize: stats.queue_size,
    };
  }

  async queues(): Promise<QueueSummary[]> {
    const queues = await this.call(() => this.client.queues());
    return queues.map((queue) => ({
      ...this.toConfig(queue),
      counts: Object.fromEntries(
        JOB_STATES.map((state: JobState) => [state, queue.counts[state] ?? 0]),
      ) as StateCounts,
    }));
  }

  async pauseQueue(name: string): Promise<QueueConfig> {
    return this.toConfig(await this.call(() => this.client.setPaused(name, true)));
  }

  async resumeQueue(name: string): Promise<QueueConfig> {
    return this.toConfig(await this.call(() => this.client.setPaused(name, false)));
  }

  async updateQueue(name: string, patch: QueuePatch): Promise<QueueConfig> {
    const body: Parameters<SpoolClient["updateQueue"]>[1] = {};
    if (patch.concurrency !== undefined) body.concurrency = patch.concurrency;
    if (patch.keyConcurrency !== undefined) body.key_concurrency = patch.keyConcurrency;
    if (patch.rateLimit !== undefined) {
      body.rate_limit =
        patch.rateLimit === null
          ? null
          : { limit: patch.rateLimit.limit, period_seconds: patch.rateLimit.periodMs / 1000 };
    }
    return this.toConfig(await this.call(() => this.client.updateQueue(name, body)));
  }

  async explain(id: string): Promise<WaitingReason | null> {
    try {
      return (await this.call(() => this.client.get(id))).waiting_reason ?? null;
    } catch (error) {
      if (error instanceof SpoolNotFoundError) return null;
      throw error;
    }
  }

  async workers(): Promise<WorkerPresence[]> {
    return (await this.call(() => this.client.workers())).workers.map(fromWorkerResource);
  }

  async schedule(request: ScheduleRequest): Promise<SavedSchedule> {
    const o = request.options;
    const body: PutScheduleBody = { cron: request.cron, type: request.type };
    body.payload = request.payload;
    if (o.queue !== undefined) body.queue = o.queue;
    if (o.timezone !== undefined) body.timezone = o.timezone;
    const options: NonNullable<PutScheduleBody["options"]> = {};
    if (o.priority !== undefined) options.priority = o.priority;
    if (o.maxAttempts !== undefined) options.max_attempts = o.maxAttempts;
    if (o.timeout !== undefined) options.timeout_seconds = o.timeout / 1000;
    if (o.tags !== undefined) options.tags = o.tags;
    body.options = options;
    const { created, ...resource } = await this.call(() => this.cron.put(request.name, body));
    return Object.assign(fromScheduleResource(resource), { created });
  }

  async schedules(): Promise<ScheduleRecord[]> {
    return (await this.call(() => this.cron.list())).schedules.map(fromScheduleResource);
  }

  async unschedule(name: string): Promise<void> {
    await this.call(() => this.cron.delete(name)).catch(notFound(name));
  }

  async setSchedulePaused(name: string, paused: boolean): Promise<ScheduleRecord> {
    return fromScheduleResource(
      await this.call(() => this.cron.setPaused(name, paused)).catch(notFound(name)),
    );
  }

  async close(): Promise<void> {
    // fetch keeps no connection state worth closing
  }

  private toConfig(queue: {
    name: string;
    paused: boolean;
    concurrency: number | null;
    timeout_seconds: number | null;
    max_attempts: number | null;
    rate_limit: { limit: number; period_seconds: number } | null;
    key_concurrency: number | null;
  }): QueueConfig {
    return {
      name: queue.name,
      paused: queue.paused,
      concurrency: queue.concurrency,
      timeoutMs: queue.timeout_seconds === null ? null : queue.timeout_seconds * 1000,
      maxAttempts: queue.max_attempts,
      backoffBaseMs: null,
      backoffCapMs: null,
      updatedAt: new Date(),
      ...fromTrafficResource(queue),
    };
  }

  /** Runs a request, turning HTTP errors into the library's errors. */
  async logs(id: string, options: Omit<LogsOptions, "tenant">): Promise<JobLogs | null> {
    let page;
    try {
      page = await this.call(() => this.client.logs(id, options));
    } catch (error) {
      if (error instanceof SpoolNotFoundError) return null;
      throw error;
    }
    return {
      lines: page.lines.map((line) => ({ ...line, at: new Date(line.at) })),
      hasMore: page.has_more,
      droppedLines: page.dropped_lines,
      nextAfter: page.next_after,
    };
  }

  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw toLibraryError(error, this.target);
    }
  }
}

/** Re-throws a 404 as the schedule's not-found (the generic mapping names a job). */
function notFound(name: string): (error: unknown) => never {
  return (error) => {
    if (error instanceof SpoolNotFoundError) throw new SpoolNotFoundError("schedule", name);
    throw error;
  };
}

/** Maps an HTTP failure onto the library error the CLI knows how to report. */
export function toLibraryError(error: unknown, target: string): unknown {
  if (!(error instanceof SpoolHttpError)) {
    return new StoreUnavailableError(`cannot reach ${target}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const message = error.message.replace(/^\d+ [a-z_]+: /, "");
  switch (error.status) {
    case 400: {
      const field = typeof error.details?.field === "string" ? error.details.field : "request";
      const reason = typeof error.details?.reason === "string" ? error.details.reason : message;
      return new SpoolValidationError(field, reason);
    }
    case 404:
      return new SpoolNotFoundError("job", String(error.details?.id ?? ""), { cause: error });
    case 409:
      return new SpoolConflictError(message, { code: error.code });
    case 503:
      return new StoreUnavailableError(message);
    default:
      return new SpoolError(error.code, message, { details: { status: error.status } });
  }
}

/** `rate_limit` and `key_concurrency` of a queue resource, in library terms. */
function fromTrafficResource(queue: {
  rate_limit: { limit: number; period_seconds: number } | null;
  key_concurrency: number | null;
}): Pick<QueueConfig, "rateLimit" | "keyConcurrency"> {
  const rate = queue.rate_limit;
  return {
    rateLimit:
      rate === null
        ? null
        : { limit: rate.limit, periodMs: Math.round(rate.period_seconds * 1000) },
    keyConcurrency: queue.key_concurrency,
  };
}
