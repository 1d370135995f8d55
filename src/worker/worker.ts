/**
 * A worker: runs jobs from its queues with up to `concurrency` at once. It composes the fetcher
 * (claims), the executor (one job), the lease keeper (heartbeats, progress, cancellations) and
 * the completer (batched acknowledgements).
 *
 * Graceful stop: stop claiming; let in-flight jobs finish within `shutdownGraceMs`; then abort
 * the rest and release their leases, so another worker takes them at once (the attempt is not
 * counted). With `handleSignals`, SIGTERM and SIGINT start it; a second signal skips the grace.
 *
 * Presence: `start()` registers the worker in the store's registry under its exact `name` (and
 * throws `SpoolConflictError` when a live worker holds it); the presence keeper heartbeats it;
 * the end of `stop()` removes the row.
 */
import { hostname } from "node:os";
import type { Clock } from "../core/clock.js";
import { JobCancelledError, SpoolError } from "../core/errors.js";
import { SafeEmitter } from "../core/events.js";
import { randomToken } from "../core/ids.js";
import type { ClaimedJob } from "../core/job.js";
import type { Logger } from "../core/logger.js";
import { workerStaleAfterMs, type WorkerRegistration } from "../core/worker-presence.js";
import { SPOOL_VERSION } from "../version.js";
import type { Store } from "../store/store.js";
import { abortActiveJob, createActiveJob, type ActiveJob } from "./active-job.js";
import { Completer } from "./completer.js";
import { Executor, leaseLostReason } from "./executor.js";
import { Fetcher } from "./fetcher.js";
import { LeaseKeeper } from "./lease-keeper.js";
import { LogWriter } from "./log-writer.js";
import { PrefetchBuffer } from "./prefetch-buffer.js";
import { PresenceKeeper } from "./presence-keeper.js";
import {
  resolveWorkerOptions,
  type ResolvedWorkerOptions,
  type WorkerOptions,
} from "./worker-options.js";

export { resolveWorkerOptions, type ResolvedWorkerOptions, type WorkerOptions };

/** Events of the worker itself. */
export interface WorkerEventMap {
  "worker.started": { workerId: string };
  "worker.stopped": { workerId: string; released: number };
  /** Every claim came back empty: the worker has nothing to do. */
  "worker.idle": { workerId: string };
}

/** What a worker needs from the Spool instance that made it. */
export interface WorkerContext {
  clock: Clock;
  logger: Logger;
  maxResultBytes: number;
  random: () => number;
  /**
   * Resolves once the Spool's event feed (if a `spool.on` listener started one) has its start
   * position: a worker starts only then, so a listener added before `start()` sees every event
   * of the jobs it runs.
   */
  ready?: () => Promise<void>;
  store: Store;
}

type WorkerState = "idle" | "running" | "stopping" | "stopped";

/** Longest a prefetched job waits for a slot, ms (also at most a third of the lease). */
const PREFETCH_MAX_WAIT_MS = 1_000;

/** A worker; see the module header. */
export class Worker {
  /** Unique id of this worker, written to `job.worker`. */
  readonly id: string;
  /** Name in the worker registry (exactly as given, or generated). */
  readonly name: string;
  private readonly options: ResolvedWorkerOptions;
  private readonly active = new Map<string, ActiveJob>();
  private readonly settled = new Set<() => void>();
  private readonly emitter: SafeEmitter<WorkerEventMap>;
  private readonly fetcher: Fetcher;
  private readonly executor: Executor;
  private readonly leaseKeeper: LeaseKeeper;
  private readonly completer: Completer;
  private readonly logWriter: LogWriter;
  private readonly presence: PresenceKeeper;
  private readonly held: PrefetchBuffer;
  /**
   * Whether claims fill the prefetch buffer too: off once held jobs had to go back (the slots
   * are busy with long jobs), on again when a slot frees with nothing held.
   */
  private prefetching = true;
  private state: WorkerState = "idle";
  private stopping: Promise<void> | undefined;
  private readonly signalHandler = (signal: NodeJS.Signals): void => this.onSignal(signal);
  private signalsSeen = 0;
  /** Ends the grace period at once (a second signal, or `stop({ graceMs: 0 })` while stopping). */
  private skipGrace: (() => void) | undefined;
  private graceSkipped = false;

