/**
 * The library API (SPEC §3): `Spool.open()` → enqueue, inspect, control, run workers, listen to
 * events, close. It composes a store, workers and the maintenance runner.
 */
import type { z } from "zod";
import { systemClock, type Clock } from "./core/clock.js";
import { SpoolError, SpoolValidationError } from "./core/errors.js";
import type { JobEventMap } from "./core/events.js";
import type { EventFeed } from "./events/event-feed.js";
import { SpoolEvents } from "./spool-events.js";
import type { JobRecord } from "./core/job.js";
import { isPlainObject, type JsonObject } from "./core/json.js";
import type { Logger } from "./core/logger.js";
import type { EnqueueOptions, EnqueueRequest, JobInput } from "./core/options.js";
import type { TenantCredits } from "./core/quota.js";
import type { TenantSettings, TierPolicy } from "./core/tiers.js";
import * as tenantOps from "./spool-tenants.js";
import * as args from "./spool-args.js";
import { stderrLogger } from "./default-logger.js";
import type { MaintenanceRunner } from "./maintenance/runner.js";
import { createMaintenance } from "./spool-maintenance.js";
import type { QueueConfig, QueuePatch, Store } from "./store/store.js";
import { readWaitingReason } from "./store/waiting-reason-reader.js";
import type { WaitingReason } from "./core/waiting-reason.js";
import type { WorkerPresence } from "./core/worker-presence.js";
import { Worker, type WorkerOptions } from "./worker/worker.js";
import {
  type spoolOptionsSchema,
  type EnqueuedJob,
  type ListOptions,
  type SpoolOptions,
  type Stats,
  type TransactionOption,
} from "./spool-options.js";
import { readLogs, type JobLogs, type LogsOptions } from "./spool-logs.js";
import type { ScheduleOptions, ScheduleRecord } from "./core/schedule.js";
import { SpoolSchedules, type SavedSchedule, type ScheduleScope } from "./spool-schedules.js";
import { SpoolAdmin } from "./spool-admin.js";
import { SpoolWebhooks } from "./spool-webhooks.js";
import { SpoolWorkers } from "./spool-workers.js";
import type { BatchRecord } from "./core/flows.js";
import type { BatchInput } from "./store/flow-types.js";
import { batchIdOf, submitBatch, type BatchOptions, type SubmittedBatch } from "./spool-flows.js";

/** The Spool library entry point. */
export class Spool {
  /** The store behind this instance. */
  readonly store: Store;
  /** The configured tiers and default tier (`tiers`, `defaultTier` options). */
  readonly tierPolicy: TierPolicy;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly random: () => number;
  private readonly events: SpoolEvents;
  private readonly maintenance: MaintenanceRunner;
  private readonly ownWorkers = new Set<Worker>();
  private readonly maxPayloadBytes: number;
  private readonly maxResultBytes: number;
  private readonly cron: SpoolSchedules;
  private closed = false;
  /** Remote workers' calls (claim, renew, complete, fail, logs, presence; HTTP worker routes). */
  readonly remoteWorkers: SpoolWorkers;
  /** Admin and read calls of the HTTP API (health, API keys, queue statistics, job links). */
  readonly admin: SpoolAdmin;
  /** Webhook subscriptions and deliveries (HTTP webhook routes and deliverer). */
  readonly webhooks: SpoolWebhooks;

  private constructor(
    store: Store,
    options: z.output<typeof spoolOptionsSchema>,
    tierPolicy: TierPolicy,
  ) {
    this.store = store;
    this.tierPolicy = tierPolicy;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? stderrLogger;
    this.random = options.random ?? Math.random;
    this.maxPayloadBytes = options.maxPayloadBytes;
    this.maxResultBytes = options.maxResultBytes;
    this.cron = new SpoolSchedules(store, this.clock, this.maxPayloadBytes);
    this.events = new SpoolEvents(store, this.logger);
    this.remoteWorkers = new SpoolWorkers(store, this.clock, this.random);
    this.admin = new SpoolAdmin(store, this.clock);
    this.webhooks = new SpoolWebhooks(store, this.clock);
    this.maintenance = createMaintenance({
      store,
      clock: this.clock,
      logger: this.logger,
      random: this.random,
      intervals: typeof options.maintenance === "object" ? options.maintenance : {},
      retention: options.retention,
      tiers: tierPolicy,
    });
    if (options.maintenance !== false) this.maintenance.start();
  }

