/**
 * The PostgreSQL store (node-postgres): any number of API servers and worker processes on any
 * number of hosts share one database (SPEC §5). Semantics mirror the SQLite store exactly; the
 * statements live in sql/*.ts under the same names, with every divergence commented there.
 *
 * - Claims lock candidates with FOR UPDATE SKIP LOCKED, so claimers never wait on each other;
 *   a queue with a concurrency limit is claimed under a lock on its settings row, so the limit
 *   holds across hosts. Due scheduled/retrying jobs are promoted by the claim itself.
 * - Worker writes are batched: one statement per claim, per batch of heartbeats and per batch
 *   of completions. Concurrent submissions share one INSERT and one commit (group commit, see
 *   submission-batcher.ts); each caller still returns only once its jobs are committed.
 * - Wake-ups: writes that make jobs ready `pg_notify` the schema's channel once per queue, inside
 *   the write (so they commit with it); a dedicated LISTEN connection hands them to this
 *   process's listeners, and this process's own writes also notify its listeners directly.
 * - Time is never read from the database: every comparison uses the `now` passed in.
 * - Errors map to Spool errors in one function (postgres-errors.ts); while the database is down
 *   calls fail fast with `StoreUnavailableError` instead of hanging.
 */
import type pg from "pg";
import {
  InvalidTransitionError,
  LeaseLostError,
  SpoolConflictError,
  SpoolNotFoundError,
  SpoolValidationError,
  StoreUnavailableError,
} from "../../core/errors.js";
import { isUuid } from "../../core/ids.js";
import { TIMEOUT_GRACE_MS, type ClaimedJob, type JobRecord } from "../../core/job.js";
import type { JobInput } from "../../core/options.js";
import { isFinalState } from "../../core/states.js";
import type {
  ApiKeyRecord,
  ApiKeyRole,
  Completion,
  CompletionOutcome,
  EnqueueOutcome,
  Failure,
  JobFilter,
  JobsAvailableListener,
  LeaseRenewal,
  LeaseRenewalOutcome,
  MigrationResult,
  MovedJob,
  QueueConfig,
  QueuePatch,
  QueueStats,
  StateCounts,
  Store,
  StoreCapabilities,
  StoredJobEvent,
} from "../store.js";
import * as apiKeys from "./api-keys.js";
import * as eventLog from "./event-log.js";
import { insertJobs } from "./job-inserter.js";
import { rowToJob, rowToQueue, type JobRow, type QueueRow } from "./job-row.js";
import { claimJobs, type ClaimParams } from "./job-claimer.js";
import { countJobsByState, listJobs } from "./job-queries.js";
import { recordFailure, rescueExpiredLeases } from "./failure-recorder.js";
import { NotificationListener } from "./notification-listener.js";
import * as insights from "./queue-insights.js";
import { mapPostgresError } from "./postgres-errors.js";
import { migratePostgres } from "./postgres-migrator.js";
import {
  callerClient,
  clientConfig,
  createPool,
  prepareSchema,
  runStatement,
  withTransaction,
  type PoolSettings,
  type Queryable,
  type Statements,
} from "./postgres-pool.js";
import { channelName, type SchemaNames } from "./sql/names.js";
import { SubmissionBatcher } from "./submission-batcher.js";

