/**
 * Spool adapters: Spool on SQLite (a temporary file per instance) and Spool on PostgreSQL (a
 * schema per instance, dropped on close), both through the public library API of the compiled
 * package (bench/compiled-spool.ts; the child processes run the sources). When this build
 * has no PostgreSQL store, `Spool.open` refuses the URL and the adapter reports
 * `SystemUnavailableError`, so the PostgreSQL rows say "not available in this build" until the
 * store lands, and are measured automatically from then on.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Spool, Worker } from "../../src/index.js";
import { compiledSpool } from "../compiled-spool.js";
import type { ChildMessage, ParentMessage, RemoteWorkerConfig } from "../cross-process-worker.js";
import { HttpServerProcess } from "../http-process.js";
import { BenchTimeoutError, errorMessage, withTimeout } from "../wait.js";
import { dropSchema, tableRowsOf } from "./postgres.js";
import {
  NOOP_TYPE,
  SystemUnavailableError,
  uniqueName,
  type BenchPayload,
  type BenchSystem,
  type CpuSample,
  type HttpServer,
  type OpenOptions,
  type RemoteWorker,
  type RunningWorker,
  type StartWorkerOptions,
  type SystemId,
  type SystemInstance,
  type TableRows,
} from "./system.js";

/** Which store a `SpoolSystem` benchmarks. */
export type SpoolStoreKind = "sqlite" | "postgres";

const CHILD_SCRIPT = fileURLToPath(new URL("../cross-process-worker.ts", import.meta.url));
/** tsx's loader, resolved from here so the child starts from any working directory. */
const TSX_LOADER = import.meta.resolve("tsx");
/** How long the child may take to start (tsx compiles it on the fly), ms. */
const CHILD_READY_TIMEOUT_MS = 30_000;
const CHILD_EXIT_TIMEOUT_MS = 15_000;

/**
 * Jobs a throughput worker holds beyond its running slots (`prefetch`). On a 200,000-job drain
 * on PostgreSQL (2026-12-02): 50 → 11,800–13,300 jobs/s, 200 → 16,200, 450 → 15,600,
 * 1,000 → 17,700 — larger claims spread the claim's fixed cost over more jobs.
 */
const PREFETCH = 500;

/** Spool, on SQLite or PostgreSQL. */
export class SpoolSystem implements BenchSystem {
  readonly id: SystemId;
  readonly label: string;
  readonly backend: string;
  readonly completionPoint =
    "the `job.completed` event, emitted after the completion (result, lease check) is committed; " +
    "the deep-backlog drains count handler returns, as graphile-worker's `job:success`, and " +
    "wait until the store holds no unfinished job";
  readonly tuning: string;
  readonly durability: string;

  constructor(
    private readonly store: SpoolStoreKind,
    private readonly postgresUrl: string,
  ) {
    this.id = store === "sqlite" ? "spool-sqlite" : "spool-postgres";
    this.label = store === "sqlite" ? "Spool (SQLite)" : "Spool (PostgreSQL)";
    this.backend = store === "sqlite" ? "SQLite" : "PostgreSQL";
    this.tuning =
      "the package's compiled JavaScript (tsc, as `npm install spool` ships it); " +
      "`Spool.open({ maintenance: false })` for the in-process instance; worker `concurrency: 50` " +
      "(claims batched up to the free slots, completions batched per event-loop turn, leases " +
      "and heartbeats kept; `prefetch: 500` in the throughput scenarios, where graphile-worker " +
      "gets its local queue of 500); the cross-process worker runs with default options, maintenance on" +
      (store === "postgres" ? "; its own schema via `storeTuning.schema`" : "");
    this.durability =
      store === "sqlite"
        ? "WAL; submits commit with `synchronous = FULL` (fsync before the call returns); " +
          "claims, heartbeats and completions with `NORMAL` (they survive `kill -9`; a power " +
          "loss can roll back the last of them, which the lease turns into a re-run)"
        : "PostgreSQL defaults (`synchronous_commit = on`, `fsync = on`) for submits and " +
          "completions; claims and lease renewals commit with `synchronous_commit = off` (a " +
          "claim lost in a crash only returns its jobs to the queue)";
  }