  constructor(
    private readonly context: WorkerContext,
    options: WorkerOptions,
  ) {
    this.options = resolveWorkerOptions(options);
    const suffix = randomToken().slice(0, 6);
    this.name = this.options.name ?? `worker-${hostname()}-${process.pid}-${suffix}`;
    this.id = this.options.name === undefined ? this.name : `${this.name}-${suffix}`;
    const { clock, logger, store } = context;
    this.presence = new PresenceKeeper({
      store,
      clock,
      logger,
      intervalMs: Math.max(10, Math.floor(this.options.leaseMs / 3)),
      registration: () => this.registration(),
    });
    this.emitter = new SafeEmitter((error, name) =>
      logger.error({ err: error, event: name }, "worker event listener threw"),
    );
    this.completer = new Completer({ store, clock, logger });
    this.held = new PrefetchBuffer({
      store,
      logger,
      maxWaitMs: Math.min(PREFETCH_MAX_WAIT_MS, Math.floor(this.options.leaseMs / 3)),
      now: () => performance.now(),
      onExpired: () => (this.prefetching = false),
      wallNow: () => clock.now(),
    });
    this.logWriter = new LogWriter({ store, clock, logger });
    this.leaseKeeper = new LeaseKeeper({
      store,
      clock,
      logger,
      active: this.active,
      leaseMs: this.options.leaseMs,
      cancelCheckIntervalMs: this.options.cancelCheckIntervalMs,
      onLeaseLost: (active) => abortActiveJob(active, "lease_lost", leaseLostReason(active.job.id)),
      onCancelRequested: (id) => this.cancelRunning(id),
    });
    this.executor = new Executor({
      ...context,
      abortGraceMs: this.options.abortGraceMs,
      completer: this.completer,
      handlers: this.options.handlers,
      leaseKeeper: this.leaseKeeper,
      logWriter: this.logWriter,
      workerId: this.id,
    });
    this.fetcher = this.createFetcher();
  }

  private createFetcher(): Fetcher {
    const { clock, logger, store } = this.context;
    return new Fetcher({
      store,
      clock,
      logger,
      queues: this.options.queues,
      types: Object.keys(this.options.handlers),
      workerId: this.id,
      leaseMs: this.options.leaseMs,
      batchSize: this.options.batchSize,
      pollIntervalMs: this.options.pollIntervalMs,
      freeSlots: () =>
        this.options.concurrency -
        this.active.size +
        (this.prefetching ? this.options.prefetch - this.held.size : 0),
      onJobs: (jobs) => this.runAll(jobs),
      onIdle: () => {
        if (this.active.size === 0 && this.held.size === 0)
          this.emitter.emit("worker.idle", { workerId: this.id });
      },
    });
  }

  /** Number of jobs running now. */
  get activeCount(): number {
    return this.active.size;
  }

  /** True between `start()` and the end of `stop()`. */
  get isRunning(): boolean {
    return this.state === "running";
  }

  /** Listens to worker events. */
  on<K extends keyof WorkerEventMap>(
    name: K,
    listener: (event: WorkerEventMap[K]) => void,
  ): () => void {
    return this.emitter.on(name, listener);
  }

  /** Starts claiming and running jobs. */
  async start(): Promise<void> {
    if (this.state !== "idle")
      throw new SpoolError("worker_state", `worker ${this.id} was already started`);
    await this.context.ready?.();
    await this.presence.start(); // throws (and the worker stays idle) when the name is taken
    if (this.state !== "idle") {
      // stop() was called while the registration was in flight: undo it and stay stopped.
      await this.presence.stop();
      return;
    }
    this.state = "running";
    this.leaseKeeper.start();
    this.fetcher.start();
    if (this.options.handleSignals) {
      process.on("SIGTERM", this.signalHandler);
      process.on("SIGINT", this.signalHandler);
    }
    this.emitter.emit("worker.started", { workerId: this.id });
  }

  /**
   * Stops gracefully: no new claims; in-flight jobs get `graceMs` (default `shutdownGraceMs`)
   * to finish; the rest are aborted and their leases released.
   */
  stop(options: { graceMs?: number } = {}): Promise<void> {
    if (this.state === "idle") this.state = "stopped";
    if (this.state === "stopped") return this.stopping ?? Promise.resolve();
    if (this.stopping !== undefined) {
      if (options.graceMs === 0) this.endGrace();
      return this.stopping;
    }
    this.stopping = this.shutdown(options.graceMs ?? this.options.shutdownGraceMs);
    return this.stopping;
  }

