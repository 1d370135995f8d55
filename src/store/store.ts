/**
 * The store contract: everything the engine needs from a database, in queue terms. SQLite and
 * PostgreSQL implement it, and both pass one conformance suite (test/conformance/).
 *
 * Conventions: one params object in, one typed result out; times are ms since the Unix epoch
 * (`now` is always passed in, never read by the store); every write from a worker is fenced by
 * the lease token and fails with `LeaseLostError` (or a `{ ok: false }` entry in batch calls)
 * when the token no longer matches.
 */
import type { JobEventDataMap, JobEventName } from "../core/events.js";
import type { BatchRecord } from "../core/flows.js";
import type { ClaimedJob, JobErrorEntry, JobRecord } from "../core/job.js";
import type { JobLogLineInput, JobLogPage } from "../core/job-logs.js";
import type { JobInput } from "../core/options.js";
import type { TenantCredits } from "../core/quota.js";
import type { TenantFacts, TierPolicy } from "../core/tiers.js";
import type { ScheduleDefinition, ScheduleRecord } from "../core/schedule.js";
import type { JobState } from "../core/states.js";
import type { RateLimit } from "../core/traffic.js";
import type { FailureOutcome } from "../core/transitions.js";
import type { WorkerPresence, WorkerRegistration } from "../core/worker-presence.js";
import type { BatchInput, FlowResolution, JobLinks, ParentResults } from "./flow-types.js";
import type {
  ClaimedWebhookDelivery,
  NewWebhookDelivery,
  WebhookAttemptReport,
  WebhookDelivery,
  WebhookRecord,
} from "../core/webhook.js";

/** Real differences between stores. Callers branch on these, never on the class. */
export interface StoreCapabilities {
  /** Wake-ups travel through the database to every process (PostgreSQL LISTEN/NOTIFY). */
  listenNotify: boolean;
  /** Claims lock rows and skip locked ones, so claimers run in parallel (FOR UPDATE SKIP LOCKED). */
  skipLocked: boolean;
  /** `enqueueJobs` can run inside the caller's own transaction. */
  transactionalEnqueue: boolean;
  /**
   * The store's tables collect dead row versions that only a vacuum reclaims (PostgreSQL MVCC),
   * so `readTableHealth` reports them and `vacuumTable` acts; the table vacuumer runs only then.
   * SQLite overwrites in place and frees pages itself: nothing to do.
   */
  tableMaintenance: boolean;
}

/** Live and dead row versions of one of the store's tables (`tableMaintenance` stores). */
export interface TableHealth {
  /** The table's name (unqualified), as `vacuumTable` takes it. */
  table: string;
  liveRows: number;
  deadRows: number;
  /** Rows inserted, updated or deleted since the planner's statistics were last gathered. */
  modifiedSinceAnalyze: number;
}

/** Per-queue settings (admin-controlled). Null fields fall back to Spool's defaults. */
export interface QueueConfig {
  name: string;
  paused: boolean;
  /** Most jobs of this queue running at once across all processes; null = unlimited. */
  concurrency: number | null;
  /** Default per-attempt timeout of new jobs, ms. */
  timeoutMs: number | null;
  /** Default max attempts of new jobs. */
  maxAttempts: number | null;
  backoffBaseMs: number | null;
  backoffCapMs: number | null;
  updatedAt: Date;
  /** At most `limit` job starts per `periodMs` across all processes (SPEC §7); null = none. */
  rateLimit: RateLimit | null;
  /** Most running jobs per concurrency key across all processes (SPEC §7); null = no cap. */
  keyConcurrency: number | null;
}

/** Changeable queue settings; `undefined` leaves a field alone, `null` clears it. */
export type QueuePatch = Partial<Omit<QueueConfig, "name" | "updatedAt">>;

/** The outcome of submitting one job. */
export interface EnqueueOutcome {
  job: JobRecord;
  /** True when an unfinished job with the same unique key existed and was returned instead. */
  duplicate: boolean;
}

/** A lease renewal, optionally carrying progress. */
export interface LeaseRenewal {
  id: string;
  leaseToken: string;
  progress?: number;
  /** Set to write the message (null clears it); leave undefined to keep the stored one. */
  progressMessage?: string | null;
}