  async open(options: OpenOptions = {}): Promise<SystemInstance> {
    let url: string;
    let schema: string | undefined;
    let cleanup: () => Promise<void>;
    if (this.store === "sqlite") {
      const dir = await mkdtemp(join(tmpdir(), "spool-bench-"));
      url = `sqlite:${join(dir, "spool.db")}`;
      cleanup = () => rm(dir, { recursive: true, force: true });
    } else {
      schema = uniqueName("bench_spool");
      url = this.postgresUrl;
      const dropped = schema;
      cleanup = () => dropSchema(this.postgresUrl, dropped);
    }
    const { Spool, SpoolValidationError } = await compiledSpool();
    let spool: Spool;
    try {
      spool = await Spool.open({
        url,
        maintenance: options.maintenance ?? false,
        ...(schema === undefined ? {} : { storeTuning: { schema } }),
      });
    } catch (error) {
      await cleanup().catch(() => undefined);
      if (error instanceof SpoolValidationError && error.field === "url") {
        throw new SystemUnavailableError("not available in this build");
      }
      throw error;
    }
    return new SpoolInstance(spool, { url, ...(schema === undefined ? {} : { schema }) }, cleanup);
  }
}

/** One open Spool with its store location. */
class SpoolInstance implements SystemInstance {
  private readonly workers = new Set<Worker>();

  constructor(
    private readonly spool: Spool,
    private readonly location: { url: string; schema?: string },
    private readonly cleanup: () => Promise<void>,
  ) {}

  async bulkEnqueue(payloads: readonly BenchPayload[]): Promise<void> {
    await this.spool.enqueueMany(
      payloads.map((p) => ({
        type: NOOP_TYPE,
        payload: p.fail === true ? { i: p.i, fail: true } : { i: p.i },
        ...(p.fail === true ? { maxAttempts: 1 } : {}),
        ...(p.lane === undefined ? {} : { queue: `lane-${p.lane}` }),
      })),
    );
  }

  async enqueue(payload: BenchPayload): Promise<void> {
    await this.spool.enqueue(NOOP_TYPE, { i: payload.i });
  }

  async startWorker({
    concurrency,
    goal,
    hooks,
    lanes,
    report = "events",
  }: StartWorkerOptions): Promise<RunningWorker> {
    const follow = report === "events" ? this.follow(hooks) : undefined;
    const worker = this.spool.worker({
      concurrency,
      // Like graphile-worker's local queue (500) in the same scenarios: the next jobs are at
      // hand when a slot frees, and a claim takes up to 550 at once.
      ...(goal === "throughput" ? { prefetch: PREFETCH } : {}),
      ...(lanes === undefined
        ? {}
        : { queues: Array.from({ length: lanes }, (_, n) => `lane-${n}`) }),
      handlers: {
        [NOOP_TYPE]: (job) => {
          const i = Number(job.payload.i);
          hooks.onStarted(i);
          follow?.set(job.id, i);
          if (job.payload.fail === true) {
            if (follow === undefined) hooks.onFailed?.(i);
            throw new Error("failing");
          }
          if (follow === undefined) hooks.onCompleted(i);
          return null;
        },
      },
    });
    await worker.start();
    this.workers.add(worker);
    return {
      stop: async () => {
        await worker.stop();
        this.workers.delete(worker);
        follow?.off();
      },
    };
  }

  /**
   * Reports completions and failures from `spool.on`. The events carry the job id, not the
   * payload: the handler records which index each id is.
   */
  private follow(hooks: StartWorkerOptions["hooks"]): {
    set(id: string, i: number): void;
    off(): void;
  } {
    const indexById = new Map<string, number>();
    const reportTo = (hook: ((i: number) => void) | undefined) => (event: { jobId: string }) => {
      const i = indexById.get(event.jobId);
      if (i === undefined) return;
      indexById.delete(event.jobId);
      hook?.(i);
    };
    const offs = [
      this.spool.on("job.completed", reportTo(hooks.onCompleted)),
      this.spool.on("job.failed", reportTo(hooks.onFailed)),
    ];
    return {
      set: (id, i) => indexById.set(id, i),
      off: () => offs.forEach((off) => off()),
    };
  }

