/**
 * The PostgreSQL store (node-postgres): any number of API servers and worker processes on any
 * number of hosts share one database (SPEC §5). Semantics mirror the SQLite store exactly; the
 * statements live in sql/*.ts under the same names, with every divergence commented there, and
 * this class only composes the modules beside it.
 *
 * - Claims: one call of the server-side function `claim_jobs` (FOR UPDATE SKIP LOCKED, per-queue
 *   pause and concurrency limits that hold across hosts, due jobs promoted in the same
 *   transaction): job-claimer.ts.
 * - Worker writes are batched: one statement per batch of heartbeats, completions or releases
 *   (lease-writes.ts). Concurrent submissions share one INSERT and one commit (group commit,
 *   submission-batcher.ts); each caller still returns only once its jobs are committed.
 * - Wake-ups: writes that make jobs ready `pg_notify` the schema's channel once per queue, inside
 *   the write (so they commit with it); a dedicated LISTEN connection (notification-listener.ts)
 *   hands them to this process's listeners, and this process's own writes also notify its
 *   listeners directly.
 * - Every state change logs its job event in the same statement (event-log.ts).
 * - Time is never read from the database: every comparison uses the `now` passed in.
 * - Errors map to Spool errors in one function (postgres-errors.ts); while the database is down
 *   calls fail fast with `StoreUnavailableError` instead of hanging.
 */
import type { TenantCredits } from "../../core/quota.js";
import type { TenantFacts, TierPolicy } from "../../core/tiers.js";
import type { WorkerPresence, WorkerRegistration } from "../../core/worker-presence.js";
import * as quotas from "./quotas.js";
import * as tenants from "./tenants.js";
import type { ScheduleDefinition, ScheduleRecord } from "../../core/schedule.js";
import * as schedules from "./schedules.js";
import type pg from "pg";
import { LeaseLostError, SpoolValidationError, StoreUnavailableError } from "../../core/errors.js";
import { isUuid } from "../../core/ids.js";
import type { ClaimedJob, JobRecord } from "../../core/job.js";
import type { JobLogPage } from "../../core/job-logs.js";
import type { JobInput } from "../../core/options.js";
import type {
  ApiKeyRecord,
  ApiKeyRole,
  Completion,
  CompletionOutcome,
  EnqueueOutcome,
  Failure,
  JobFilter,
  JobLogAppend,
  JobLogAppendOutcome,
  JobsAvailableListener,
  Leadership,
  LeaseRenewal,
  LeaseRenewalOutcome,
  MigrationResult,
  MovedJob,
  QueueConfig,
  QueuePatch,
  QueueStats,
  QueueWaitingFacts,
  StateCounts,
  Store,
  StoreCapabilities,
  TableHealth,
  StoredJobEvent,
  WorkerHeartbeat,
} from "../store.js";
import * as apiKeys from "./api-keys.js";
import * as eventLog from "./event-log.js";
import * as jobLogs from "./job-logs.js";
import { recordFailure, rescueExpiredLeases } from "./failure-recorder.js";
import { claimJobs, type ClaimParams } from "./job-claimer.js";
import * as control from "./job-control.js";
import { insertJobs, writeSubmissionGroup } from "./job-inserter.js";
import * as maintenance from "./job-maintenance.js";
import { countJobsByState, listJobs } from "./job-queries.js";
import * as leadership from "./leadership.js";
import * as leaseWrites from "./lease-writes.js";
import { NotificationListener } from "./notification-listener.js";
import { parseDelayedWakeup, trafficWaitingFacts } from "./queue-traffic.js";
import { WakeupTimers } from "../wakeup-timers.js";
import * as tableHealth from "./table-health.js";
import { mapPostgresError } from "./postgres-errors.js";
import { migratePostgres } from "./postgres-migrator.js";
import {
  callerClient,
  clientConfig,
  createPool,
  prepareSchema,
  withReadTimeout,
  withTransaction,
  type PoolSettings,
  type Statements,
} from "./postgres-pool.js";
import * as insights from "./queue-insights.js";
import * as queueSettings from "./queue-settings.js";
import { channelName, type SchemaNames } from "./sql/names.js";
import { SubmissionBatcher } from "./submission-batcher.js";
import * as registry from "./worker-registry.js";
import * as flows from "./flows.js";
import type { BatchRecord } from "../../core/flows.js";
import type { BatchInput, FlowResolution, JobLinks, ParentResults } from "../flow-types.js";
import * as webhooks from "./webhooks.js";
import type {
  ClaimedWebhookDelivery,
  NewWebhookDelivery,
  WebhookAttemptReport,
  WebhookDelivery,
  WebhookRecord,
} from "../../core/webhook.js";

