/**
 * What the CLI's job and queue commands need from Spool, as one interface, so that each command
 * runs unchanged against a store opened directly (`--url`, this file's `LibraryBackend`) or
 * against a server over HTTP (`--server`, an HTTP-backed implementation).
 *
 * Contract for implementations: speak the library's types (camelCase records, `Date`s), and
 * throw the library's errors — `SpoolValidationError` naming the field for bad input,
 * `SpoolNotFoundError` for an unknown (or invisible) job, `SpoolConflictError` for a state
 * conflict — because the CLI maps exactly those to its exit codes 2, 3 and 4.
 */
import { SpoolNotFoundError } from "../core/errors.js";
import type { JobRecord } from "../core/job.js";
import type { JsonObject } from "../core/json.js";
import type { EnqueueRequest } from "../core/options.js";
import type { WaitingReason } from "../core/waiting-reason.js";
import type { WorkerPresence } from "../core/worker-presence.js";
import type { ScheduleOptions, ScheduleRecord } from "../core/schedule.js";
import type { Spool } from "../spool.js";
import type { JobLogs, LogsOptions } from "../spool-logs.js";
import type { EnqueuedJob, ListOptions, Stats } from "../spool-options.js";
import type { SavedSchedule } from "../spool-schedules.js";
import type { QueueConfig, QueuePatch, StateCounts } from "../store/store.js";

/** One page of jobs, newest first. */
export interface JobPage {
  jobs: JobRecord[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

/** A queue's settings with its jobs counted by state. */
export interface QueueSummary extends QueueConfig {
  counts: StateCounts;
}

/** Filters of `Backend.list` (the tenant comes from the connection, never from a flag). */
export type JobListFilter = Omit<ListOptions, "tenant">;

/** The operations of the CLI's job and queue commands; see the module header. */
export interface Backend {
  /** Where the commands go, for messages (`sqlite:./data/spool.db`, `http://host:8080`). */
  readonly target: string;
  /** Submits one job; resolves once it is committed. */
  enqueue(request: EnqueueRequest): Promise<EnqueuedJob>;
  /** The job, or null when there is none (or it is not the caller's). */
  get(id: string): Promise<JobRecord | null>;
  /** Jobs matching `filter`, newest first. */
  list(filter: JobListFilter): Promise<JobPage>;
  /** Cancels a job (a running one gets `cancelRequested` and stops cooperatively). */
  cancel(id: string): Promise<JobRecord>;
  /** Re-queues a failed or cancelled job. */
  retry(id: string): Promise<JobRecord>;
  /** Counts of jobs by state, of one queue or all. */
  stats(filter: { queue?: string }): Promise<Stats>;
  /** Every known queue with its settings and counts. */
  queues(): Promise<QueueSummary[]>;
  /** Stops claims from a queue (running jobs finish). */
  pauseQueue(name: string): Promise<QueueConfig>;
  /** Lets workers claim from a queue again. */
  resumeQueue(name: string): Promise<QueueConfig>;
  /** Changes a queue's settings (rate limit, key concurrency, concurrency; null clears). */
  updateQueue(name: string, patch: QueuePatch): Promise<QueueConfig>;
  /** Why a job waits; null when it is not waiting (or unknown). */
  explain(id: string): Promise<WaitingReason | null>;
  /** The live workers, by name. */
  workers(): Promise<WorkerPresence[]>;
  /** A page of a job's log lines, oldest first; null when there is no such job. */
  logs(id: string, options: Omit<LogsOptions, "tenant">): Promise<JobLogs | null>;
  /** Creates or replaces a cron schedule (in the connection's tenant). */
  schedule(request: ScheduleRequest): Promise<SavedSchedule>;
  /** The connection's schedules (an admin key over HTTP: every tenant's). */
  schedules(): Promise<ScheduleRecord[]>;
  /** Deletes a schedule; throws `SpoolNotFoundError` when there is none. */
  unschedule(name: string): Promise<void>;
  /** Pauses or resumes a schedule; throws `SpoolNotFoundError` when there is none. */
  setSchedulePaused(name: string, paused: boolean): Promise<ScheduleRecord>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** A schedule to save: `spool.schedule`'s arguments as one object. */
export interface ScheduleRequest {
  name: string;
  cron: string;
  type: string;
  payload: Record<string, unknown>;
  options: Omit<ScheduleOptions, "tenant">;
}

/** A `Backend` over a `Spool` instance (direct store access). */
export class LibraryBackend implements Backend {
  constructor(
    private readonly spool: Spool,
    readonly target: string,
  ) {}

  enqueue(request: EnqueueRequest): Promise<EnqueuedJob> {
    const { type, payload, ...options } = request;
    return this.spool.enqueue(type, payload, options);
  }

  get(id: string): Promise<JobRecord | null> {
    return this.spool.get(id);
  }

  list(filter: JobListFilter): Promise<JobPage> {
    return this.spool.list(filter);
  }

  cancel(id: string): Promise<JobRecord> {
    return this.spool.cancel(id);
  }

  retry(id: string): Promise<JobRecord> {
    return this.spool.retry(id);
  }

  stats(filter: { queue?: string }): Promise<Stats> {
    return this.spool.stats(filter);
  }

  async queues(): Promise<QueueSummary[]> {
    const configs = await this.spool.queues();
    return Promise.all(
      configs.map(async (config) => {
        const {
          totalJobs: _total,
          queueSize: _size,
          ...counts
        } = await this.spool.stats({
          queue: config.name,
        });
        return { ...config, counts };
      }),
    );
  }

  pauseQueue(name: string): Promise<QueueConfig> {
    return this.spool.pauseQueue(name);
  }

  resumeQueue(name: string): Promise<QueueConfig> {
    return this.spool.resumeQueue(name);
  }

  updateQueue(name: string, patch: QueuePatch): Promise<QueueConfig> {
    return this.spool.updateQueue(name, patch);
  }

  explain(id: string): Promise<WaitingReason | null> {
    return this.spool.explain(id);
  }

  workers(): Promise<WorkerPresence[]> {
    return this.spool.workers();
  }

  logs(id: string, options: Omit<LogsOptions, "tenant">): Promise<JobLogs | null> {
    return this.spool.logs(id, options);
  }

  schedule(request: ScheduleRequest): Promise<SavedSchedule> {
    const { name, cron, type, payload, options } = request;
    return this.spool.schedule(name, cron, type, payload as JsonObject, options);
  }

  schedules(): Promise<ScheduleRecord[]> {
    return this.spool.schedules();
  }

  async unschedule(name: string): Promise<void> {
    if (!(await this.spool.unschedule(name))) throw new SpoolNotFoundError("schedule", name);
  }

  setSchedulePaused(name: string, paused: boolean): Promise<ScheduleRecord> {
    return paused ? this.spool.pauseSchedule(name) : this.spool.resumeSchedule(name);
  }

  close(): Promise<void> {
    return this.spool.close();
  }
}