/** The answer to one renewal. */
export type LeaseRenewalOutcome =
  | { id: string; ok: true; leaseExpiresAt: Date; cancelRequested: boolean }
  | { id: string; ok: false };

/** A successful attempt to record. */
export interface Completion {
  id: string;
  leaseToken: string;
  /** The handler's result, already encoded as JSON (null for none). */
  resultJson: string | null;
}

/** The answer to one completion: `cancelled` when cancellation was asked for meanwhile. */
export type CompletionOutcome =
  { id: string; ok: true; status: "completed" | "cancelled" } | { id: string; ok: false };

/** A failed attempt to record; `outcome` comes from `nextOnFailure`. */
export interface Failure {
  id: string;
  leaseToken: string;
  error: Omit<JobErrorEntry, "at">;
  outcome: FailureOutcome;
}

/** A job moved by maintenance, with what listeners need to know. */
export interface MovedJob {
  id: string;
  queue: string;
  type: string;
  status: JobState;
  attempt: number;
}

/** Filters of `listJobs`. */
export interface JobFilter {
  tenant?: string;
  status?: readonly JobState[];
  queue?: string;
  type?: string;
  tag?: string;
}

/** Counts of jobs in each state. */
export type StateCounts = Record<JobState, number>;

/** What `migrate` did. */
export interface MigrationResult {
  /** Versions applied by this call, in order. */
  applied: number[];
  /** The schema version after the call. */
  version: number;
}

/** An entry of the job-event log: written in the same transaction as the change it records. */
export type StoredJobEvent = {
  [K in JobEventName]: StoredJobEventOf<K>;
}[JobEventName];

/** A stored event of one name, its `data` as `JobEventDataMap` describes it. */
export interface StoredJobEventOf<K extends JobEventName> {
  /** Position in the log; increases with every event. */
  seq: number;
  name: K;
  jobId: string;
  tenant: string;
  queue: string;
  type: string;
  status: JobState;
  at: Date;
  /** Event-specific fields (camelCase, times in epoch ms): see `JobEventDataMap`. */
  data: JobEventDataMap[K];
}

/** Roles of API keys (SPEC §2). */
export type ApiKeyRole = "admin" | "producer" | "worker";

/** An API key as stored: never the key itself, only its hash. */
export interface ApiKeyRecord {
  id: string;
  name: string | null;
  /** The first characters of the key, to recognise it in listings. */
  prefix: string;
  role: ApiKeyRole;
  tenant: string;
  /** Queues a worker key may claim from; null = any. */
  queues: string[] | null;
  createdAt: Date;
  revokedAt: Date | null;
}

/** Percentiles of a duration, ms. */
export interface DurationPercentiles {
  p50: number;
  p95: number;
}

/** What a queue is doing (GET /queues). */
export interface QueueStats {
  name: string;
  counts: StateCounts;
  paused: boolean;
  concurrency: number | null;
  /** Jobs completed in the last 60 s. */
  completedLastMinute: number;
  /** Time from runAt to start, over recently started jobs; null when there are none. */
  waitMs: DurationPercentiles | null;
  /** Run time of recently completed jobs; null when there are none. */
  runMs: DurationPercentiles | null;
}

/** One worker's heartbeat; `running` undefined keeps the stored count (remote workers). */
export interface WorkerHeartbeat {
  id: string;
  running?: number;
}

/** What a store knows about a queue that explains why its jobs wait (see core/waiting-reason.ts). */
export interface QueueWaitingFacts {
  paused: boolean;
  concurrency: number | null;
  /** Jobs of the queue running now. */
  running: number;
  /** When the rate limit allows the next start (ms); null when it allows one now or has none. */
  rateLimitedUntil: number | null;
  keyConcurrency: number | null;
  /** Running jobs of the asked-for concurrency key (0 without one). */
  keyRunning: number;
  /** What every live worker serves (the caller picks the ones that serve a job). */
  workers: Pick<WorkerPresence, "queues" | "types" | "tenant">[];
}

/** Called when jobs may have become ready in `queue` (null: some queue). A hint: may be spurious. */
export type JobsAvailableListener = (queue: string | null) => void;

