/**
 * The PostgreSQL store (node-postgres): any number of API servers and worker processes on any
 * number of hosts share one database (SPEC §5). Semantics mirror the SQLite store exactly. This
 * class only composes the capability modules beside it, which mirror src/store/sqlite/ file for
 * file (docs/design.md, "Mirrored stores"; shared logic in ../shared/). Claims: one call of
 * `claim_jobs` (job-claimer.ts); worker writes: one statement per batch (lease-writes.ts);
 * submissions: group commit; wake-ups: `pg_notify` inside the write (LISTEN and error mapping
 * in postgres-connection.ts). Every state change logs its event in the same statement
 * (event-log.ts). Time is never read from the database: comparisons use the `now` passed in.
 */
import { isUuid } from "../../core/ids.js";
import type { ClaimedJob } from "../../core/job.js";
import type { JobsAvailableListener, Store, StoreCapabilities } from "../store.js";
import { JobsAvailableHub } from "../shared/jobs-available-hub.js";
import type { StoreParams as In, StoreResult as Out } from "../shared/store-call.js";
import { SubmissionBatcher } from "../shared/submission-batcher.js";
import { patchWakesWorkers, readyQueues } from "../shared/wake-rules.js";
import { WakeupTimers } from "../wakeup-timers.js";
import * as apiKeys from "./api-keys.js";
import * as eventLog from "./event-log.js";
import * as failures from "./failure-recorder.js";
import * as flows from "./flows.js";
import { claimJobs, type ClaimParams } from "./job-claimer.js";
import * as control from "./job-control.js";
import { insertJobs, writeSubmissionGroup } from "./job-inserter.js";
import * as jobLogs from "./job-logs.js";
import * as maintenance from "./job-maintenance.js";
import * as queries from "./job-queries.js";
import * as leadership from "./leadership.js";
import * as leaseWrites from "./lease-writes.js";
import { PostgresConnection } from "./postgres-connection.js";
import { migratePostgres } from "./postgres-migrator.js";
import type { PostgresStoreOptions } from "./postgres-options.js";
import { callerClient } from "./postgres-pool.js";
import * as insights from "./queue-insights.js";
import * as queueSettings from "./queue-settings.js";
import { trafficWaitingFacts } from "./queue-traffic.js";
import * as quotas from "./quotas.js";
import * as schedules from "./schedules.js";
import * as tableHealth from "./table-health.js";
import * as tenants from "./tenants.js";
import * as webhooks from "./webhooks.js";
import * as registry from "./worker-registry.js";

export { DEFAULT_POSTGRES_SCHEMA, type PostgresStoreOptions } from "./postgres-options.js";

/** The PostgreSQL store; see the module header. */
export class PostgresStore implements Store {
  readonly capabilities: StoreCapabilities = {
    listenNotify: true,
    skipLocked: true,
    transactionalEnqueue: true,
    tableMaintenance: true,
  };

  private readonly db: PostgresConnection;
  private readonly hub = new JobsAvailableHub();
  /** Hints for rate-limited queues when their next start is allowed (claim_jobs notifies). */
  private readonly wakeups = new WakeupTimers((queue) => this.hub.emit([queue]));
  private readonly batcher: SubmissionBatcher;

  /** The schema this store works in. */
  get schema(): string {
    return this.db.schema;
  }
  /** The LISTEN/NOTIFY channel of the schema. */
  get channel(): string {
    return this.db.channel;
  }

  constructor(options: PostgresStoreOptions) {
    this.db = new PostgresConnection(
      options,
      (queue) => this.hub.emit([queue]),
      (queue, delayMs) => this.wakeups.schedule(queue, delayMs),
    );
    // Errors are mapped inside the write: the batcher must tell "database unavailable" (fail
    // the whole group) from a bad submission (retry each call alone). Queued calls are still
    // written while the store closes (`close` drains the batcher).
    const { pool, statements, channel } = this.db;
    this.batcher = new SubmissionBatcher({
      write: (group) =>
        this.db.mapErrors(() => writeSubmissionGroup(pool, statements, channel, group)),
    });
  }