  /** Opens the store (migrating it unless `migrate: false`) and starts maintenance. */
  static async open(options: SpoolOptions = {}): Promise<Spool> {
    const { store, resolved, tierPolicy } = await args.openParts(options);
    return new Spool(store, resolved, tierPolicy);
  }

  /**
   * Submits one job; resolves once it is committed. With `client` (PostgreSQL), the job is
   * inserted in the caller's open transaction and commits or rolls back with it.
   */
  async enqueue(
    type: string,
    payload?: JsonObject,
    options?: EnqueueOptions & TransactionOption,
  ): Promise<EnqueuedJob> {
    if (options !== undefined && !isPlainObject(options)) {
      throw new SpoolValidationError("options", "must be an object");
    }
    const { client, ...rest } = options ?? {};
    const [job] = await this.submit([this.validate(type, payload, rest, "")], { client });
    return job!;
  }

  /** Submits several jobs in one transaction: all are committed, or none. */
  async enqueueMany(
    requests: readonly EnqueueRequest[],
    options: TransactionOption = {},
  ): Promise<EnqueuedJob[]> {
    const inputs = args.validateRequests(requests, (type, payload, rest, prefix) =>
      this.validate(type, payload, rest, prefix),
    );
    return this.submit(inputs, options);
  }

  /** Validates one submission (used by the HTTP layer too, which maps its own field names). */
  validate(type: unknown, payload: unknown, options: unknown, prefix: string): JobInput {
    this.assertOpen();
    const at = { now: this.clock.now(), maxPayloadBytes: this.maxPayloadBytes };
    return args.validateOne(type, payload, options, prefix, at);
  }

  /** Inserts validated jobs (the store logs `job.queued` for the new ones). */
  async submit(
    inputs: readonly JobInput[],
    options: TransactionOption & { batch?: BatchInput } = {},
  ): Promise<EnqueuedJob[]> {
    this.assertOpen();
    await this.events.settled();
    return args.submitJobs(
      { store: this.store, tiers: this.tierPolicy, now: this.clock.now() },
      inputs,
      options,
    );
  }

  /** Creates a worker (not started) for `options.queues`. */
  worker(options: WorkerOptions): Worker {
    this.assertOpen();
    const { store, clock, logger, random, maxResultBytes } = this;
    const ready = () => this.events.settled();
    const worker = new Worker({ store, clock, logger, random, maxResultBytes, ready }, options);
    this.ownWorkers.add(worker);
    worker.on("worker.stopped", () => this.ownWorkers.delete(worker));
    return worker;
  }

  /** The job, or null when there is none with that id. */
  async get(id: string, options: { tenant?: string } = {}): Promise<JobRecord | null> {
    this.assertOpen();
    return this.store.getJob({ id: args.jobIdOf(id), ...args.tenantOf(options) });
  }

  /**
   * Why a waiting job has not started (`{ code, message }`, SPEC §6 "Explained waiting"); null
   * when the job is running or final, or when there is no such job.
   */
  async explain(id: string, options: { tenant?: string } = {}): Promise<WaitingReason | null> {
    const job = await this.get(id, options);
    return job === null ? null : readWaitingReason(this.store, job, this.clock.now());
  }

  /** A page of the job's log lines, oldest first (SPEC §8); null when there is no such job. */
  async logs(id: string, options: LogsOptions = {}): Promise<JobLogs | null> {
    this.assertOpen();
    return readLogs(this.store, args.jobIdOf(id), options);
  }

  /** Live workers (in-process, `spool worker` and remote), by name; optionally one tenant's. */
  async workers(options: { tenant?: string } = {}): Promise<WorkerPresence[]> {
    this.assertOpen();
    return this.store.listWorkers({ now: this.clock.now(), ...args.tenantOf(options) });
  }