/**
 * A maintenance leadership as the store recorded it: who holds `name` and until when. A holder
 * leads while `now < expiresAt` and must renew before then; nobody else can take the row over
 * until it has expired.
 */
export interface Leadership {
  /** True when the caller (`holder` of the request) is the leader now. */
  leader: boolean;
  /** The current holder (the caller, or whoever else leads). */
  holder: string;
  /** When the current holder's lease ends, ms since the epoch. */
  expiresAt: number;
  /** When the current holder took the leadership over (unchanged by renewals). */
  acquiredAt: number;
}

/** Log lines for one job, written under its lease (`appendJobLogs`). */
export interface JobLogAppend {
  id: string;
  leaseToken: string;
  lines: readonly JobLogLineInput[];
  /**
   * Lines the writer dropped before sending (oldest first, to stay within the cap): their
   * positions are skipped, so readers count them as dropped. Default 0.
   */
  skipped?: number;
}

/** The answer to one append: `ok: false` when the lease token is stale (nothing written). */
export type JobLogAppendOutcome =
  { id: string; ok: true; lastSeq: number } | { id: string; ok: false };

/** The store contract. */
export interface Store {
  readonly capabilities: StoreCapabilities;

  /** Applies pending migrations; safe when several processes call it at once. */
  migrate(): Promise<MigrationResult>;
  /** Succeeds when the store answers a trivial query. */
  ping(): Promise<void>;
  /** Releases connections; further calls fail. */
  close(): Promise<void>;

  /**
   * Inserts jobs in one transaction (all or nothing), applying queue defaults and charging new
   * (non-duplicate) jobs to their tenant's credits: over a limit (the quota override, else the
   * tier's under `tiers`, default `DEFAULT_TIER_POLICY`), it throws `QuotaExceededError` and
   * writes nothing; exact across processes. With `client`
   * (stores with `transactionalEnqueue` only) the insert runs on the caller's own connection,
   * inside the caller's open transaction, and commits or rolls back with it.
   */
  enqueueJobs(params: {
    jobs: readonly JobInput[];
    now: number;
    client?: unknown;
    tiers?: TierPolicy;
  }): Promise<EnqueueOutcome[]>;
  /**
   * Claims up to `limit` ready jobs from `queues` (taken in the order given), each by priority
   * (high first), then runAt, then id. Skips paused queues and honours each queue's concurrency
   * limit across all processes. Jobs due by `now` in `scheduled`/`retrying` are claimable too.
   * With `tenant`, only that tenant's jobs are claimed (tenant-scoped remote workers).
   * With `types`, only jobs of those types, in the same order across all of them (undefined or
   * a list containing `"*"`: any type; an empty list: none). Jobs of other types stay queued,
   * untouched, and cost the claim nothing however many there are.
   */
  claimJobs(params: {
    queues: readonly string[];
    workerId: string;
    limit: number;
    leaseMs: number;
    now: number;
    tenant?: string;
    types?: readonly string[];
  }): Promise<ClaimedJob[]>;
  /**
   * Extends leases (never past the attempt's timeout) and saves progress; reports cancellations.
   * Returns one outcome per lease, in the order given.
   */
  extendLeases(params: {
    leases: readonly LeaseRenewal[];
    leaseMs: number;
    now: number;
  }): Promise<LeaseRenewalOutcome[]>;
  /** Records successful attempts in one transaction; one outcome per completion, in order. */
  completeJobs(params: {
    completions: readonly Completion[];
    now: number;
  }): Promise<CompletionOutcome[]>;
  /** Records a failed attempt. Throws `LeaseLostError` when the token is stale. */
  failJob(
    params: Failure & { now: number },
  ): Promise<{ status: "retrying" | "failed" | "cancelled"; runAt: Date }>;
  /** Gives running jobs back without counting the attempt (graceful shutdown). Returns how many. */
  releaseJobs(params: {
    leases: readonly { id: string; leaseToken: string }[];
    now: number;
  }): Promise<number>;
  /** Ids among `ids` whose cancellation was requested (for workers polling for cancels). */
  findCancelRequested(params: { ids: readonly string[] }): Promise<string[]>;

