/**
 * The embedded SQLite store (better-sqlite3). WAL mode lets readers and one writer work at once;
 * every write transaction is `BEGIN IMMEDIATE`, so several processes on one file serialise
 * their writes and a claim can never hand one job to two workers.
 *
 * Durability: submissions commit with `synchronous = FULL` (fsync before the call returns, so an
 * acknowledged job survives power loss as well as `kill -9`). Worker-side writes (claims,
 * heartbeats, completions) use `NORMAL`: they survive `kill -9`, and a power loss can at worst
 * roll back the last of them, which the lease machinery turns into a re-run — at-least-once
 * holds either way. Measured here: a FULL commit costs ~250 µs, a NORMAL one ~10 µs.
 *
 * Wake-ups: this process's own writes notify listeners directly; other processes' writes are
 * seen by polling `PRAGMA data_version` (~2 µs a call) while anyone listens.
 */
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  SpoolConflictError,
  SpoolError,
  SpoolNotFoundError,
  SpoolValidationError,
  InvalidTransitionError,
  LeaseLostError,
  StoreUnavailableError,
} from "../../core/errors.js";
import { isUuid, randomToken } from "../../core/ids.js";
import { TIMEOUT_GRACE_MS, type ClaimedJob, type JobRecord } from "../../core/job.js";
import { newJobRecord, resolveJob, type JobInput, type QueueDefaults } from "../../core/options.js";
import { JOB_STATES, isFinalState } from "../../core/states.js";
import { nextOnFailure } from "../../core/transitions.js";
import { loadMigrations } from "../migrate.js";
import type {
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
  StateCounts,
  Store,
  StoreCapabilities,
} from "../store.js";
import {
  claimRowToJob,
  compareClaimOrder,
  encodeError,
  rowToJob,
  rowToQueue,
  type ClaimRow,
  type JobRow,
  type QueueRow,
} from "./job-row.js";
import * as jobsSql from "./sql/jobs.js";
import * as queuesSql from "./sql/queues.js";

/** Options of the SQLite store. */
export interface SqliteStoreOptions {
  /** How long a write waits for another process's write lock before failing, ms. Default 10,000. */
  busyTimeoutMs?: number;
  /** File path (its folder is created), or `:memory:`. */
  path: string;
  /** How often to look for other processes' writes while anyone waits for jobs, ms. Default 20. */
  pollIntervalMs?: number;
}

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), "migrations");

type Statement = Database.Statement;

/** The embedded SQLite store. */
export class SqliteStore implements Store {
  readonly capabilities: StoreCapabilities = {
    listenNotify: false,
    skipLocked: false,
    transactionalEnqueue: false,
  };

  private readonly db: Database.Database;
  private readonly pollIntervalMs: number;
  private readonly statements = new Map<string, Statement>();
  private readonly listeners = new Set<JobsAvailableListener>();
  private pollTimer: NodeJS.Timeout | undefined;
  private lastDataVersion = 0;
  private closed = false;

  constructor(options: SqliteStoreOptions) {
    if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
    this.db = new Database(options.path, { timeout: options.busyTimeoutMs ?? 10_000 });
    this.pollIntervalMs = options.pollIntervalMs ?? 20;
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("temp_store = MEMORY");
    this.db.pragma("cache_size = -32000");
  }

  async migrate(): Promise<MigrationResult> {
    return this.guard(() => {
      const migrations = loadMigrations(MIGRATIONS_DIR);
      const apply = this.db.transaction(() => {
        this.db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
          version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
        const done = new Set(
          this.db.prepare("SELECT version FROM schema_migrations").pluck().all() as number[],
        );
        const applied: number[] = [];
        for (const migration of migrations) {
          if (done.has(migration.version)) continue;
          this.db.exec(migration.sql);
          this.db
            .prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
            .run(migration.version, migration.name, Date.now());
          applied.push(migration.version);
        }
        return applied;
      });
      // IMMEDIATE takes the write lock first, so racing processes migrate one after the other.
      const applied = apply.immediate();
      return { applied, version: migrations.length };
    });
  }

