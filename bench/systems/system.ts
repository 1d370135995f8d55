/**
 * The common shape every benchmarked queue implements, so that one set of scenarios
 * (bench/scenarios.ts) drives Spool, graphile-worker, pg-boss and BullMQ the same way.
 *
 * A `BenchSystem` describes a queue and opens fresh, empty instances of it; each scenario run
 * gets its own instance (a new SQLite file, PostgreSQL schema or Redis key prefix) and closes
 * it afterwards, so one measurement never sees another's rows.
 */

/** Identifiers accepted by `--only`. */
export const SYSTEM_IDS = [
  "spool-sqlite",
  "spool-postgres",
  "graphile-worker",
  "pg-boss",
  "bullmq",
] as const;

/** One of `SYSTEM_IDS`. */
export type SystemId = (typeof SYSTEM_IDS)[number];

/** The payload of every benchmark job: its index within the scenario run. */
export interface BenchPayload {
  i: number;
  /**
   * The churn scenario's extras (bench/backlog.ts), honoured by Spool and graphile-worker only:
   * the handler throws and the job fails at once (one attempt); the job goes to one of several
   * queues (Spool: `lane-<n>`; graphile-worker has no equivalent that runs in parallel, its
   * named queues run one job at a time, so it ignores this).
   */
  fail?: boolean;
  lane?: number;
}

/** Callbacks a started worker reports to; timestamps are taken by the caller's clock. */
export interface WorkerHooks {
  /** Called by the job handler as it starts, with the job's index. */
  onStarted(i: number): void;
  /** Called when the system reports the job completed (see `BenchSystem.completionPoint`). */
  onCompleted(i: number): void;
  /** Called when a job failed for good (churn scenario; Spool and graphile-worker only). */
  onFailed?(i: number): void;
}

/** A worker started in this process. */
export interface RunningWorker {
  /** Stops the worker (gracefully where the system supports it). */
  stop(): Promise<void>;
}

/** CPU a process used over an interval. */
export interface CpuSample {
  /** User + system CPU time, ms. */
  cpuMs: number;
  /** Wall-clock length of the interval, ms. */
  elapsedMs: number;
}

/** A worker running in a child process (Spool's cross-process scenario). */
export interface RemoteWorker {
  /**
   * Resolves with the time job `i`'s handler started in the child, as epoch milliseconds with a
   * fractional part (`performance.timeOrigin + performance.now()`).
   */
  started(i: number, timeoutMs: number): Promise<number>;
  /** Measures the child's CPU use over `durationMs` while it is idle. */
  idleCpu(durationMs: number): Promise<CpuSample>;
  /** Stops the child and waits for it to exit. */
  stop(): Promise<void>;
}

/** Spool's HTTP API serving an instance's store from a child process (the HTTP scenarios). */
export interface HttpServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** A producer API key (Bearer token). */
  readonly token: string;
  /** Starts a worker with a no-op handler in the server's process. */
  startWorker(concurrency: number): Promise<void>;
  /** CPU the server process used since the previous call (or since it started). */
  cpuSince(): Promise<CpuSample>;
  /** Shuts the server down and waits for its process to exit. */
  stop(): Promise<void>;
}

/** Options of `SystemInstance.startWorker`. */
export interface StartWorkerOptions {
  /** Handlers running at once. */
  concurrency: number;
  /**
   * What the scenario measures, for systems whose docs tune the two differently (graphile-
   * worker's local queue raises throughput at the cost of latency).
   */
  goal: "throughput" | "latency";
  hooks: WorkerHooks;
  /** Queues `lane-0` … to claim from, where the system has them (churn scenario). */
  lanes?: number;
  /**
   * Spool only: where `onCompleted`/`onFailed` come from. `events` (default): `spool.on`, after
   * the completion is committed and read back from the store's event log, as any subscriber
   * would see it. `handler`: when the handler returns or throws — graphile-worker's
   * `job:success` point — with `settle` then waiting until the store holds no unfinished job.
   */
  report?: "events" | "handler";
}

/** Live and dead row versions of one table (PostgreSQL systems, from pg_stat_user_tables). */
export interface TableRows {
  table: string;
  live: number;
  dead: number;
}

/** Options of `BenchSystem.open`. */
export interface OpenOptions {
  /** Run the system's own background maintenance (Spool only; off by default in the bench). */
  maintenance?: boolean;
}

/** One fresh, empty instance of a queue. */
export interface SystemInstance {
  /** Submits jobs with the system's bulk API, in one call (the caller chunks). */
  bulkEnqueue(payloads: readonly BenchPayload[]): Promise<void>;
  /** Submits one job with the system's single-submit API; resolves once it is acknowledged. */
  enqueue(payload: BenchPayload): Promise<void>;
  /** Starts an in-process worker for the benchmark's no-op job type. */
  startWorker(options: StartWorkerOptions): Promise<RunningWorker>;
  /**
   * Resolves once no submitted job is left unfinished in the store. Needed where the completion
   * callback fires before the completion write: graphile-worker, pg-boss, and Spool with
   * `report: "handler"`; the others' callbacks already mean "committed" (for Spool with
   * `report: "events"` it returns at its first look, one `stats()` read).
   */
  settle?(timeoutMs: number): Promise<void>;
  /** Starts a worker in a child process on the same store (only Spool has this scenario). */
  startRemoteWorker?(concurrency: number): Promise<RemoteWorker>;
  /** Starts Spool's HTTP API on the same store in a child process (only Spool has an HTTP API). */
  startHttpServer?(): Promise<HttpServer>;
  /** Live and dead rows of the instance's tables (PostgreSQL systems). */
  tableRows?(): Promise<TableRows[]>;
  /** Stops everything and deletes the instance's data (schema, file, keys). */
  close(): Promise<void>;
}

/** A benchmarked queue. */
export interface BenchSystem {
  readonly id: SystemId;
  /** Name in the report, e.g. "Spool (SQLite)". */
  readonly label: string;
  /** Where its jobs live: "SQLite", "PostgreSQL" or "Redis". */
  readonly backend: string;
  /** What "completed" means for its completion callback, for the method notes. */
  readonly completionPoint: string;
  /** Its configuration and why, for the method notes. */
  readonly tuning: string;
  /** Durability of an acknowledged submit, for the method notes. */
  readonly durability: string;
  /** Pickup-latency samples to take (fewer for systems whose pickup is slow by design). */
  readonly latencySamples?: number;
  /**
   * Random pause between pickup-latency samples, [min, max] ms. A polling system needs it to
   * span its polling interval, or the samples lock onto one phase of the polling cycle.
   * Default [5, 15].
   */
  readonly pickupGapMs?: readonly [number, number];
  /** Opens a fresh, empty instance. Throws `SystemUnavailableError` when it cannot exist here. */
  open(options?: OpenOptions): Promise<SystemInstance>;
}

/** The system cannot run in this build or on this machine (reported, not counted as a failure). */
export class SystemUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SystemUnavailableError";
  }
}

/** The benchmark job type every system registers. */
export const NOOP_TYPE = "noop";

/** Hosts the benchmark talks to: loopback only. */
export const DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";
export const DEFAULT_REDIS = { host: "127.0.0.1", port: 6379 } as const;

let nameCounter = 0;

/**
 * A name no other run of the benchmark uses at the same time (`prefix_pid_n`), valid as a
 * lower-case SQL identifier and as a Redis key prefix.
 */
export function uniqueName(prefix: string): string {
  nameCounter += 1;
  return `${prefix}_${process.pid}_${nameCounter}`;
}
