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
import { z } from "zod";
import type { Clock } from "../core/clock.js";
import { JobCancelledError, SpoolError } from "../core/errors.js";
import { SafeEmitter } from "../core/events.js";
import { randomToken } from "../core/ids.js";
import { DEFAULT_ABORT_GRACE_MS, type ClaimedJob } from "../core/job.js";
import type { Logger } from "../core/logger.js";
import {
  DEFAULT_LEASE_MS,
  DEFAULT_QUEUE,
  assertJobType,
  assertQueueName,
} from "../core/options.js";
import { toValidationError } from "../core/schema-errors.js";
import { workerStaleAfterMs, type WorkerRegistration } from "../core/worker-presence.js";
import { SPOOL_VERSION } from "../version.js";
import type { Store } from "../store/store.js";
import { abortActiveJob, createActiveJob, type ActiveJob } from "./active-job.js";
import { Completer } from "./completer.js";
import { Executor, leaseLostReason } from "./executor.js";
import { Fetcher } from "./fetcher.js";
import type { HandlerMap } from "./handler.js";
import { LeaseKeeper } from "./lease-keeper.js";
import { LogWriter } from "./log-writer.js";
import { PresenceKeeper } from "./presence-keeper.js";

/** Options of a worker (durations in ms). */
export interface WorkerOptions {
  /**
   * How long an aborted handler gets to stop before it is abandoned. Default 5,000. The wait
   * always ends 2 s before the attempt's lease can (timeout + 7 s), whatever this says, so the
   * outcome is recorded before the job could be claimed again.
   */
  abortGraceMs?: number;
  /** Most jobs claimed in one call. Default: `concurrency`. */
  batchSize?: number;
  /** How often running jobs are checked for cancellation requests. Default 1,000. */
  cancelCheckIntervalMs?: number;
  /** Jobs run at once. Default 10. */
  concurrency?: number;
  /** Stop SIGTERM/SIGINT and stop gracefully (when the worker owns the process). Default false. */
  handleSignals?: boolean;
  /** Handlers by job type. */
  handlers: HandlerMap;
  /** Lease length; renewed every third of it. Default 30,000. */
  leaseMs?: number;
  /**
   * Name in the worker registry, stored exactly as given; a live worker with the same name makes
   * `start()` throw `SpoolConflictError`. `job.worker` shows the worker's id (the name plus a
   * random suffix). Default: a generated unique name, `worker-<host>-<pid>-<random>`.
   */
  name?: string;
  /** Backstop poll interval when no wake-up arrives. Default 1,000. */
  pollIntervalMs?: number;
  /** Queues, in precedence order. Default `["default"]`. */
  queues?: string[];
  /** Grace period for in-flight jobs on stop. Default 10,000. */
  shutdownGraceMs?: number;
}

const optionsSchema = z
  .object({
    abortGraceMs: z.number().int().min(0).default(DEFAULT_ABORT_GRACE_MS),
    batchSize: z.number().int().min(1).max(1_000).optional(),
    cancelCheckIntervalMs: z.number().int().min(10).default(1_000),
    concurrency: z.number().int().min(1).max(10_000).default(10),
    handleSignals: z.boolean().default(false),
    handlers: z.record(
      z.string(),
      z.custom<HandlerMap[string]>((v) => typeof v === "function", "must be a function"),
    ),
    leaseMs: z.number().int().min(100).max(86_400_000).default(DEFAULT_LEASE_MS),
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/)
      .optional(),
    pollIntervalMs: z.number().int().min(10).default(1_000),
    queues: z.array(z.string()).min(1).default([DEFAULT_QUEUE]),
    shutdownGraceMs: z.number().int().min(0).default(10_000),
  })
  .strict();

/** Worker options with every default applied. */
export type ResolvedWorkerOptions = z.output<typeof optionsSchema> & { batchSize: number };

/** Resolves and checks worker options, naming the first bad field. */
export function resolveWorkerOptions(options: WorkerOptions): ResolvedWorkerOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw toValidationError(parsed.error);
  }
  parsed.data.queues.forEach((queue, i) => assertQueueName(queue, `queues[${i}]`));
  // Keys are the types the worker claims (SPEC §6); "*" or a malformed name would match no job.
  for (const type of Object.keys(parsed.data.handlers)) assertJobType(type, `handlers.${type}`);
  return { ...parsed.data, batchSize: parsed.data.batchSize ?? parsed.data.concurrency };
}

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
  store: Store;
}

type WorkerState = "idle" | "running" | "stopping" | "stopped";

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
    this.fetcher = new Fetcher({
      store,
      clock,
      logger,
      queues: this.options.queues,
      types: Object.keys(this.options.handlers),
      workerId: this.id,
      leaseMs: this.options.leaseMs,
      batchSize: this.options.batchSize,
      pollIntervalMs: this.options.pollIntervalMs,
      freeSlots: () => this.options.concurrency - this.active.size,
      onJobs: (jobs) => this.runAll(jobs),
      onIdle: () => {
        if (this.active.size === 0) this.emitter.emit("worker.idle", { workerId: this.id });
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
    let released = 0;
    await this.logWriter.flush(); // while the leases still fence the lines
    try {
      released = await this.context.store.releaseJobs({
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

  private runAll(jobs: ClaimedJob[]): void {
    for (const job of jobs) {
      const active = createActiveJob(job);
      // Keyed by attempt, not job: after a lost lease the same job can be re-claimed by this
      // worker while the stale attempt is still winding down.
      const key = `${job.id}:${job.leaseToken}`;
      this.active.set(key, active);
      void this.executor.run(active).finally(() => this.release(key));
    }
  }

  private release(key: string): void {
    this.active.delete(key);
    for (const check of [...this.settled]) check();
    if (this.state === "running") this.fetcher.slotFreed();
  }

  private cancelRunning(jobId: string): void {
    for (const active of this.active.values()) {
      if (active.job.id === jobId) abortActiveJob(active, "cancelled", new JobCancelledError());
    }
  }
}