  /** Jobs newest first, one page at a time. */
  async list(options: ListOptions = {}): Promise<{ jobs: JobRecord[]; nextCursor: string | null }> {
    this.assertOpen();
    return this.store.listJobs(args.listParams(options));
  }

  /**
   * Cancels a job. A waiting job is `cancelled` at once; a running one gets `cancelRequested`,
   * its handler's signal fires, and it ends `cancelled`. Throws `SpoolConflictError` when the
   * job is already final and `SpoolNotFoundError` when it does not exist.
   */
  async cancel(id: string, options: { tenant?: string } = {}): Promise<JobRecord> {
    this.assertOpen();
    const jobId = args.jobIdOf(id);
    await this.events.settled();
    const scope = args.tenantOf(options);
    const job = await this.store.cancelJob({ id: jobId, now: this.clock.now(), ...scope });
    if (job.status !== "cancelled") {
      for (const worker of this.ownWorkers) worker.notifyCancelled(jobId);
    }
    return job;
  }

  /** Moves a `failed` or `cancelled` job back to `queued`, attempts reset (the "redrive"). */
  async retry(id: string, options: { tenant?: string } = {}): Promise<JobRecord> {
    this.assertOpen();
    const jobId = args.jobIdOf(id);
    await this.events.settled();
    return this.store.retryJob({ id: jobId, now: this.clock.now(), ...args.tenantOf(options) });
  }

  /** Counts of jobs by state, for everything or one queue / tenant. */
  async stats(options: { queue?: string; tenant?: string } = {}): Promise<Stats> {
    this.assertOpen();
    return args.readStats(this.store, options);
  }

  /** Settings of every known queue. */
  async queues(): Promise<QueueConfig[]> {
    this.assertOpen();
    return this.store.listQueues();
  }

  /** Stops claims from `queue` everywhere (running jobs finish). */
  async pauseQueue(queue: string): Promise<QueueConfig> {
    return this.updateQueue(queue, { paused: true });
  }

  /** Lets workers claim from `queue` again. */
  async resumeQueue(queue: string): Promise<QueueConfig> {
    return this.updateQueue(queue, { paused: false });
  }

  /** Changes a queue's settings (concurrency limit, defaults of new jobs, paused). */
  async updateQueue(queue: string, patch: QueuePatch): Promise<QueueConfig> {
    this.assertOpen();
    return args.updateQueue(this.store, queue, patch, this.clock.now());
  }

  /**
   * Sets a tenant's quota override: at most `dailyLimit` new jobs per UTC day and
   * `monthlyLimit` per UTC month; a null field falls back to the tenant's tier (both null:
   * no override). Submissions over the limits throw `QuotaExceededError` (HTTP 429) and write
   * nothing.
   */
  async setTenantQuota(tenant: string, limits: tenantOps.QuotaLimits): Promise<TenantCredits> {
    return tenantOps.setQuotaOverride(this.tenantContext(), tenant, limits);
  }

  /** A tenant's credits: its tier, effective limits and what it used today and this month. */
  async credits(tenant: string): Promise<TenantCredits> {
    return tenantOps.readCredits(this.tenantContext(), tenant);
  }

  /** Sets a tenant's tier (a configured one, or null) and/or fair-scheduling weight (1–1000). */
  async setTenant(
    tenant: string,
    settings: tenantOps.TenantSettingsPatch,
  ): Promise<TenantSettings> {
    return tenantOps.setTenantSettings(this.tenantContext(), tenant, settings);
  }

  /** A tenant's tier, weight, quota override and credits. */
  async tenant(tenant: string): Promise<TenantSettings> {
    return tenantOps.readTenantSettings(this.tenantContext(), tenant);
  }

  /** Tenants that have a tier, a weight or a quota set, by name. */
  async tenants(options: tenantOps.ListTenantsOptions = {}): Promise<TenantSettings[]> {
    return tenantOps.listTenantSettings(this.tenantContext(), options);
  }

  /** Submits jobs as one batch (all or nothing); `onComplete` runs once all are final. */
  async batch(
    requests: readonly EnqueueRequest[],
    options: BatchOptions = {},
  ): Promise<SubmittedBatch> {
    this.assertOpen();
    return submitBatch(this, requests, options, this.clock.now());
  }