  async ping(): Promise<void> {
    this.guard(() => this.db.prepare("SELECT 1").get());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopPolling();
    this.listeners.clear();
    this.db.close();
  }

  async enqueueJobs(params: { jobs: readonly JobInput[]; now: number }): Promise<EnqueueOutcome[]> {
    if (params.jobs.length === 0) return [];
    const outcomes = this.guard(() => {
      const insert = this.db.transaction((jobs: readonly JobInput[], now: number) => {
        const defaults = new Map<string, QueueDefaults | undefined>();
        return jobs.map((input) => {
          if (!defaults.has(input.queue))
            defaults.set(input.queue, this.registerQueue(input.queue, now));
          const job = resolveJob(input, defaults.get(input.queue), now);
          const info = this.stmt(jobsSql.INSERT_JOB).run({
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
            now,
          });
          if (info.changes === 1) return { job: newJobRecord(job), duplicate: false };
          const holder = this.stmt(jobsSql.SELECT_UNIQUE_HOLDER).get({
            tenant: job.tenant,
            queue: job.queue,
            unique_key: job.uniqueKey,
          }) as JobRow;
          return { job: rowToJob(holder), duplicate: true };
        });
      });
      // An acknowledged submission must survive power loss: fsync this commit.
      this.db.pragma("synchronous = FULL");
      try {
        return insert.immediate(params.jobs, params.now);
      } finally {
        this.db.pragma("synchronous = NORMAL");
      }
    });
    this.notifyQueues(
      outcomes.filter((o) => !o.duplicate && o.job.status === "queued").map((o) => o.job.queue),
    );
    return outcomes;
  }

  /** Creates the queue's row on first use and returns its job defaults. */
  private registerQueue(name: string, now: number): QueueDefaults | undefined {
    this.stmt(queuesSql.REGISTER_QUEUE).run({ name, now });
    const row = this.stmt(queuesSql.SELECT_QUEUE).get({ name }) as QueueRow | undefined;
    return row === undefined ? undefined : rowToQueue(row);
  }

  async claimJobs(params: {
    queues: readonly string[];
    workerId: string;
    limit: number;
    leaseMs: number;
    now: number;
  }): Promise<ClaimedJob[]> {
    if (params.limit <= 0 || params.queues.length === 0) return [];
    return this.guard(() => this.claimTransaction.immediate(params));
  }

  private readonly claimTransaction = this.lazyTransaction(
    (p: {
      queues: readonly string[];
      workerId: string;
      limit: number;
      leaseMs: number;
      now: number;
    }) => {
      const claimed: ClaimedJob[] = [];
      const leaseToken = randomToken();
      for (const queue of p.queues) {
        let limit = p.limit - claimed.length;
        if (limit <= 0) break;
        const config = this.stmt(queuesSql.SELECT_QUEUE).get({ name: queue }) as
          QueueRow | undefined;
        if (config?.paused === 1) continue;
        if (config?.concurrency != null) {
          const running = this.stmt(jobsSql.COUNT_RUNNING_IN_QUEUE)
            .pluck()
            .get({ queue }) as number;
          limit = Math.min(limit, config.concurrency - running);
          if (limit <= 0) continue;
        }
        this.stmt(jobsSql.PROMOTE_DUE_IN_QUEUE).run({ queue, now: p.now });
        const rows = this.rawStmt(jobsSql.CLAIM_JOBS).all({
          queue,
          limit,
          worker: p.workerId,
          lease_token: leaseToken,
          now: p.now,
          lease_ms: p.leaseMs,
          grace_ms: TIMEOUT_GRACE_MS,
        }) as ClaimRow[];
        const jobs = rows.map(claimRowToJob).sort(compareClaimOrder);
        for (const job of jobs) claimed.push(job);
      }
      return claimed;
    },
  );