  async migrate(): Out<"migrate"> {
    return this.db.guard(() => migratePostgres(this.db.pool, this.db.schema, this.db.names));
  }
  async ping(): Promise<void> {
    await this.db.guard(() => this.db.pool.query("SELECT 1"));
  }
  /** Stops the LISTEN connection, lets submissions in flight finish, then closes the pool. */
  async close(): Promise<void> {
    this.hub.clear();
    this.wakeups.clear();
    return this.db.close(() => this.batcher.drain());
  }
  // Jobs: job-inserter.ts, job-control.ts, job-queries.ts.
  async enqueueJobs(p: In<"enqueueJobs">): Out<"enqueueJobs"> {
    if (p.jobs.length === 0) return [];
    const submission = { jobs: p.jobs, now: p.now, tiers: p.tiers };
    if (p.client !== undefined) {
      // Inside the caller's transaction: no BEGIN/COMMIT of ours, and no direct wake-up either,
      // since only the caller knows whether it commits; the NOTIFY commits with their data.
      const client = callerClient(p.client);
      return this.db.guardWrite(async () => {
        const [outcomes] = await insertJobs(client, this.db.statements, this.db.channel, [
          submission,
        ]);
        return outcomes!;
      });
    }
    const outcomes = await this.db.guardWrite(() => this.batcher.submit(submission));
    this.hub.notifyQueues(readyQueues(outcomes));
    return outcomes;
  }
  async cancelJob(p: In<"cancelJob">): Out<"cancelJob"> {
    return this.db.write((pool, sql) => control.cancelJob(pool, sql, p));
  }
  async retryJob(p: In<"retryJob">): Out<"retryJob"> {
    const job = await this.db.write((pool, sql) => control.retryJob(pool, sql, this.db.channel, p));
    this.hub.notifyQueues([job.queue]);
    return job;
  }
  async getJob(p: In<"getJob">): Out<"getJob"> {
    return this.db.run((pool, sql) => control.getJob(pool, sql, p));
  }
  async readJobResults(p: In<"readJobResults">): Out<"readJobResults"> {
    return this.db.run((pool, sql) => control.readJobResults(pool, sql, p.ids));
  }
  async listJobs(p: In<"listJobs">): Out<"listJobs"> {
    return this.db.read((client, sql) => queries.listJobs(client, sql, p));
  }
  async countJobsByState(p: In<"countJobsByState">): Out<"countJobsByState"> {
    return this.db.read((client, sql) => queries.countJobsByState(client, sql, p));
  }
  // Leases: job-claimer.ts, lease-writes.ts, failure-recorder.ts.
  async claimJobs(p: ClaimParams): Promise<ClaimedJob[]> {
    if (p.limit <= 0 || p.queues.length === 0) return [];
    return this.db.write((pool, sql) => claimJobs(pool, sql, this.db.channel, p));
  }
  async extendLeases(p: In<"extendLeases">): Out<"extendLeases"> {
    if (p.leases.length === 0) return [];
    return this.db.write((pool, sql) => leaseWrites.extendLeases(pool, sql, p));
  }
  async completeJobs(p: In<"completeJobs">): Out<"completeJobs"> {
    if (p.completions.length === 0) return [];
    return this.db.write((pool, sql) => leaseWrites.completeJobs(pool, sql, p));
  }
  async failJobs(p: In<"failJobs">): Out<"failJobs"> {
    if (p.failures.length === 0) return [];
    return this.db.write((pool, sql) => failures.failJobs(pool, sql, p));
  }
  async releaseJobs(p: In<"releaseJobs">): Out<"releaseJobs"> {
    if (p.leases.length === 0) return 0;
    const queues = await this.db.write((pool, sql) =>
      leaseWrites.releaseJobs(pool, sql, this.db.channel, p),
    );
    this.hub.notifyQueues(queues);
    return queues.length;
  }
  async findCancelRequested(p: In<"findCancelRequested">): Out<"findCancelRequested"> {
    return this.db.run((pool, sql) => leaseWrites.findCancelRequested(pool, sql, p.ids));
  }
  // Maintenance: failure-recorder.ts, job-maintenance.ts, table-health.ts, leadership.ts.
  async rescueExpiredLeases(p: In<"rescueExpiredLeases">): Out<"rescueExpiredLeases"> {
    return this.db.write((pool, sql) => failures.rescueExpiredLeases(pool, sql, p));
  }
  async promoteDueJobs(p: In<"promoteDueJobs">): Out<"promoteDueJobs"> {
    const moved = await this.db.run((pool, sql) =>
      maintenance.promoteDueJobs(pool, sql, this.db.channel, p),
    );
    this.hub.notifyQueues(moved.map((job) => job.queue));
    return moved;
  }
  async pruneFinishedJobs(p: In<"pruneFinishedJobs">): Out<"pruneFinishedJobs"> {
    return this.db.run((pool, sql) => maintenance.pruneFinishedJobs(pool, sql, p));
  }
  async foldJobCounts(): Promise<number> {
    return this.db.run((pool, sql) => maintenance.foldJobCounts(pool, sql));
  }
  async readTableHealth(): Out<"readTableHealth"> {
    return this.db.run((pool, sql) => tableHealth.readTableHealth(pool, sql, this.db.schema));
  }
  async vacuumTable(p: In<"vacuumTable">): Out<"vacuumTable"> {
    return this.db.run((pool, sql) =>
      tableHealth.vacuumTable(pool, sql, this.db.schema, p.table, p.analyzeOnly),
    );
  }
  async acquireLeadership(p: In<"acquireLeadership">): Out<"acquireLeadership"> {
    return this.db.run((pool, sql) => leadership.acquireLeadership(pool, sql, p));
  }
  async releaseLeadership(p: In<"releaseLeadership">): Promise<void> {
    await this.db.run((pool, sql) => leadership.releaseLeadership(pool, sql, p));
  }
  // Queues: queue-settings.ts, queue-insights.ts, worker-registry.ts, queue-traffic.ts.
  async listQueues(): Out<"listQueues"> {
    return this.db.run((pool, sql) => queueSettings.listQueues(pool, sql));
  }
  async updateQueue(p: In<"updateQueue">): Out<"updateQueue"> {
    const config = await this.db.run((pool, sql) =>
      queueSettings.updateQueue(pool, sql, this.db.channel, p),
    );
    if (patchWakesWorkers(p.patch)) this.hub.notifyQueues([p.name]);
    return config;
  }
  async queueStats(p: In<"queueStats">): Out<"queueStats"> {
    return this.db.read((client, sql) => insights.queueStats(client, sql, p));
  }
  async oldestQueuedRunAt(p: In<"oldestQueuedRunAt">): Out<"oldestQueuedRunAt"> {
    return this.db.run((pool, sql) => insights.oldestQueuedRunAt(pool, sql, p.queue));
  }
  async jobPosition(p: In<"jobPosition">): Out<"jobPosition"> {
    return this.db.read((client, sql) =>
      insights.jobPosition(client, sql, p.job, p.limit, p.tenant ?? null),
    );
  }
  async queueWaitingFacts(p: In<"queueWaitingFacts">): Out<"queueWaitingFacts"> {
    return this.db.guard(async () => ({
      ...(await registry.queueWaitingFacts(this.db.pool, this.db.statements, p.queue, p.now)),
      ...(await trafficWaitingFacts(this.db.pool, this.db.statements, p)),
    }));
  }
  // The job-event log: event-log.ts.
  async readJobEvents(p: In<"readJobEvents">): Out<"readJobEvents"> {
    return this.db.run((pool, sql) => eventLog.readJobEvents(pool, sql, this.lockKey, p));
  }
  async readNamedJobEvents(p: In<"readNamedJobEvents">): Out<"readNamedJobEvents"> {
    return this.db.run((pool, sql) => eventLog.readNamedJobEvents(pool, sql, this.lockKey, p));
  }
  async latestJobEventSeq(): Promise<number> {
    return this.db.run((pool, sql) => eventLog.latestJobEventSeq(pool, sql, this.lockKey));
  }
  async pruneJobEvents(p: In<"pruneJobEvents">): Out<"pruneJobEvents"> {
    return this.db.run((pool, sql) => eventLog.pruneJobEvents(pool, sql, this.lockKey, p));
  }
  private get lockKey(): string {
    return this.db.publisherLockKey;
  }
  // API keys: api-keys.ts.
  async createApiKey(p: In<"createApiKey">): Out<"createApiKey"> {
    return this.db.run((pool, sql) => apiKeys.createApiKey(pool, sql, p));
  }
  async findApiKey(p: In<"findApiKey">): Out<"findApiKey"> {
    return this.db.run((pool, sql) => apiKeys.findApiKey(pool, sql, p.hash));
  }
  async listApiKeys(): Out<"listApiKeys"> {
    return this.db.run((pool, sql) => apiKeys.listApiKeys(pool, sql));
  }
  async revokeApiKey(p: In<"revokeApiKey">): Out<"revokeApiKey"> {
    return this.db.run((pool, sql) => apiKeys.revokeApiKey(pool, sql, p.id, p.now));
  }
  // Tenants: quotas.ts, tenants.ts.
  async setTenantQuota(p: In<"setTenantQuota">): Out<"setTenantQuota"> {
    return this.db.run((pool, sql) => quotas.setTenantQuota(pool, sql, p));
  }
  async tenantCredits(p: In<"tenantCredits">): Out<"tenantCredits"> {
    return this.db.run((pool, sql) => quotas.tenantCredits(pool, sql, p.tenant, p.now, p.tiers));
  }
  async putTenant(p: In<"putTenant">): Out<"putTenant"> {
    return this.db.run((pool, sql) => tenants.putTenant(pool, sql, p));
  }
  async getTenant(p: In<"getTenant">): Out<"getTenant"> {
    return this.db.run((pool, sql) => tenants.getTenant(pool, sql, p.tenant, p.now));
  }
  async listTenants(p: In<"listTenants">): Out<"listTenants"> {
    return this.db.run((pool, sql) => tenants.listTenants(pool, sql, p));
  }
  // Workers: worker-registry.ts.
  async registerWorker(p: In<"registerWorker">): Out<"registerWorker"> {
    return this.db.run((pool, sql) => registry.registerWorker(pool, sql, p.worker, p.now));
  }
  async heartbeatWorkers(p: In<"heartbeatWorkers">): Out<"heartbeatWorkers"> {
    return this.db.run((pool, sql) => registry.heartbeatWorkers(pool, sql, p.workers, p.now));
  }
  async listWorkers(p: In<"listWorkers">): Out<"listWorkers"> {
    return this.db.run((pool, sql) => registry.listWorkers(pool, sql, p));
  }
  async removeWorker(p: In<"removeWorker">): Out<"removeWorker"> {
    return this.db.run((pool, sql) => registry.removeWorker(pool, sql, p.id));
  }
  async pruneWorkers(p: In<"pruneWorkers">): Out<"pruneWorkers"> {
    return this.db.run((pool, sql) => registry.pruneWorkers(pool, sql, p.now, p.limit));
  }
  // Job logs: job-logs.ts.
  async appendJobLogs(p: In<"appendJobLogs">): Out<"appendJobLogs"> {
    return this.db.run((pool, sql) => jobLogs.appendJobLogs(pool, sql, p));
  }
  async readJobLogs(p: In<"readJobLogs">): Out<"readJobLogs"> {
    return this.db.run((pool, sql) => jobLogs.readJobLogs(pool, sql, p));
  }
  // Flows: flows.ts. Ids that are not UUIDs cannot name a job or batch (and would fail a cast).
  async enqueueFlow(p: In<"enqueueFlow">): Out<"enqueueFlow"> {
    const outcomes = await this.db.write((pool, sql) =>
      flows.insertFlow(pool, sql, this.db.channel, p),
    );
    this.hub.notifyQueues(
      outcomes.filter((o) => o.job.status === "queued").map((o) => o.job.queue),
    );
    return outcomes;
  }
  async resolveFlows(p: In<"resolveFlows">): Out<"resolveFlows"> {
    const { queues, ...resolution } = await this.db.write((pool, sql) =>
      flows.resolveFlows(pool, sql, this.db.channel, p),
    );
    this.hub.notifyQueues(queues);
    return resolution;
  }
  async readParentResults(p: In<"readParentResults">): Out<"readParentResults"> {
    const ids = p.ids.filter((id) => isUuid(id));
    return this.db.run((pool, sql) => flows.readParentResults(pool, sql, ids));
  }
  async readJobLinks(p: In<"readJobLinks">): Out<"readJobLinks"> {
    if (!isUuid(p.id)) return { batchId: null, dependsOn: [], waitingOn: 0 };
    return this.db.run((pool, sql) => flows.readJobLinks(pool, sql, p.id));
  }
  async getBatch(p: In<"getBatch">): Out<"getBatch"> {
    if (!isUuid(p.id)) return null;
    return this.db.run((pool, sql) => flows.getBatch(pool, sql, p));
  }
  // Schedules: schedules.ts.
  async saveSchedule(p: In<"saveSchedule">): Out<"saveSchedule"> {
    return this.db.run((pool, sql) => schedules.saveSchedule(pool, sql, p));
  }
  async getSchedule(p: In<"getSchedule">): Out<"getSchedule"> {
    return this.db.run((pool, sql) => schedules.getSchedule(pool, sql, p));
  }
  async listSchedules(p: In<"listSchedules">): Out<"listSchedules"> {
    return this.db.run((pool, sql) => schedules.listSchedules(pool, sql, p));
  }
  async deleteSchedule(p: In<"deleteSchedule">): Out<"deleteSchedule"> {
    return this.db.run((pool, sql) => schedules.deleteSchedule(pool, sql, p));
  }
  async setSchedulePaused(p: In<"setSchedulePaused">): Out<"setSchedulePaused"> {
    return this.db.run((pool, sql) => schedules.setSchedulePaused(pool, sql, p));
  }
  async dueSchedules(p: In<"dueSchedules">): Out<"dueSchedules"> {
    return this.db.run((pool, sql) => schedules.dueSchedules(pool, sql, p));
  }
  async enqueueScheduledJob(p: In<"enqueueScheduledJob">): Out<"enqueueScheduledJob"> {
    const outcome = await this.db.write((pool, sql) =>
      schedules.enqueueScheduledJob(pool, sql, this.db.channel, p),
    );
    if (outcome !== null && !outcome.duplicate) this.hub.notifyQueues([outcome.job.queue]);
    return outcome;
  }
  // Webhook subscriptions and deliveries: webhooks.ts.
  async createWebhook(p: In<"createWebhook">): Out<"createWebhook"> {
    return this.db.run((pool, sql) => webhooks.createWebhook(pool, sql, p.webhook));
  }
  async listWebhooks(p: In<"listWebhooks">): Out<"listWebhooks"> {
    return this.db.run((pool, sql) => webhooks.listWebhooks(pool, sql, p.tenant));
  }
  async getWebhook(p: In<"getWebhook">): Out<"getWebhook"> {
    return this.db.run((pool, sql) => webhooks.getWebhook(pool, sql, p.id, p.tenant));
  }
  async deleteWebhook(p: In<"deleteWebhook">): Out<"deleteWebhook"> {
    return this.db.run((pool, sql) => webhooks.deleteWebhook(pool, sql, p.id, p.tenant));
  }
  async readWebhookCursor(): Out<"readWebhookCursor"> {
    return this.db.run((pool, sql) => webhooks.readWebhookCursor(pool, sql));
  }
  async enqueueWebhookDeliveries(p: In<"enqueueWebhookDeliveries">): Promise<number> {
    return this.db.run((pool, sql) => webhooks.enqueueWebhookDeliveries(pool, sql, p));
  }
  async claimWebhookDeliveries(p: In<"claimWebhookDeliveries">): Out<"claimWebhookDeliveries"> {
    return this.db.run((pool, sql) => webhooks.claimWebhookDeliveries(pool, sql, p));
  }
  async recordWebhookAttempt(p: In<"recordWebhookAttempt">): Out<"recordWebhookAttempt"> {
    return this.db.run((pool, sql) => webhooks.recordWebhookAttempt(pool, sql, p.report, p.now));
  }
  async listWebhookDeliveries(p: In<"listWebhookDeliveries">): Out<"listWebhookDeliveries"> {
    return this.db.run((pool, sql) => webhooks.listWebhookDeliveries(pool, sql, p));
  }
  async redeliverWebhookDelivery(
    p: In<"redeliverWebhookDelivery">,
  ): Out<"redeliverWebhookDelivery"> {
    return this.db.run((pool, sql) => webhooks.redeliverWebhookDelivery(pool, sql, p));
  }

  /**
   * Subscribes to "jobs may be ready" hints: this process's own writes, plus every process's
   * NOTIFYs through the LISTEN connection (opened on the first subscription, closed after the
   * last), plus a `null` after that connection recovers from a drop.
   */
  onEventsWritten(listener: () => void): () => void {
    return this.db.onEventsWritten(listener);
  }
  onJobsAvailable(listener: JobsAvailableListener): () => void {
    if (this.db.closed) return () => undefined;
    this.hub.add(listener);
    this.db.listen();
    return () => {
      if (this.hub.delete(listener)) this.db.unlisten();
    };
  }
}