  /** A batch with its jobs' counts by state and progress, or null (also another tenant's). */
  async getBatch(id: string, options: { tenant?: string } = {}): Promise<BatchRecord | null> {
    this.assertOpen();
    return this.store.getBatch({ id: batchIdOf(id), ...args.tenantOf(options) });
  }

  /**
   * Creates or replaces the cron schedule `name` (SPEC §8): one `type` job per tick of `cron`
   * (5 fields, or 6 with seconds first) in `opts.timezone` (default UTC), enqueued exactly once
   * per tick by the maintenance leader. See docs/api.md "Cron schedules".
   */
  schedule(
    name: string,
    cron: string,
    type: string,
    payload?: JsonObject,
    opts?: ScheduleOptions,
  ): Promise<SavedSchedule> {
    this.assertOpen();
    return this.cron.schedule(name, cron, type, payload, opts);
  }

  /** Deletes a schedule (its jobs stay); false when there was none. */
  unschedule(name: string, scope: ScheduleScope = {}): Promise<boolean> {
    this.assertOpen();
    return this.cron.unschedule(name, scope);
  }

  /** Every schedule (one tenant's with `tenant`), with `nextRunAt` and `lastRunAt`. */
  schedules(scope: ScheduleScope = {}): Promise<ScheduleRecord[]> {
    this.assertOpen();
    return this.cron.list(scope);
  }

  /** One schedule, or null. */
  getSchedule(name: string, scope: ScheduleScope = {}): Promise<ScheduleRecord | null> {
    this.assertOpen();
    return this.cron.get(name, scope);
  }

  /** Stops enqueueing a schedule's ticks; throws `SpoolNotFoundError` when there is none. */
  pauseSchedule(name: string, scope: ScheduleScope = {}): Promise<ScheduleRecord> {
    this.assertOpen();
    return this.cron.setPaused(name, true, scope);
  }

  /** Enqueues a schedule's ticks again, from the first one after now. */
  resumeSchedule(name: string, scope: ScheduleScope = {}): Promise<ScheduleRecord> {
    this.assertOpen();
    return this.cron.setPaused(name, false, scope);
  }

  /**
   * Listens to a job event; returns a function that stops listening. Events come from the store's
   * log: every process's, in commit order, each with its `seq`, delivered asynchronously.
   */
  on<K extends keyof JobEventMap>(name: K, listener: (event: JobEventMap[K]) => void): () => void {
    return this.events.on(name, listener);
  }

  /** Listens to one occurrence of a job event. */
  once<K extends keyof JobEventMap>(
    name: K,
    listener: (event: JobEventMap[K]) => void,
  ): () => void {
    return this.events.once(name, listener);
  }

  /** Stops listening. */
  off<K extends keyof JobEventMap>(name: K, listener: (event: JobEventMap[K]) => void): void {
    this.events.off(name, listener);
  }

  /** This Spool's event feed (one per process; SSE, `/ws`, webhooks and metrics read it). */
  async eventFeed(): Promise<EventFeed> {
    this.assertOpen();
    return this.events.feedStarted();
  }

  /** Runs every maintenance service once (rescue, promote, prune) at `now`. */
  async runMaintenance(now: number = this.clock.now()): Promise<Record<string, number>> {
    this.assertOpen();
    await this.events.settled();
    return this.maintenance.runOnce(now);
  }

  /** Stops workers still running (gracefully), maintenance, and closes the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.ownWorkers].map((worker) => worker.stop()));
    this.closed = true;
    await this.maintenance.stop();
    await this.events.close();
    await this.store.close();
  }

  private tenantContext(): tenantOps.TenantContext {
    this.assertOpen();
    return { store: this.store, tiers: this.tierPolicy, now: this.clock.now() };
  }

  private assertOpen(): void {
    if (this.closed) throw new SpoolError("closed", "this Spool instance is closed");
  }

  /** The instance's clock, ms since the epoch (the `clock` option; the HTTP API's "now"). */
  now(): number {
    return this.clock.now();
  }
}