  /**
   * Cancels a job: a waiting job becomes `cancelled` at once; a running one gets
   * `cancelRequested` and ends `cancelled` when its worker stops. Throws `SpoolNotFoundError`
   * (also when `tenant` does not own it) and `SpoolConflictError` when the job is final.
   */
  cancelJob(params: { id: string; tenant?: string; now: number }): Promise<JobRecord>;
  /** Moves a `failed`/`cancelled` job back to `queued` with attempts reset. */
  retryJob(params: { id: string; tenant?: string; now: number }): Promise<JobRecord>;
  /** The job, or null when unknown (or not the tenant's). */
  getJob(params: { id: string; tenant?: string }): Promise<JobRecord | null>;
  /** Jobs newest first, `limit` per page; `cursor` is the previous page's `nextCursor`. */
  listJobs(
    params: JobFilter & { limit: number; cursor?: string },
  ): Promise<{ jobs: JobRecord[]; nextCursor: string | null }>;
  /** Counts of jobs by state. */
  countJobsByState(params: { tenant?: string; queue?: string }): Promise<StateCounts>;

  /** Moves running jobs whose lease expired to `retrying` (an attempt counted) or `failed`. */
  rescueExpiredLeases(params: {
    now: number;
    limit: number;
    random: () => number;
  }): Promise<MovedJob[]>;
  /** Moves `scheduled`/`retrying` jobs whose runAt has come to `queued`. */
  promoteDueJobs(params: { now: number; limit: number }): Promise<MovedJob[]>;
  /** Deletes finished jobs older than their state's retention; at most `limit` rows. */
  pruneFinishedJobs(params: {
    completedBefore: number;
    failedBefore: number;
    cancelledBefore: number;
    limit: number;
  }): Promise<number>;

  /**
   * Folds the job-count deltas appended by concurrent writers into the base counts (PostgreSQL;
   * stores that update their counts in place do nothing). Counts read the same before and after:
   * this only keeps the delta rows few. Returns how many delta rows it folded.
   */
  foldJobCounts(): Promise<number>;

  /** Settings of every configured queue and of every queue that has jobs. */
  listQueues(): Promise<QueueConfig[]>;
  /** Changes a queue's settings (creating its row on first use). */
  updateQueue(params: { name: string; patch: QueuePatch; now: number }): Promise<QueueConfig>;

  /** Per-queue counts, settings, throughput and wait/run-time percentiles over `windowMs`. */
  queueStats(params: { now: number; windowMs: number; tenant?: string }): Promise<QueueStats[]>;
  /**
   * run_at (ms since the epoch) of the oldest `queued` job of `queue` (every tenant's), or null
   * when none waits. Exact, and read through the claim index: its cost does not grow with the
   * backlog (GET /queues `oldest_waiting_at`).
   */
  oldestQueuedRunAt(params: { queue: string }): Promise<number | null>;
  /**
   * How many queued jobs of the same queue come before a waiting job in claim order, among the
   * next `limit` jobs in line (a result of `limit` means "that many or more"), so that the cost
   * stays bounded however long the queue is. With `tenant`, only that tenant's jobs are counted
   * (a tenant must not learn another's backlog); without, every tenant's.
   */
  jobPosition(params: {
    job: Pick<JobRecord, "id" | "queue" | "priority" | "runAt">;
    limit: number;
    tenant?: string;
  }): Promise<number>;

  /**
   * Events after `afterSeq`, oldest first, at most `limit`. Every state change a store makes is
   * logged in the same transaction (queued, started, progress, completed, failed, retrying,
   * cancelled), so readers in any process see every event exactly in commit order.
   */
  readJobEvents(params: { afterSeq: number; limit: number }): Promise<StoredJobEvent[]>;
  /** The newest event's `seq` (0 when the log is empty): where a new reader starts. */
  latestJobEventSeq(): Promise<number>;
  /** Deletes all but the newest `keep` events. Returns how many it deleted. */
  pruneJobEvents(params: { keep: number }): Promise<number>;