/** Options of the PostgreSQL store. */
export interface PostgresStoreOptions {
  /** How long a call waits for a connection before failing with StoreUnavailableError, ms. Default 5,000. */
  connectionTimeoutMs?: number;
  /**
   * Statement timeout of the API's list and count reads (listJobs, countJobsByState,
   * queueStats, jobPosition), ms: a read that runs longer is cancelled and fails with
   * StoreUnavailableError. Default 5,000.
   */
  readTimeoutMs?: number;
  /** Most pooled connections (the LISTEN connection comes on top). Default 10. */
  poolSize?: number;
  /** Schema of Spool's tables: `[a-z_][a-z0-9_]{0,62}`. Default `spool`. */
  schema?: string;
  /** `postgres://…` or `postgresql://…` connection URL. */
  url: string;
}

/** Default schema of Spool's tables. */
export const DEFAULT_POSTGRES_SCHEMA = "spool";
const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

/** The PostgreSQL store; see the module header. */
export class PostgresStore implements Store {
  readonly capabilities: StoreCapabilities = {
    listenNotify: true,
    skipLocked: true,
    transactionalEnqueue: true,
    tableMaintenance: true,
  };

  /** The schema this store works in. */
  readonly schema: string;
  /** The LISTEN/NOTIFY channel of the schema. */
  readonly channel: string;
  private readonly pool: pg.Pool;
  private readonly readTimeoutMs: number;
  private readonly names: SchemaNames;
  private readonly statements: Statements;
  private readonly listener: NotificationListener;
  private readonly listeners = new Set<JobsAvailableListener>();
  private readonly eventListeners = new Set<() => void>();
  /** Hints for rate-limited queues when their next start is allowed (claim_jobs notifies). */
  private readonly wakeups = new WakeupTimers((queue) => this.emit([queue]));
  private readonly batcher: SubmissionBatcher;
  private readonly publisherLockKey: string;
  private closing: Promise<void> | undefined;

  constructor(options: PostgresStoreOptions) {
    this.schema = options.schema ?? DEFAULT_POSTGRES_SCHEMA;
    if (!SCHEMA_RE.test(this.schema))
      throw new SpoolValidationError("schema", "must be a lower-case SQL identifier");
    this.readTimeoutMs = options.readTimeoutMs ?? 5_000;
    if (!Number.isInteger(this.readTimeoutMs) || this.readTimeoutMs < 1)
      throw new SpoolValidationError("readTimeoutMs", "must be a positive integer");
    const poolSize = options.poolSize ?? 10;
    if (!Number.isInteger(poolSize) || poolSize < 1)
      throw new SpoolValidationError("poolSize", "must be a positive integer");
    ({ names: this.names, statements: this.statements } = prepareSchema(this.schema));
    this.channel = channelName(this.schema);
    this.publisherLockKey = eventLog.publisherLockKey(this.schema);
    const settings: PoolSettings = {
      url: options.url,
      poolSize,
      connectionTimeoutMs: options.connectionTimeoutMs ?? 5_000,
      applicationName: `spool ${this.schema}`.slice(0, 63),
    };
    this.pool = createPool(settings);
    this.listener = new NotificationListener({
      channel: this.channel,
      clientConfig: clientConfig(settings, `spool-listener ${this.schema}`.slice(0, 63)),
      onNotification: (payload) => this.onNotification(payload),
    });
    this.batcher = new SubmissionBatcher({
      // Errors are mapped here already: the batcher must tell "database unavailable" (fail the
      // whole group) from a bad submission (retry each call alone).
      write: (group) =>
        writeSubmissionGroup(this.pool, this.statements, this.channel, group).catch(
          (error: unknown) => {
            throw mapPostgresError(error);
          },
        ),
    });
  }