  async extendLeases(params: {
    leases: readonly LeaseRenewal[];
    leaseMs: number;
    now: number;
  }): Promise<LeaseRenewalOutcome[]> {
    if (params.leases.length === 0) return [];
    return this.guard(() =>
      this.db
        .transaction(() =>
          params.leases.map((lease): LeaseRenewalOutcome => {
            const row = this.stmt(jobsSql.EXTEND_LEASE).get({
              id: lease.id,
              lease_token: lease.leaseToken,
              now: params.now,
              lease_ms: params.leaseMs,
              grace_ms: TIMEOUT_GRACE_MS,
              progress: lease.progress ?? null,
              set_message: lease.progressMessage === undefined ? 0 : 1,
              message: lease.progressMessage ?? null,
            }) as { lease_expires_at: number; cancel_requested: number } | undefined;
            if (row === undefined) return { id: lease.id, ok: false };
            return {
              id: lease.id,
              ok: true,
              leaseExpiresAt: new Date(row.lease_expires_at),
              cancelRequested: row.cancel_requested === 1,
            };
          }),
        )
        .immediate(),
    );
  }

  async completeJobs(params: {
    completions: readonly Completion[];
    now: number;
  }): Promise<CompletionOutcome[]> {
    if (params.completions.length === 0) return [];
    return this.guard(() => this.completeTransaction.immediate(params));
  }

  private readonly completeTransaction = this.lazyTransaction(
    (p: { completions: readonly Completion[]; now: number }) => {
      const batch = JSON.stringify(p.completions.map((c) => [c.id, c.leaseToken, c.resultJson]));
      const rows = this.rawStmt(jobsSql.COMPLETE_JOBS).all({ batch, now: p.now }) as [
        string,
        "completed" | "cancelled",
      ][];
      const done = new Map(rows);
      return p.completions.map((completion): CompletionOutcome => {
        const status = done.get(completion.id);
        return status === undefined
          ? { id: completion.id, ok: false }
          : { id: completion.id, ok: true, status };
      });
    },
  );

  async failJob(
    params: Failure & { now: number },
  ): Promise<{ status: "retrying" | "failed" | "cancelled"; runAt: Date }> {
    const row = this.guard(
      () =>
        this.stmt(jobsSql.FAIL_JOB).get({
          id: params.id,
          lease_token: params.leaseToken,
          status: params.outcome.status,
          run_at: params.outcome.status === "retrying" ? params.outcome.runAt : null,
          error: encodeError(params.error, params.now),
          now: params.now,
        }) as
          | { status: "retrying" | "failed" | "cancelled"; run_at: number; queue: string }
          | undefined,
    );
    if (row === undefined) throw new LeaseLostError(params.id);
    return { status: row.status, runAt: new Date(row.run_at) };
  }

  async releaseJobs(params: {
    leases: readonly { id: string; leaseToken: string }[];
    now: number;
  }): Promise<number> {
    if (params.leases.length === 0) return 0;
    const queues = this.guard(() =>
      this.db
        .transaction(() =>
          params.leases
            .map(
              (lease) =>
                this.stmt(jobsSql.RELEASE_JOB)
                  .pluck()
                  .get({ id: lease.id, lease_token: lease.leaseToken, now: params.now }) as
                  string | undefined,
            )
            .filter((queue): queue is string => queue !== undefined),
        )
        .immediate(),
    );
    this.notifyQueues(queues);
    return queues.length;
  }

  async findCancelRequested(params: { ids: readonly string[] }): Promise<string[]> {
    if (params.ids.length === 0) return [];
    return this.guard(
      () =>
        this.stmt(jobsSql.SELECT_CANCEL_REQUESTED)
          .pluck()
          .all({ ids: JSON.stringify(params.ids) }) as string[],
    );
  }

  async cancelJob(params: { id: string; tenant?: string; now: number }): Promise<JobRecord> {
    return this.guard(() =>
      this.db
        .transaction(() => {
          const row = this.visibleRow(params.id, params.tenant);
          if (isFinalState(row.status)) {
            throw new SpoolConflictError(`job ${row.id} is already ${row.status}`, {
              code: "job_final",
              details: { id: row.id, status: row.status },
            });
          }
          const sql =
            row.status === "running" ? jobsSql.REQUEST_CANCEL : jobsSql.CANCEL_WAITING_JOB;
          this.stmt(sql).run({ id: row.id, now: params.now });
          return rowToJob(this.stmt(jobsSql.SELECT_JOB).get({ id: row.id }) as JobRow);
        })
        .immediate(),
    );
  }