  /** Stores a new API key (its hash only). */
  createApiKey(params: {
    id: string;
    hash: string;
    prefix: string;
    name: string | null;
    role: ApiKeyRole;
    tenant: string;
    queues: string[] | null;
    now: number;
  }): Promise<ApiKeyRecord>;
  /** The key with this hash, revoked or not, or null. */
  findApiKey(params: { hash: string }): Promise<ApiKeyRecord | null>;
  /** Every key, newest first. */
  listApiKeys(): Promise<ApiKeyRecord[]>;
  /** Revokes a key; throws `SpoolNotFoundError` for an unknown id. */
  revokeApiKey(params: { id: string; now: number }): Promise<ApiKeyRecord>;

  /**
   * Sets a tenant's quota override (a null field: the tier's limit; both null: no override);
   * returns its credits now under `tiers`.
   */
  setTenantQuota(params: {
    tenant: string;
    dailyLimit: number | null;
    monthlyLimit: number | null;
    now: number;
    tiers?: TierPolicy;
  }): Promise<TenantCredits>;
  /** A tenant's limits (override, else tier) and usage in the current periods. */
  tenantCredits(params: {
    tenant: string;
    now: number;
    tiers?: TierPolicy;
  }): Promise<TenantCredits>;
  /**
   * Sets a tenant's tier (null: none) and/or fair-scheduling weight (1–1000); an undefined
   * field keeps its value. Tier names are not checked here (the caller knows the policy).
   */
  putTenant(params: {
    tenant: string;
    tier?: string | null;
    weight?: number;
    now: number;
  }): Promise<TenantFacts>;
  /** A tenant's tier, weight, quota override and usage at `now` (defaults when unknown). */
  getTenant(params: { tenant: string; now: number }): Promise<TenantFacts>;
  /** Tenants with a tier/weight row or a quota, by name after `after`; at most `limit`. */
  listTenants(params: { now: number; limit: number; after?: string }): Promise<TenantFacts[]>;

  /**
   * Registers (or re-registers, by id) a worker's presence row. A live worker is one whose last
   * heartbeat is less than its `staleAfterMs` ago. Throws `SpoolConflictError` (code
   * `worker_name_taken`) when another live worker has the same name in the same tenant scope
   * (unscoped workers — local ones and admin-key remote ones — share one); a dead one's row is
   * replaced. Re-registering an id merges its queues and types (remote workers announce them
   * one claim at a time) and keeps its `startedAt`.
   */
  registerWorker(params: { worker: WorkerRegistration; now: number }): Promise<WorkerPresence>;
  /**
   * Marks workers as seen at `now` (one call for many). Returns the ids that have no row any
   * more (pruned after a long silence): those workers must register again.
   */
  heartbeatWorkers(params: { workers: readonly WorkerHeartbeat[]; now: number }): Promise<string[]>;
  /**
   * Live workers by name; with `tenant`, only that tenant's. A remote worker's `running` is
   * the number of running jobs that name it as their worker.
   */
  listWorkers(params: { now: number; tenant?: string }): Promise<WorkerPresence[]>;
  /** Deletes a worker's row (graceful stop). Returns false when there was none. */
  removeWorker(params: { id: string }): Promise<boolean>;
  /** Deletes rows of dead workers (silent past their `staleAfterMs`); at most `limit`. */
  pruneWorkers(params: { now: number; limit: number }): Promise<number>;
  /** A queue's pause, limit and running count, and the live workers, in one read. */
  queueWaitingFacts(params: {
    queue: string;
    now: number;
    concurrencyKey?: string | null;
  }): Promise<QueueWaitingFacts>;

  /**
   * Takes or renews the leadership `name` for `holder` until `now + leaseMs`: succeeds when the
   * row is free, expired by `now`, or already `holder`'s; otherwise reports the current leader.
   * Atomic across processes (one winner per expiry).
   */
  acquireLeadership(params: {
    name: string;
    holder: string;
    leaseMs: number;
    now: number;
  }): Promise<Leadership>;
  /** Gives the leadership up when `holder` has it (a no-op otherwise), so a peer takes over at once. */
  releaseLeadership(params: { name: string; holder: string }): Promise<void>;