/** Options of the PostgreSQL store. */
export interface PostgresStoreOptions {
  /** How long a call waits for a connection before failing with StoreUnavailableError, ms. Default 5,000. */
  connectionTimeoutMs?: number;
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
  };

  /** The schema this store works in. */
  readonly schema: string;
  /** The LISTEN/NOTIFY channel of the schema. */
  readonly channel: string;
  private readonly pool: pg.Pool;
  private readonly names: SchemaNames;
  private readonly statements: Statements;
  private readonly listener: NotificationListener;
  private readonly listeners = new Set<JobsAvailableListener>();
  private readonly batcher: SubmissionBatcher;
  private readonly publisherLockKey: string;
  private closing: Promise<void> | undefined;

  constructor(options: PostgresStoreOptions) {
    this.schema = options.schema ?? DEFAULT_POSTGRES_SCHEMA;
    if (!SCHEMA_RE.test(this.schema))
      throw new SpoolValidationError("schema", "must be a lower-case SQL identifier");
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
      onNotification: (queue) => this.emit([queue]),
    });
    this.batcher = new SubmissionBatcher({
      write: (group) => insertJobs(this.pool, this.statements, this.channel, group),
    });
  }

  async migrate(): Promise<MigrationResult> {
    return this.guard(() => migratePostgres(this.pool, this.schema, this.names));
  }

  async ping(): Promise<void> {
    await this.guard(() => this.pool.query("SELECT 1"));
  }

  async close(): Promise<void> {
    this.closing ??= (async () => {
      this.listeners.clear();
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
  }): Promise<EnqueueOutcome[]> {
    if (params.jobs.length === 0) return [];
    const submission = { jobs: params.jobs, now: params.now };
    if (params.client !== undefined) {
      // Inside the caller's transaction: no BEGIN/COMMIT of ours, and no direct wake-up either,
      // since only the caller knows whether it commits; the NOTIFY commits with their data.
      const client = callerClient(params.client);
      return this.guard(async () => {
        const [outcomes] = await insertJobs(client, this.statements, this.channel, [submission]);
        return outcomes!;
      });
    }
    const outcomes = await this.guard(() => this.batcher.submit(submission));
    this.notifyQueues(
      outcomes.filter((o) => !o.duplicate && o.job.status === "queued").map((o) => o.job.queue),
    );
    return outcomes;
  }

  async claimJobs(params: ClaimParams): Promise<ClaimedJob[]> {
    if (params.limit <= 0 || params.queues.length === 0) return [];
    return this.guard(() => claimJobs(this.pool, this.statements, this.channel, params));
  }

  async extendLeases(params: {
    leases: readonly LeaseRenewal[];
    leaseMs: number;
    now: number;
  }): Promise<LeaseRenewalOutcome[]> {
    if (params.leases.length === 0) return [];
    const leases = params.leases.filter((lease) => isUuid(lease.id));
    const rows = await this.guard(async () => {
      if (leases.length === 0) return [];
      const result = await runStatement<{
        id: string;
        lease_expires_at: number;
        cancel_requested: boolean;
      }>(this.pool, this.statements.EXTEND_LEASE, [
        leases.map((lease) => lease.id),
        leases.map((lease) => lease.leaseToken),
        leases.map((lease) => lease.progress ?? null),
        leases.map((lease) => lease.progressMessage !== undefined),
        leases.map((lease) => lease.progressMessage ?? null),
        params.now,
        params.leaseMs,
        TIMEOUT_GRACE_MS,
      ]);
      return result.rows;
    });
    const renewed = new Map(rows.map((row) => [row.id, row]));
    return params.leases.map((lease): LeaseRenewalOutcome => {
      const row = renewed.get(lease.id.toLowerCase());
      if (row === undefined) return { id: lease.id, ok: false };
      return {
        id: lease.id,
        ok: true,
        leaseExpiresAt: new Date(row.lease_expires_at),
        cancelRequested: row.cancel_requested,
      };
    });
  }

  async completeJobs(params: {
    completions: readonly Completion[];
    now: number;
  }): Promise<CompletionOutcome[]> {
    if (params.completions.length === 0) return [];
    const valid = params.completions.filter((c) => isUuid(c.id));
    const rows = await this.guard(async () => {
      if (valid.length === 0) return [];
      const result = await runStatement<{ id: string; status: "completed" | "cancelled" }>(
        this.pool,
        this.statements.COMPLETE_JOBS,
        [
          valid.map((c) => c.id),
          valid.map((c) => c.leaseToken),
          valid.map((c) => c.resultJson),
          params.now,
        ],
      );
      return result.rows;
    });
    const done = new Map(rows.map((row) => [row.id, row.status]));
    return params.completions.map((completion): CompletionOutcome => {
      const status = done.get(completion.id.toLowerCase());
      return status === undefined
        ? { id: completion.id, ok: false }
        : { id: completion.id, ok: true, status };
    });
  }

  async failJob(
    params: Failure & { now: number },
  ): Promise<{ status: "retrying" | "failed" | "cancelled"; runAt: Date }> {
    if (!isUuid(params.id)) throw new LeaseLostError(params.id);
    const row = await this.guard(() => recordFailure(this.pool, this.statements, params));
    if (row === undefined) throw new LeaseLostError(params.id);
    return { status: row.status, runAt: new Date(row.run_at) };
  }

  async releaseJobs(params: {
    leases: readonly { id: string; leaseToken: string }[];
    now: number;
  }): Promise<number> {
    const leases = params.leases.filter((lease) => isUuid(lease.id));
    if (leases.length === 0) return 0;
    const result = await this.guard(() =>
      runStatement<{ queue: string }>(this.pool, this.statements.RELEASE_JOB, [
        leases.map((lease) => lease.id),
        leases.map((lease) => lease.leaseToken),
        params.now,
        this.channel,
      ]),
    );
    this.notifyQueues(result.rows.map((row) => row.queue));
    return result.rows.length;
  }

  async findCancelRequested(params: { ids: readonly string[] }): Promise<string[]> {
    const ids = params.ids.filter(isUuid);
    if (ids.length === 0) return [];
    const result = await this.guard(() =>
      runStatement<{ id: string }>(this.pool, this.statements.SELECT_CANCEL_REQUESTED, [ids]),
    );
    return result.rows.map((row) => row.id);
  }

  async cancelJob(params: { id: string; tenant?: string; now: number }): Promise<JobRecord> {
    return this.guard(() =>
      withTransaction(this.pool, async (client) => {
        const row = await this.lockVisibleRow(client, params.id, params.tenant);
        if (isFinalState(row.status)) {
          throw new SpoolConflictError(`job ${row.id} is already ${row.status}`, {
            code: "job_final",
            details: { id: row.id, status: row.status },
          });
        }
        const statement =
          row.status === "running"
            ? this.statements.REQUEST_CANCEL
            : this.statements.CANCEL_WAITING_JOB;
        const result = await runStatement<JobRow>(client, statement, [row.id, params.now]);
        return rowToJob(result.rows[0]!);
      }),
    );
  }

  async retryJob(params: { id: string; tenant?: string; now: number }): Promise<JobRecord> {
    const job = await this.guard(() =>
      withTransaction(this.pool, async (client) => {
        const row = await this.lockVisibleRow(client, params.id, params.tenant);
        if (row.status !== "failed" && row.status !== "cancelled") {
          throw new InvalidTransitionError(row.status, "queued", {
            details: { id: row.id, reason: "only failed or cancelled jobs can be retried" },
          });
        }
        const result = await runStatement<JobRow>(client, this.statements.RETRY_JOB, [
          row.id,
          params.now,
        ]);
        await runStatement(client, this.statements.NOTIFY_QUEUES, [this.channel, [row.queue]]);
        return rowToJob(result.rows[0]!);
      }),
    );
    this.notifyQueues([job.queue]);
    return job;
  }

  /** The row of a job the tenant may see, locked until commit; throws SpoolNotFoundError otherwise. */
  private async lockVisibleRow(
    client: Queryable,
    id: string,
    tenant: string | undefined,
  ): Promise<JobRow> {
    const row = isUuid(id)
      ? (await runStatement<JobRow>(client, this.statements.SELECT_JOB_FOR_UPDATE, [id])).rows[0]
      : undefined;
    if (row === undefined || (tenant !== undefined && row.tenant !== tenant))
      throw new SpoolNotFoundError("job", id);
    return row;
  }

  async getJob(params: { id: string; tenant?: string }): Promise<JobRecord | null> {
    if (!isUuid(params.id)) return null;
    const result = await this.guard(() =>
      runStatement<JobRow>(this.pool, this.statements.SELECT_JOB, [params.id]),
    );
    const row = result.rows[0];
    if (row === undefined || (params.tenant !== undefined && row.tenant !== params.tenant))
      return null;
    return rowToJob(row);
  }

  async listJobs(
    params: JobFilter & { limit: number; cursor?: string },
  ): Promise<{ jobs: JobRecord[]; nextCursor: string | null }> {
    return this.guard(() => listJobs(this.pool, this.statements, params));
  }

  async countJobsByState(params: { tenant?: string; queue?: string }): Promise<StateCounts> {
    return this.guard(() => countJobsByState(this.pool, this.statements, params));
  }

  async rescueExpiredLeases(params: {
    now: number;
    limit: number;
    random: () => number;
  }): Promise<MovedJob[]> {
    return this.guard(() =>
      withTransaction(this.pool, (client) => rescueExpiredLeases(client, this.statements, params)),
    );
  }

  async promoteDueJobs(params: { now: number; limit: number }): Promise<MovedJob[]> {
    const result = await this.guard(() =>
      runStatement<MovedJob>(this.pool, this.statements.PROMOTE_DUE_JOBS, [
        params.now,
        params.limit,
        this.channel,
      ]),
    );
    const moved = result.rows.map(({ id, queue, type, status, attempt }) => ({
      id,
      queue,
      type,
      status,
      attempt,
    }));
    this.notifyQueues(moved.map((job) => job.queue));
    return moved;
  }

  async pruneFinishedJobs(params: {
    completedBefore: number;
    failedBefore: number;
    cancelledBefore: number;
    limit: number;
  }): Promise<number> {
    return this.guard(async () => {
      let deleted = 0;
      const cutoffs = [
        ["completed", params.completedBefore],
        ["failed", params.failedBefore],
        ["cancelled", params.cancelledBefore],
      ] as const;
      for (const [status, before] of cutoffs) {
        const limit = params.limit - deleted;
        if (limit <= 0) break;
        const result = await runStatement(this.pool, this.statements.PRUNE_FINISHED, [
          status,
          before,
          limit,
        ]);
        deleted += result.rowCount ?? 0;
      }
      return deleted;
    });
  }

  async listQueues(): Promise<QueueConfig[]> {
    const result = await this.guard(() =>
      runStatement<QueueRow>(this.pool, this.statements.SELECT_QUEUES, []),
    );
    return result.rows.map(rowToQueue);
  }

  async updateQueue(params: {
    name: string;
    patch: QueuePatch;
    now: number;
  }): Promise<QueueConfig> {
    const { patch } = params;
    const value = <T>(v: T | undefined): T | null => (v === undefined ? null : v);
    const row = await this.guard(async () => {
      const result = await runStatement<QueueRow>(this.pool, this.statements.UPSERT_QUEUE, [
        params.name,
        value(patch.paused),
        value(patch.concurrency),
        value(patch.timeoutMs),
        value(patch.maxAttempts),
        value(patch.backoffBaseMs),
        value(patch.backoffCapMs),
        params.now,
        patch.paused !== undefined,
        patch.concurrency !== undefined,
        patch.timeoutMs !== undefined,
        patch.maxAttempts !== undefined,
        patch.backoffBaseMs !== undefined,
        patch.backoffCapMs !== undefined,
      ]);
      if (patch.paused === false || patch.concurrency !== undefined)
        await runStatement(this.pool, this.statements.NOTIFY_QUEUES, [this.channel, [params.name]]);
      return result.rows[0]!;
    });
    if (patch.paused === false || patch.concurrency !== undefined) this.notifyQueues([params.name]);
    return rowToQueue(row);
  }

  async queueStats(params: {
    now: number;
    windowMs: number;
    tenant?: string;
  }): Promise<QueueStats[]> {
    return this.guard(() => insights.queueStats(this.pool, this.statements, params));
  }

  async jobPosition(params: { id: string }): Promise<number | null> {
    return this.guard(() => insights.jobPosition(this.pool, this.statements, params.id));
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

  onJobsAvailable(listener: JobsAvailableListener): () => void {
    if (this.closing !== undefined) return () => undefined;
    this.listeners.add(listener);
    this.listener.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) void this.listener.stop();
    };
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