  async retryJob(params: { id: string; tenant?: string; now: number }): Promise<JobRecord> {
    const job = this.guard(() =>
      this.db
        .transaction(() => {
          const row = this.visibleRow(params.id, params.tenant);
          if (row.status !== "failed" && row.status !== "cancelled") {
            throw new InvalidTransitionError(row.status, "queued", {
              details: { id: row.id, reason: "only failed or cancelled jobs can be retried" },
            });
          }
          this.stmt(jobsSql.RETRY_JOB).run({ id: row.id, now: params.now });
          return rowToJob(this.stmt(jobsSql.SELECT_JOB).get({ id: row.id }) as JobRow);
        })
        .immediate(),
    );
    this.notifyQueues([job.queue]);
    return job;
  }

  /** The row of a job the tenant may see; throws SpoolNotFoundError otherwise. */
  private visibleRow(id: string, tenant: string | undefined): JobRow {
    const row = isUuid(id)
      ? (this.stmt(jobsSql.SELECT_JOB).get({ id }) as JobRow | undefined)
      : undefined;
    if (row === undefined || (tenant !== undefined && row.tenant !== tenant))
      throw new SpoolNotFoundError("job", id);
    return row;
  }

  async getJob(params: { id: string; tenant?: string }): Promise<JobRecord | null> {
    return this.guard(() => {
      const row = this.stmt(jobsSql.SELECT_JOB).get({ id: params.id }) as JobRow | undefined;
      if (row === undefined || (params.tenant !== undefined && row.tenant !== params.tenant))
        return null;
      return rowToJob(row);
    });
  }

  async listJobs(
    params: JobFilter & { limit: number; cursor?: string },
  ): Promise<{ jobs: JobRecord[]; nextCursor: string | null }> {
    const where: string[] = [];
    const values: Record<string, unknown> = { limit: params.limit + 1 };
    if (params.tenant !== undefined) {
      where.push("tenant = @tenant");
      values.tenant = params.tenant;
    }
    if (params.status !== undefined && params.status.length > 0) {
      const names = params.status.map((status, i) => {
        values[`status${i}`] = status;
        return `@status${i}`;
      });
      where.push(`status IN (${names.join(", ")})`);
    }
    for (const field of ["queue", "type"] as const) {
      if (params[field] !== undefined) {
        where.push(`${field} = @${field}`);
        values[field] = params[field];
      }
    }
    if (params.tag !== undefined) {
      where.push("EXISTS (SELECT 1 FROM json_each(jobs.tags) WHERE value = @tag)");
      values.tag = params.tag;
    }
    if (params.cursor !== undefined) {
      where.push("id < @cursor");
      values.cursor = decodeCursor(params.cursor);
    }
    const sql = `SELECT * FROM jobs ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT @limit`;
    const rows = this.guard(() => this.stmt(sql).all(values) as JobRow[]);
    const more = rows.length > params.limit;
    const page = more ? rows.slice(0, params.limit) : rows;
    return {
      jobs: page.map(rowToJob),
      nextCursor: more ? encodeCursor(page[page.length - 1]!.id) : null,
    };
  }

  async countJobsByState(params: { tenant?: string; queue?: string }): Promise<StateCounts> {
    const where: string[] = [];
    const values: Record<string, unknown> = {};
    for (const field of ["tenant", "queue"] as const) {
      if (params[field] !== undefined) {
        where.push(`${field} = @${field}`);
        values[field] = params[field];
      }
    }
    const sql = `${jobsSql.COUNT_BY_STATE} ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} GROUP BY status`;
    const rows = this.guard(() => this.stmt(sql).all(values) as { status: string; n: number }[]);
    const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as StateCounts;
    for (const row of rows) counts[row.status as keyof StateCounts] = row.n;
    return counts;
  }