  /**
   * Creates or replaces the schedule (`tenant`, `name`). A replacement takes the new definition
   * and `nextRunAt`, increments `revision`, and keeps `paused`, `lastRunAt` and `lastJobId`.
   */
  saveSchedule(params: {
    schedule: ScheduleDefinition;
    now: number;
  }): Promise<{ schedule: ScheduleRecord; created: boolean }>;
  /** The tenant's schedule of that name, or null. */
  getSchedule(params: { tenant: string; name: string }): Promise<ScheduleRecord | null>;
  /** Schedules by tenant, then name; with `tenant`, only that tenant's. */
  listSchedules(params: { tenant?: string }): Promise<ScheduleRecord[]>;
  /** Deletes a schedule (its jobs stay); false when there was none. */
  deleteSchedule(params: { tenant: string; name: string }): Promise<boolean>;
  /**
   * Pauses or resumes a schedule; resuming sets `nextRunAt` (the first tick after now, so the
   * ticks of the pause are not enqueued). Null when there is no such schedule.
   */
  setSchedulePaused(params: {
    tenant: string;
    name: string;
    paused: boolean;
    nextRunAt: number | null;
    now: number;
  }): Promise<ScheduleRecord | null>;
  /** Unpaused schedules whose `nextRunAt` is at or before `now`, soonest first; at most `limit`. */
  dueSchedules(params: { now: number; limit: number }): Promise<ScheduleRecord[]>;
  /**
   * Enqueues the job of one tick, exactly once: in one transaction, records `tickAt` as the
   * schedule's last tick — only if the schedule still exists unpaused at `revision` and its
   * last tick is earlier — and inserts `job`. Returns null (and writes nothing) when the
   * condition fails: the tick was enqueued already (by any process), or the schedule changed.
   */
  enqueueScheduledJob(params: {
    tenant: string;
    name: string;
    revision: number;
    tickAt: number;
    nextRunAt: number | null;
    job: JobInput;
    now: number;
    /** The tier policy the job is charged under, as for `enqueueJobs`. */
    tiers?: TierPolicy | undefined;
  }): Promise<EnqueueOutcome | null>;

  /**
   * Subscribes to "job events were committed" hints from writes made through this store object
   * (other processes' writes send none); returns the unsubscribe function.
   */
  onEventsWritten(listener: () => void): () => void;

  /** Subscribes to "jobs may be ready" hints; returns the unsubscribe function. */
  onJobsAvailable(listener: JobsAvailableListener): () => void;

  /** The hot tables' live and dead row versions (empty without `tableMaintenance`). */
  readTableHealth(): Promise<TableHealth[]>;
  /**
   * Reclaims one table's dead row versions and dead index entries and refreshes its planner
   * statistics (PostgreSQL: `VACUUM (ANALYZE)`), or with `analyzeOnly` only the latter
   * (`ANALYZE`), skipping it when another process is at it; returns whether it ran. Only tables
   * `readTableHealth` reported. A no-op without `tableMaintenance`.
   */
  vacuumTable(params: { table: string; analyzeOnly?: boolean }): Promise<boolean>;