  /** Asks a running job of this worker to stop because it was cancelled (in-process fast path). */
  notifyCancelled(jobId: string): void {
    this.cancelRunning(jobId);
  }

  /** Resolves once no job runs (or at once when none does). */
  private whenAllSettled(): Promise<void> {
    if (this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.active.size === 0) {
          this.settled.delete(check);
          resolve();
        }
      };
      this.settled.add(check);
    });
  }

  private endGrace(): void {
    this.graceSkipped = true;
    this.skipGrace?.();
  }

  private async shutdown(graceMs: number): Promise<void> {
    this.state = "stopping";
    await this.fetcher.stop();
    // Prefetched jobs never started: give them back at once, before the grace.
    let released = await this.held.releaseAll();
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.graceSkipped ? 0 : graceMs);
      this.skipGrace = resolve;
    });
    await Promise.race([this.whenAllSettled(), graceOver]);
    clearTimeout(timer);
    const leftovers = [...this.active.values()];
    for (const active of leftovers)
      abortActiveJob(active, "shutdown", new Error("worker is shutting down"));
    await this.logWriter.flush(); // while the leases still fence the lines
    try {
      released += await this.context.store.releaseJobs({
        leases: leftovers.map((active) => ({
          id: active.job.id,
          leaseToken: active.job.leaseToken,
        })),
        now: this.context.clock.now(),
      });
    } catch (error) {
      this.context.logger.error(
        { err: error },
        "releasing leases on shutdown failed; they will expire instead",
      );
    }
    await this.completer.drain();
    await this.logWriter.flush();
    await this.leaseKeeper.stop();
    await this.presence.stop();
    // Signal handlers stay until here, so a second signal during the grace period is ours to
    // handle (release now), not the default "terminate".
    if (this.options.handleSignals) {
      process.off("SIGTERM", this.signalHandler);
      process.off("SIGINT", this.signalHandler);
    }
    this.state = "stopped";
    this.emitter.emit("worker.stopped", { workerId: this.id, released });
  }

  /** This worker's presence row as registered and heartbeated. */
  private registration(): WorkerRegistration {
    return {
      id: this.id,
      name: this.name,
      host: hostname(),
      pid: process.pid,
      kind: "local",
      tenant: null,
      queues: this.options.queues,
      types: Object.keys(this.options.handlers),
      concurrency: this.options.concurrency,
      running: this.active.size,
      version: SPOOL_VERSION,
      staleAfterMs: workerStaleAfterMs(this.options.leaseMs),
    };
  }

  private onSignal(signal: NodeJS.Signals): void {
    this.signalsSeen += 1;
    this.context.logger.info({ signal, workerId: this.id }, "signal received; stopping worker");
    void this.stop(this.signalsSeen > 1 ? { graceMs: 0 } : {}); // a second signal: release now
  }

  /** Runs claimed jobs in the free slots; holds the rest (prefetched) until slots free. */
  private runAll(jobs: ClaimedJob[]): void {
    let i = 0;
    for (; i < jobs.length && this.active.size < this.options.concurrency; i += 1) {
      this.run(jobs[i]!, 0);
    }
    if (i < jobs.length) this.held.push(i === 0 ? jobs : jobs.slice(i));
  }

  private run(job: ClaimedJob, heldMs: number): void {
    const active = createActiveJob(job, heldMs);
    // Keyed by attempt, not job: after a lost lease the same job can be re-claimed by this
    // worker while the stale attempt is still winding down.
    const key = `${job.id}:${job.leaseToken}`;
    this.active.set(key, active);
    void this.executor.run(active).finally(() => this.release(key));
  }

  private release(key: string): void {
    this.active.delete(key);
    for (const check of [...this.settled]) check();
    if (this.state !== "running") return;
    for (let next = this.held.size > 0 ? this.held.shift() : undefined; next !== undefined;) {
      this.run(next.job, performance.now() - next.heldAt);
      next = this.active.size < this.options.concurrency ? this.held.shift() : undefined;
    }
    if (this.held.size === 0) this.prefetching = true;
    this.fetcher.slotFreed();
  }

  private cancelRunning(jobId: string): void {
    for (const active of this.active.values()) {
      if (active.job.id === jobId) abortActiveJob(active, "cancelled", new JobCancelledError());
    }
  }
}