  async migrate(): Promise<MigrationResult> {
    return this.guard(() => migratePostgres(this.pool, this.schema, this.names));
  }

  async ping(): Promise<void> {
    await this.guard(() => this.pool.query("SELECT 1"));
  }

  /** Stops the LISTEN connection, lets submissions in flight finish, then closes the pool. */
  async close(): Promise<void> {
    this.closing ??= (async () => {
      this.listeners.clear();
      this.wakeups.clear();
      await this.listener.stop();
      await this.batcher.drain();
      await this.pool.end();
    })();
    return this.closing;
  }

  async enqueueJobs(params: {
    jobs: readonly JobInput[];
    now: number;
    client?: unknown;
    tiers?: TierPolicy;
  }): Promise<EnqueueOutcome[]> {
    if (params.jobs.length === 0) return [];
    const submission = { jobs: params.jobs, now: params.now, tiers: params.tiers };
    if (params.client !== undefined) {
      // Inside the caller's transaction: no BEGIN/COMMIT of ours, and no direct wake-up either,
      // since only the caller knows whether it commits; the NOTIFY commits with their data.
      const client = callerClient(params.client);
      return this.guardWrite(async () => {
        const [outcomes] = await insertJobs(client, this.statements, this.channel, [submission]);
        return outcomes!;
      });
    }
    const outcomes = await this.guardWrite(() => this.batcher.submit(submission));
    this.notifyQueues(
      outcomes.filter((o) => !o.duplicate && o.job.status === "queued").map((o) => o.job.queue),
    );
    return outcomes;
  }

  async claimJobs(params: ClaimParams): Promise<ClaimedJob[]> {
    if (params.limit <= 0 || params.queues.length === 0) return [];
    return this.guardWrite(() => claimJobs(this.pool, this.statements, this.channel, params));
  }

  async extendLeases(params: {
    leases: readonly LeaseRenewal[];
    leaseMs: number;
    now: number;
  }): Promise<LeaseRenewalOutcome[]> {
    if (params.leases.length === 0) return [];
    return this.guardWrite(() => leaseWrites.extendLeases(this.pool, this.statements, params));
  }

  async completeJobs(params: {
    completions: readonly Completion[];
    now: number;
  }): Promise<CompletionOutcome[]> {
    if (params.completions.length === 0) return [];
    return this.guardWrite(() => leaseWrites.completeJobs(this.pool, this.statements, params));
  }

  async failJob(
    params: Failure & { now: number },
  ): Promise<{ status: "retrying" | "failed" | "cancelled"; runAt: Date }> {
    if (!isUuid(params.id)) throw new LeaseLostError(params.id);
    const row = await this.guardWrite(() => recordFailure(this.pool, this.statements, params));
    if (row === undefined) throw new LeaseLostError(params.id);
    return { status: row.status, runAt: new Date(row.run_at) };
  }

  async releaseJobs(params: {
    leases: readonly { id: string; leaseToken: string }[];
    now: number;
  }): Promise<number> {
    if (params.leases.length === 0) return 0;
    const queues = await this.guardWrite(() =>
      leaseWrites.releaseJobs(this.pool, this.statements, this.channel, params),
    );
    this.notifyQueues(queues);
    return queues.length;
  }

  async findCancelRequested(params: { ids: readonly string[] }): Promise<string[]> {
    return this.guard(() =>
      leaseWrites.findCancelRequested(this.pool, this.statements, params.ids),
    );
  }

  async cancelJob(params: { id: string; tenant?: string; now: number }): Promise<JobRecord> {
    return this.guardWrite(() => control.cancelJob(this.pool, this.statements, params));
  }

  async retryJob(params: { id: string; tenant?: string; now: number }): Promise<JobRecord> {
    const job = await this.guardWrite(() =>
      control.retryJob(this.pool, this.statements, this.channel, params),
    );
    this.notifyQueues([job.queue]);
    return job;
  }