  /**
   * Appends log lines to running jobs, each fenced by its lease token (a stale token writes
   * nothing and answers `ok: false`), tagged with the job's current attempt, in one
   * transaction; one outcome per entry, in order. A job keeps its newest `keepLines` lines:
   * older ones are deleted. Logs are deleted with their job (retention).
   */
  appendJobLogs(params: {
    entries: readonly JobLogAppend[];
    keepLines: number;
    now: number;
  }): Promise<JobLogAppendOutcome[]>;
  /**
   * A job's log lines after `afterSeq`, oldest first, at most `limit`; with `attempt`, only
   * that attempt's. Null when the job is unknown (or not `tenant`'s).
   */
  readJobLogs(params: {
    id: string;
    tenant?: string;
    attempt?: number;
    afterSeq: number;
    limit: number;
  }): Promise<JobLogPage | null>;
  /**
   * Submits jobs with dependencies and/or as a batch, in one transaction (all or nothing), with
   * `enqueueJobs`' defaults, unique keys and quotas. Each `dependsOn` id must be a job of the
   * child's tenant (else `SpoolValidationError` naming `dependsOnField[k]`, exactly as for an
   * unknown id); index references must name earlier jobs of the call. A child with an unfinished
   * parent is held (core/flows.ts). With `batch`, every job (duplicates included) joins it.
   */
  enqueueFlow(params: {
    jobs: readonly JobInput[];
    batch: BatchInput | null;
    now: number;
    /** The tier policy the new jobs are charged under, as for `enqueueJobs`. */
    tiers?: TierPolicy | undefined;
  }): Promise<EnqueueOutcome[]>;
  /**
   * One round of the dependency resolver (at most `limit` held jobs and `limit` batches): held
   * jobs whose parents all completed become `queued`; those with a failed, cancelled or missing
   * parent end `cancelled` with `DependencyFailed` (their own children follow next round);
   * batches whose jobs are all final are marked finished and their `onComplete` job enqueued,
   * exactly once by construction (a conditional update in the inserting transaction).
   */
  resolveFlows(params: { now: number; limit: number }): Promise<FlowResolution>;
  /** The parents' outcomes of each job of `ids` that has parents, in the order they were given. */
  readParentResults(params: { ids: readonly string[] }): Promise<ParentResults>;
  /** A job's batch and parents. */
  readJobLinks(params: { id: string }): Promise<JobLinks>;
  /** A batch with its counts by state, or null when unknown (or not the tenant's). */
  getBatch(params: { id: string; tenant?: string }): Promise<BatchRecord | null>;
  /** Stores a webhook subscription (core/webhook.ts). */
  createWebhook(params: { webhook: WebhookRecord }): Promise<WebhookRecord>;
  /** Subscriptions oldest first; with `tenant`, only that tenant's. */
  listWebhooks(params: { tenant?: string }): Promise<WebhookRecord[]>;
  /** The subscription, or null when unknown (or not the tenant's). */
  getWebhook(params: { id: string; tenant?: string }): Promise<WebhookRecord | null>;
  /** Deletes a subscription with its deliveries and their log; null when unknown / not the tenant's. */
  deleteWebhook(params: { id: string; tenant?: string }): Promise<WebhookRecord | null>;
  /** How far the job-event log has been turned into deliveries (null: never). */
  readWebhookCursor(): Promise<number | null>;
  /**
   * Creates deliveries (skipping any whose subscription already has one for that event seq, so
   * API servers fanning out the same events concurrently create each delivery once) and moves
   * the cursor forward to `cursorSeq` (never back), in one transaction. Returns how many it created.
   */
  enqueueWebhookDeliveries(params: {
    deliveries: readonly NewWebhookDelivery[];
    cursorSeq: number;
    now: number;
  }): Promise<number>;
  /**
   * Leases up to `limit` due deliveries (pending and due, or sending with an expired lease: the
   * sender died, the same delivery is sent again) until `now + leaseMs`, counting an attempt.
   * An expired lease is logged as an interrupted attempt; one on the last attempt fails the
   * delivery. Parallel claimers get disjoint deliveries.
   */
  claimWebhookDeliveries(params: {
    limit: number;
    leaseMs: number;
    now: number;
  }): Promise<ClaimedWebhookDelivery[]>;
  /** Logs an attempt and sets the delivery's next state; false when the lease token is stale. */
  recordWebhookAttempt(params: { report: WebhookAttemptReport; now: number }): Promise<boolean>;
  /**
   * Deliveries newest first with their attempts, by subscription and/or job, of one tenant or
   * all; `cursor` is the previous page's `nextCursor`.
   */
  listWebhookDeliveries(params: {
    webhookId?: string;
    jobId?: string;
    tenant?: string;
    limit: number;
    cursor?: string;
  }): Promise<{ deliveries: WebhookDelivery[]; nextCursor: string | null }>;
  /**
   * Queues a finished (succeeded or failed) delivery again: same id and body, due at `now`,
   * with `maxAttempts` more attempts. Throws `SpoolNotFoundError` when unknown (or not the
   * tenant's or not the subscription's) and `SpoolConflictError` while it is not finished.
   */
  redeliverWebhookDelivery(params: {
    id: string;
    webhookId: string;
    tenant?: string;
    maxAttempts: number;
    now: number;
  }): Promise<WebhookDelivery>;
}