  async rescueExpiredLeases(params: {
    now: number;
    limit: number;
    random: () => number;
  }): Promise<MovedJob[]> {
    const moved = this.guard(() =>
      this.db
        .transaction(() => {
          const expired = this.stmt(jobsSql.SELECT_EXPIRED_LEASES).all({
            now: params.now,
            limit: params.limit,
          }) as Pick<
            JobRow,
            | "id"
            | "queue"
            | "type"
            | "attempt"
            | "max_attempts"
            | "backoff_base_ms"
            | "backoff_cap_ms"
            | "started_at"
            | "timeout_ms"
            | "lease_token"
            | "cancel_requested"
          >[];
          return expired.map((row): MovedJob => {
            const timedOut =
              row.started_at !== null && params.now >= row.started_at + row.timeout_ms;
            const outcome = nextOnFailure(
              {
                attempt: row.attempt,
                maxAttempts: row.max_attempts,
                backoff: { baseMs: row.backoff_base_ms, capMs: row.backoff_cap_ms },
              },
              { retryable: true },
              params.now,
              params.random,
            );
            const error = timedOut
              ? {
                  message: `attempt timed out after ${row.timeout_ms} ms`,
                  type: "TimeoutError",
                  attempt: row.attempt,
                }
              : {
                  message: "lease expired: the worker stopped heartbeating",
                  type: "LeaseExpired",
                  attempt: row.attempt,
                };
            const result = this.stmt(jobsSql.FAIL_JOB).get({
              id: row.id,
              lease_token: row.lease_token,
              status: outcome.status,
              run_at: outcome.status === "retrying" ? outcome.runAt : null,
              error: encodeError(error, params.now),
              now: params.now,
            }) as { status: MovedJob["status"] };
            return {
              id: row.id,
              queue: row.queue,
              type: row.type,
              status: result.status,
              attempt: row.attempt,
            };
          });
        })
        .immediate(),
    );
    return moved;
  }

  async promoteDueJobs(params: { now: number; limit: number }): Promise<MovedJob[]> {
    const moved = this.guard(
      () =>
        this.stmt(jobsSql.PROMOTE_DUE_JOBS).all({
          now: params.now,
          limit: params.limit,
        }) as MovedJob[],
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
    return this.guard(() => {
      let deleted = 0;
      const cutoffs = [
        ["completed", params.completedBefore],
        ["failed", params.failedBefore],
        ["cancelled", params.cancelledBefore],
      ] as const;
      for (const [status, before] of cutoffs) {
        const limit = params.limit - deleted;
        if (limit <= 0) break;
        deleted += this.stmt(jobsSql.PRUNE_FINISHED).run({ status, before, limit }).changes;
      }
      return deleted;
    });
  }

  async listQueues(): Promise<QueueConfig[]> {
    return this.guard(() =>
      (this.stmt(queuesSql.SELECT_QUEUES).all() as QueueRow[]).map(rowToQueue),
    );
  }

  async updateQueue(params: {
    name: string;
    patch: QueuePatch;
    now: number;
  }): Promise<QueueConfig> {
    const { patch } = params;
    const value = <T>(v: T | undefined): T | null => (v === undefined ? null : v);
    const flag = (v: unknown): number => (v === undefined ? 0 : 1);
    const row = this.guard(
      () =>
        this.stmt(queuesSql.UPSERT_QUEUE).get({
          name: params.name,
          paused: patch.paused === undefined ? null : patch.paused ? 1 : 0,
          concurrency: value(patch.concurrency),
          timeout_ms: value(patch.timeoutMs),
          max_attempts: value(patch.maxAttempts),
          backoff_base_ms: value(patch.backoffBaseMs),
          backoff_cap_ms: value(patch.backoffCapMs),
          set_paused: flag(patch.paused),
          set_concurrency: flag(patch.concurrency),
          set_timeout_ms: flag(patch.timeoutMs),
          set_max_attempts: flag(patch.maxAttempts),
          set_backoff_base_ms: flag(patch.backoffBaseMs),
          set_backoff_cap_ms: flag(patch.backoffCapMs),
          now: params.now,
        }) as QueueRow,
    );
    if (patch.paused === false || patch.concurrency !== undefined) this.notifyQueues([params.name]);
    return rowToQueue(row);
  }

  onJobsAvailable(listener: JobsAvailableListener): () => void {
    this.listeners.add(listener);
    this.startPolling();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopPolling();
    };
  }