  async getJob(params: { id: string; tenant?: string }): Promise<JobRecord | null> {
    return this.guard(() => control.getJob(this.pool, this.statements, params));
  }

  async listJobs(
    params: JobFilter & { limit: number; cursor?: string },
  ): Promise<{ jobs: JobRecord[]; nextCursor: string | null }> {
    return this.guard(() =>
      withReadTimeout(this.pool, this.readTimeoutMs, (client) =>
        listJobs(client, this.statements, params),
      ),
    );
  }

  async countJobsByState(params: { tenant?: string; queue?: string }): Promise<StateCounts> {
    return this.guard(() =>
      withReadTimeout(this.pool, this.readTimeoutMs, (client) =>
        countJobsByState(client, this.statements, params),
      ),
    );
  }

  async rescueExpiredLeases(params: {
    now: number;
    limit: number;
    random: () => number;
  }): Promise<MovedJob[]> {
    return this.guardWrite(() =>
      withTransaction(this.pool, (client) => rescueExpiredLeases(client, this.statements, params)),
    );
  }

  async promoteDueJobs(params: { now: number; limit: number }): Promise<MovedJob[]> {
    const moved = await this.guard(() =>
      maintenance.promoteDueJobs(this.pool, this.statements, this.channel, params),
    );
    this.notifyQueues(moved.map((job) => job.queue));
    return moved;
  }

  async pruneFinishedJobs(params: {
    completedBefore: number;
    failedBefore: number;
    cancelledBefore: number;
    limit: number;
  }): Promise<number> {
    return this.guard(() => maintenance.pruneFinishedJobs(this.pool, this.statements, params));
  }

  async foldJobCounts(): Promise<number> {
    return this.guard(() => maintenance.foldJobCounts(this.pool, this.statements));
  }

  async listQueues(): Promise<QueueConfig[]> {
    return this.guard(() => queueSettings.listQueues(this.pool, this.statements));
  }

  async updateQueue(params: {
    name: string;
    patch: QueuePatch;
    now: number;
  }): Promise<QueueConfig> {
    const config = await this.guard(() =>
      queueSettings.updateQueue(this.pool, this.statements, this.channel, params),
    );
    if (queueSettings.patchWakesWorkers(params.patch)) this.notifyQueues([params.name]);
    return config;
  }

  async queueStats(params: {
    now: number;
    windowMs: number;
    tenant?: string;
  }): Promise<QueueStats[]> {
    return this.guard(() =>
      withReadTimeout(this.pool, this.readTimeoutMs, (client) =>
        insights.queueStats(client, this.statements, params),
      ),
    );
  }

  async oldestQueuedRunAt(params: { queue: string }): Promise<number | null> {
    return this.guard(() => insights.oldestQueuedRunAt(this.pool, this.statements, params.queue));
  }

  async jobPosition(params: {
    job: Pick<JobRecord, "id" | "queue" | "priority" | "runAt">;
    limit: number;
    tenant?: string;
  }): Promise<number> {
    return this.guard(() =>
      withReadTimeout(this.pool, this.readTimeoutMs, (client) =>
        insights.jobPosition(
          client,
          this.statements,
          params.job,
          params.limit,
          params.tenant ?? null,
        ),
      ),
    );
  }

  async readJobEvents(params: { afterSeq: number; limit: number }): Promise<StoredJobEvent[]> {
    return this.guard(() =>
      eventLog.readJobEvents(this.pool, this.statements, this.publisherLockKey, params),
    );
  }

  async latestJobEventSeq(): Promise<number> {
    return this.guard(() =>
      eventLog.latestJobEventSeq(this.pool, this.statements, this.publisherLockKey),
    );
  }

  async pruneJobEvents(params: { keep: number }): Promise<number> {
    return this.guard(() =>
      eventLog.pruneJobEvents(this.pool, this.statements, this.publisherLockKey, params.keep),
    );
  }