  /** Resolves once the store holds no unfinished job (the `handler` report's end). */
  async settle(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const s = await this.spool.stats();
      if (s.scheduled + s.queued + s.running + s.retrying === 0) return;
      if (performance.now() > deadline) {
        throw new BenchTimeoutError("the store to hold no unfinished job", timeoutMs);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  startRemoteWorker(concurrency: number): Promise<RemoteWorker> {
    return ChildWorker.start({ ...this.location, concurrency });
  }

  startHttpServer(): Promise<HttpServer> {
    return HttpServerProcess.start(this.location);
  }

  async tableRows(): Promise<TableRows[]> {
    if (this.location.schema === undefined) return [];
    return tableRowsOf(this.location.url, this.location.schema);
  }

  async close(): Promise<void> {
    try {
      await Promise.all([...this.workers].map((worker) => worker.stop()));
      await this.spool.close();
    } finally {
      await this.cleanup();
    }
  }
}

/** A Spool worker in a child process, driven over IPC. */
class ChildWorker implements RemoteWorker {
  private readonly startedAt = new Map<number, number>();
  private readonly startWaiters = new Map<number, (at: number) => void>();
  private cpuWaiter: ((sample: CpuSample) => void) | undefined;
  private failure: Error | undefined;
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    child.on("message", (message: ChildMessage) => this.onMessage(message));
    child.once("exit", (code, signal) => {
      this.failure ??= new Error(`worker process exited (code ${code}, signal ${signal})`);
    });
  }

  /** Forks the child and waits until its worker is running. */
  static async start(config: RemoteWorkerConfig): Promise<ChildWorker> {
    const child = fork(CHILD_SCRIPT, [], {
      execArgv: ["--import", TSX_LOADER],
      env: { ...process.env, SPOOL_BENCH_WORKER: JSON.stringify(config) },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const worker = new ChildWorker(child);
    const ready = new Promise<void>((resolve, reject) => {
      child.on("message", (message: ChildMessage) => {
        if (message.type === "ready") resolve();
        if (message.type === "error") reject(new Error(`worker process: ${message.message}`));
      });
      child.once("exit", (code) => reject(new Error(`worker process exited early (${code})`)));
      child.once("error", reject);
    });
    try {
      await withTimeout(ready, CHILD_READY_TIMEOUT_MS, "the worker process to start");
    } catch (error) {
      child.kill("SIGKILL");
      throw error;
    }
    return worker;
  }

  async started(i: number, timeoutMs: number): Promise<number> {
    const known = this.startedAt.get(i);
    if (known !== undefined) return known;
    if (this.failure !== undefined) throw this.failure;
    const waiting = new Promise<number>((resolve) => this.startWaiters.set(i, resolve));
    try {
      return await withTimeout(waiting, timeoutMs, `job ${i} to start in the worker process`);
    } finally {
      this.startWaiters.delete(i);
    }
  }

  async idleCpu(durationMs: number): Promise<CpuSample> {
    const sample = new Promise<CpuSample>((resolve) => (this.cpuWaiter = resolve));
    this.send({ type: "measure-cpu", durationMs });
    return withTimeout(sample, durationMs + 10_000, "the worker process's CPU sample");
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.send({ type: "stop" });
    try {
      await withTimeout(this.exited, CHILD_EXIT_TIMEOUT_MS, "the worker process to exit");
    } catch (error) {
      if (!(error instanceof BenchTimeoutError)) throw error;
      this.child.kill("SIGKILL");
      await this.exited;
    }
  }

  private send(message: ParentMessage): void {
    try {
      this.child.send(message);
    } catch (error) {
      this.failure ??= new Error(`cannot reach the worker process: ${errorMessage(error)}`);
    }
  }

  private onMessage(message: ChildMessage): void {
    if (message.type === "started") {
      this.startedAt.set(message.i, message.at);
      this.startWaiters.get(message.i)?.(message.at);
    } else if (message.type === "cpu") {
      this.cpuWaiter?.({ cpuMs: message.cpuMs, elapsedMs: message.elapsedMs });
      this.cpuWaiter = undefined;
    } else if (message.type === "error") {
      this.failure = new Error(`worker process: ${message.message}`);
    }
  }
}