  /** Tells this process's listeners that jobs may be ready in `queues`. */
  private notifyQueues(queues: readonly string[]): void {
    if (queues.length === 0 || this.listeners.size === 0) return;
    const unique = [...new Set(queues)];
    queueMicrotask(() => {
      for (const listener of this.listeners) {
        for (const queue of unique) safeCall(listener, queue);
      }
    });
  }

  private startPolling(): void {
    if (this.pollTimer !== undefined || this.closed) return;
    const dataVersion = this.stmt("PRAGMA data_version").pluck();
    this.lastDataVersion = dataVersion.get() as number;
    this.pollTimer = setInterval(() => {
      let version: number;
      try {
        version = dataVersion.get() as number;
      } catch {
        return; // a transient error; the next tick looks again
      }
      if (version === this.lastDataVersion) return;
      this.lastDataVersion = version;
      for (const listener of this.listeners) safeCall(listener, null);
    }, this.pollIntervalMs);
    this.pollTimer.unref();
  }

  private stopPolling(): void {
    if (this.pollTimer !== undefined) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }

  /** A cached prepared statement. */
  private stmt(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** A cached prepared statement that returns rows as arrays. */
  private rawStmt(sql: string): Statement {
    const key = `raw:${sql}`;
    let statement = this.statements.get(key);
    if (statement === undefined) {
      statement = this.db.prepare(sql).raw(true);
      this.statements.set(key, statement);
    }
    return statement;
  }

  /** A transaction function created on first use (statements need the migrated schema). */
  private lazyTransaction<A, R>(fn: (arg: A) => R): { immediate: (arg: A) => R } {
    let transaction: Database.Transaction<(arg: A) => R> | undefined;
    return {
      immediate: (arg: A) => {
        transaction ??= this.db.transaction(fn);
        return transaction.immediate(arg);
      },
    };
  }

  /** Runs `fn`, mapping driver errors to Spool errors in one place. */
  private guard<T>(fn: () => T): T {
    if (this.closed) throw new StoreUnavailableError("the store is closed", { retryable: false });
    try {
      return fn();
    } catch (error) {
      throw mapSqliteError(error);
    }
  }
}

/** Maps better-sqlite3 errors to Spool errors; Spool errors pass through. */
function mapSqliteError(error: unknown): unknown {
  if (error instanceof SpoolError) return error;
  if (error instanceof Database.SqliteError) {
    if (error.code === "SQLITE_BUSY" || error.code === "SQLITE_LOCKED") {
      return new StoreUnavailableError("the SQLite database is busy (locked by another process)", {
        cause: error,
      });
    }
    if (error.code === "SQLITE_CONSTRAINT_UNIQUE") {
      return new SpoolConflictError("an unfinished job with the same unique key exists", {
        code: "unique_conflict",
        cause: error,
      });
    }
    if (error.code.startsWith("SQLITE_CONSTRAINT")) {
      return new SpoolValidationError("job", `rejected by the database: ${error.message}`, {
        cause: error,
      });
    }
    if (
      error.code === "SQLITE_FULL" ||
      error.code === "SQLITE_IOERR" ||
      error.code.startsWith("SQLITE_IOERR")
    ) {
      return new StoreUnavailableError(`the SQLite database cannot be written: ${error.message}`, {
        cause: error,
      });
    }
  }
  return error;
}

function safeCall(listener: JobsAvailableListener, queue: string | null): void {
  try {
    listener(queue);
  } catch {
    // A listener's failure must not stop the others; listeners log their own errors.
  }
}

/** Cursors are opaque to callers: the last id of the page, base64url-encoded. */
function encodeCursor(id: string): string {
  return Buffer.from(id, "utf8").toString("base64url");
}

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, "base64url").toString("utf8");
  if (!isUuid(id))
    throw new SpoolValidationError("cursor", "is not a cursor returned by a previous page");
  return id;
}