  async createApiKey(params: {
    id: string;
    hash: string;
    prefix: string;
    name: string | null;
    role: ApiKeyRole;
    tenant: string;
    queues: string[] | null;
    now: number;
  }): Promise<ApiKeyRecord> {
    return this.guard(() => apiKeys.createApiKey(this.pool, this.statements, params));
  }

  async findApiKey(params: { hash: string }): Promise<ApiKeyRecord | null> {
    return this.guard(() => apiKeys.findApiKey(this.pool, this.statements, params.hash));
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    return this.guard(() => apiKeys.listApiKeys(this.pool, this.statements));
  }

  async revokeApiKey(params: { id: string; now: number }): Promise<ApiKeyRecord> {
    return this.guard(() =>
      apiKeys.revokeApiKey(this.pool, this.statements, params.id, params.now),
    );
  }

  /**
   * Subscribes to "jobs may be ready" hints: this process's own writes, plus every process's
   * NOTIFYs through the LISTEN connection (opened on the first subscription, closed after the
   * last), plus a `null` after that connection recovers from a drop.
   */
  async setTenantQuota(params: Parameters<Store["setTenantQuota"]>[0]): Promise<TenantCredits> {
    return this.guard(() => quotas.setTenantQuota(this.pool, this.statements, params));
  }

  async tenantCredits(params: Parameters<Store["tenantCredits"]>[0]): Promise<TenantCredits> {
    return this.guard(() =>
      quotas.tenantCredits(this.pool, this.statements, params.tenant, params.now, params.tiers),
    );
  }

  async putTenant(params: Parameters<Store["putTenant"]>[0]): Promise<TenantFacts> {
    return this.guard(() => tenants.putTenant(this.pool, this.statements, params));
  }

  async getTenant(params: { tenant: string; now: number }): Promise<TenantFacts> {
    return this.guard(() =>
      tenants.getTenant(this.pool, this.statements, params.tenant, params.now),
    );
  }

  async listTenants(params: Parameters<Store["listTenants"]>[0]): Promise<TenantFacts[]> {
    return this.guard(() => tenants.listTenants(this.pool, this.statements, params));
  }

  async registerWorker(params: {
    worker: WorkerRegistration;
    now: number;
  }): Promise<WorkerPresence> {
    return this.guard(() =>
      registry.registerWorker(this.pool, this.statements, params.worker, params.now),
    );
  }

  async heartbeatWorkers(params: {
    workers: readonly WorkerHeartbeat[];
    now: number;
  }): Promise<string[]> {
    return this.guard(() =>
      registry.heartbeatWorkers(this.pool, this.statements, params.workers, params.now),
    );
  }

  async listWorkers(params: { now: number; tenant?: string }): Promise<WorkerPresence[]> {
    return this.guard(() => registry.listWorkers(this.pool, this.statements, params));
  }

  async removeWorker(params: { id: string }): Promise<boolean> {
    return this.guard(() => registry.removeWorker(this.pool, this.statements, params.id));
  }

  async pruneWorkers(params: { now: number; limit: number }): Promise<number> {
    return this.guard(() =>
      registry.pruneWorkers(this.pool, this.statements, params.now, params.limit),
    );
  }

  async queueWaitingFacts(params: {
    queue: string;
    now: number;
    concurrencyKey?: string | null;
  }): Promise<QueueWaitingFacts> {
    return this.guard(async () => ({
      ...(await registry.queueWaitingFacts(this.pool, this.statements, params.queue, params.now)),
      ...(await trafficWaitingFacts(this.pool, this.statements, params)),
    }));
  }

  async readTableHealth(): Promise<TableHealth[]> {
    return this.guard(() => tableHealth.readTableHealth(this.pool, this.statements, this.schema));
  }

  // Webhook subscriptions and deliveries: webhooks.ts.
  async createWebhook(p: { webhook: WebhookRecord }): Promise<WebhookRecord> {
    return this.guard(() => webhooks.createWebhook(this.pool, this.statements, p.webhook));
  }
  async listWebhooks(p: { tenant?: string }): Promise<WebhookRecord[]> {
    return this.guard(() => webhooks.listWebhooks(this.pool, this.statements, p.tenant));
  }
  async getWebhook(p: { id: string; tenant?: string }): Promise<WebhookRecord | null> {
    return this.guard(() => webhooks.getWebhook(this.pool, this.statements, p.id, p.tenant));
  }
  async deleteWebhook(p: { id: string; tenant?: string }): Promise<WebhookRecord | null> {
    return this.guard(() => webhooks.deleteWebhook(this.pool, this.statements, p.id, p.tenant));
  }
  async readWebhookCursor(): Promise<number | null> {
    return this.guard(() => webhooks.readWebhookCursor(this.pool, this.statements));
  }
  async enqueueWebhookDeliveries(p: {
    deliveries: readonly NewWebhookDelivery[];
    cursorSeq: number;
    now: number;
  }): Promise<number> {
    return this.guard(() => webhooks.enqueueWebhookDeliveries(this.pool, this.statements, p));
  }
  async claimWebhookDeliveries(p: {
    limit: number;
    leaseMs: number;
    now: number;
  }): Promise<ClaimedWebhookDelivery[]> {
    return this.guard(() => webhooks.claimWebhookDeliveries(this.pool, this.statements, p));
  }
  async recordWebhookAttempt(p: { report: WebhookAttemptReport; now: number }): Promise<boolean> {
    return this.guard(() =>
      webhooks.recordWebhookAttempt(this.pool, this.statements, p.report, p.now),
    );
  }
  async listWebhookDeliveries(
    p: Parameters<Store["listWebhookDeliveries"]>[0],
  ): Promise<{ deliveries: WebhookDelivery[]; nextCursor: string | null }> {
    return this.guard(() => webhooks.listWebhookDeliveries(this.pool, this.statements, p));
  }
  async redeliverWebhookDelivery(
    p: Parameters<Store["redeliverWebhookDelivery"]>[0],
  ): Promise<WebhookDelivery> {
    return this.guard(() => webhooks.redeliverWebhookDelivery(this.pool, this.statements, p));
  }

  async vacuumTable(params: { table: string; analyzeOnly?: boolean }): Promise<boolean> {
    return this.guard(() =>
      tableHealth.vacuumTable(
        this.pool,
        this.statements,
        this.schema,
        params.table,
        params.analyzeOnly,
      ),
    );
  }

  async acquireLeadership(params: {
    name: string;
    holder: string;
    leaseMs: number;
    now: number;
  }): Promise<Leadership> {
    return this.guard(() => leadership.acquireLeadership(this.pool, this.statements, params));
  }

  async releaseLeadership(params: { name: string; holder: string }): Promise<void> {
    await this.guard(() => leadership.releaseLeadership(this.pool, this.statements, params));
  }

  async appendJobLogs(params: {
    entries: readonly JobLogAppend[];
    keepLines: number;
    now: number;
  }): Promise<JobLogAppendOutcome[]> {
    return this.guard(() => jobLogs.appendJobLogs(this.pool, this.statements, params));
  }

  async readJobLogs(params: {
    id: string;
    tenant?: string;
    attempt?: number;
    afterSeq: number;
    limit: number;
  }): Promise<JobLogPage | null> {
    return this.guard(() => jobLogs.readJobLogs(this.pool, this.statements, params));
  }

  async enqueueFlow(params: {
    jobs: readonly JobInput[];
    batch: BatchInput | null;
    now: number;
    /** The tier policy the new jobs are charged under, as for `enqueueJobs`. */
    tiers?: TierPolicy | undefined;
  }): Promise<EnqueueOutcome[]> {
    const outcomes = await this.guardWrite(() =>
      flows.insertFlow(this.pool, this.statements, this.channel, params),
    );
    this.notifyQueues(outcomes.filter((o) => o.job.status === "queued").map((o) => o.job.queue));
    return outcomes;
  }

  async resolveFlows(params: { now: number; limit: number }): Promise<FlowResolution> {
    const { queues, ...resolution } = await this.guardWrite(() =>
      flows.resolveFlows(this.pool, this.statements, this.channel, params),
    );
    this.notifyQueues(queues);
    return resolution;
  }

  async readParentResults(params: { ids: readonly string[] }): Promise<ParentResults> {
    const ids = params.ids.filter((id) => isUuid(id));
    return this.guard(() => flows.readParentResults(this.pool, this.statements, ids));
  }

  async readJobLinks(params: { id: string }): Promise<JobLinks> {
    if (!isUuid(params.id)) return { batchId: null, dependsOn: [], waitingOn: 0 };
    return this.guard(() => flows.readJobLinks(this.pool, this.statements, params.id));
  }

  async getBatch(params: { id: string; tenant?: string }): Promise<BatchRecord | null> {
    if (!isUuid(params.id)) return null;
    return this.guard(() => flows.getBatch(this.pool, this.statements, params));
  }

  async saveSchedule(params: {
    schedule: ScheduleDefinition;
    now: number;
  }): Promise<{ schedule: ScheduleRecord; created: boolean }> {
    return this.guard(() => schedules.saveSchedule(this.pool, this.statements, params));
  }

  async getSchedule(params: { tenant: string; name: string }): Promise<ScheduleRecord | null> {
    return this.guard(() => schedules.getSchedule(this.pool, this.statements, params));
  }

  async listSchedules(params: { tenant?: string }): Promise<ScheduleRecord[]> {
    return this.guard(() => schedules.listSchedules(this.pool, this.statements, params));
  }

  async deleteSchedule(params: { tenant: string; name: string }): Promise<boolean> {
    return this.guard(() => schedules.deleteSchedule(this.pool, this.statements, params));
  }

  async setSchedulePaused(
    params: Parameters<Store["setSchedulePaused"]>[0],
  ): Promise<ScheduleRecord | null> {
    return this.guard(() => schedules.setSchedulePaused(this.pool, this.statements, params));
  }

  async dueSchedules(params: { now: number; limit: number }): Promise<ScheduleRecord[]> {
    return this.guard(() => schedules.dueSchedules(this.pool, this.statements, params));
  }

  async enqueueScheduledJob(
    params: Parameters<Store["enqueueScheduledJob"]>[0],
  ): Promise<EnqueueOutcome | null> {
    const outcome = await this.guardWrite(() =>
      schedules.enqueueScheduledJob(this.pool, this.statements, this.channel, params),
    );
    if (outcome !== null && !outcome.duplicate) this.notifyQueues([outcome.job.queue]);
    return outcome;
  }

  onEventsWritten(listener: () => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onJobsAvailable(listener: JobsAvailableListener): () => void {
    if (this.closing !== undefined) return () => undefined;
    this.listeners.add(listener);
    this.listener.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) void this.listener.stop();
    };
  }

  /** A queue name (jobs may be ready), `<queue> +<ms>` (ready after a delay), or null (any). */
  private onNotification(payload: string | null): void {
    const delayed = payload === null ? null : parseDelayedWakeup(payload);
    if (delayed === null) this.emit([payload]);
    else this.wakeups.schedule(delayed.queue, delayed.delayMs);
  }

  /** Tells this process's listeners that jobs may be ready in `queues`. */
  private notifyQueues(queues: readonly string[]): void {
    if (queues.length === 0 || this.listeners.size === 0) return;
    const unique = [...new Set(queues)];
    queueMicrotask(() => this.emit(unique));
  }

  private emit(queues: readonly (string | null)[]): void {
    for (const listener of this.listeners) {
      for (const queue of queues) {
        try {
          listener(queue);
        } catch {
          // A listener's failure must not stop the others; listeners log their own errors.
        }
      }
    }
  }

  /** `guard` for a write that may log job events: tells `onEventsWritten` listeners after. */
  private async guardWrite<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await this.guard(fn);
    } finally {
      for (const listener of [...this.eventListeners]) listener();
    }
  }

  /** Runs `fn`, mapping driver errors to Spool errors in one place. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closing !== undefined)
      throw new StoreUnavailableError("the store is closed", { retryable: false });
    try {
      return await fn();
    } catch (error) {
      throw mapPostgresError(error);
    }
  }
}
