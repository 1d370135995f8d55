/**
 * Keeps the leases of a worker's running jobs: one batched `extendLeases` call every
 * `intervalMs` (default leaseMs/3) for all of them, progress written within `progressFlushMs`
 * of being reported, and a look for cancellation requests every `cancelCheckIntervalMs`.
 * A renewal refused for a stale token aborts that job (its result will be dropped).
 */
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/logger.js";
import type { LeaseRenewal, Store } from "../store/store.js";
import type { ActiveJob } from "./active-job.js";

/** Options of the lease keeper. */
export interface LeaseKeeperOptions {
  active: ReadonlyMap<string, ActiveJob>;
  /** How often to look for cancellation requests, ms. Default 1,000. */
  cancelCheckIntervalMs?: number;
  clock: Clock;
  /** How often to renew leases, ms. Default leaseMs / 3. */
  intervalMs?: number;
  leaseMs: number;
  logger: Logger;
  /** Called when a job's cancellation was requested (by job id: it applies to any attempt). */
  onCancelRequested: (id: string) => void;
  /** Called when a job's lease turned out to be lost. */
  onLeaseLost: (active: ActiveJob) => void;
  /**
   * Delay between a progress report and its write, ms; reports in between coalesce. Default 0:
   * the write happens on the next event-loop turn, so `await ctx.progress()` costs one store
   * write and reports made in the same turn (by many jobs) share it.
   */
  progressFlushMs?: number;
  store: Store;
}

/** Renews leases, writes progress, notices cancellations. */
export class LeaseKeeper {
  private readonly intervalMs: number;
  private readonly cancelCheckIntervalMs: number;
  private readonly progressFlushMs: number;
  private renewTimer: NodeJS.Timeout | undefined;
  private cancelTimer: NodeJS.Timeout | undefined;
  private progressTimer: NodeJS.Timeout | undefined;
  private running = false;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly options: LeaseKeeperOptions) {
    this.intervalMs = options.intervalMs ?? Math.max(10, Math.floor(options.leaseMs / 3));
    this.cancelCheckIntervalMs = options.cancelCheckIntervalMs ?? 1_000;
    this.progressFlushMs = options.progressFlushMs ?? 0;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.renewTimer = setInterval(
      () => void this.runOnce(this.options.clock.now()),
      this.intervalMs,
    );
    this.cancelTimer = setInterval(
      () => void this.checkCancellations(),
      this.cancelCheckIntervalMs,
    );
  }

  /** Stops the timers after writing any pending progress. */
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.renewTimer);
    clearInterval(this.cancelTimer);
    clearTimeout(this.progressTimer);
    this.progressTimer = undefined;
    await this.flushProgress();
    await this.inFlight;
  }

  /** Renews every active lease (with pending progress) in one call. */
  async runOnce(now: number): Promise<void> {
    const jobs = [...this.options.active.values()].filter(
      (active) => active.abortCause === undefined,
    );
    await this.renew(jobs, now);
  }

  /** Records a progress report; resolves once it is written. */
  reportProgress(active: ActiveJob, progress: number, message: string | null): Promise<void> {
    active.pendingProgress = { progress, message };
    const written = new Promise<void>((resolve) => active.progressWaiters.push(resolve));
    if (this.progressTimer === undefined) {
      this.progressTimer = setTimeout(() => {
        this.progressTimer = undefined;
        void this.flushProgress();
      }, this.progressFlushMs);
    }
    return written;
  }

  private async flushProgress(): Promise<void> {
    const jobs = [...this.options.active.values()].filter(
      (active) => active.pendingProgress !== undefined,
    );
    if (jobs.length > 0) await this.renew(jobs, this.options.clock.now());
  }

  private renew(jobs: ActiveJob[], now: number): Promise<void> {
    if (jobs.length === 0) return Promise.resolve();
    // One write at a time keeps renewals ordered (a later progress never lands before an earlier one).
    const run = this.inFlight.then(() => this.renewNow(jobs, now));
    this.inFlight = run.catch(() => undefined);
    return run;
  }

  private async renewNow(jobs: ActiveJob[], now: number): Promise<void> {
    const waiters: (() => void)[] = [];
    const leases = jobs.map((active): LeaseRenewal => {
      const lease: LeaseRenewal = { id: active.job.id, leaseToken: active.job.leaseToken };
      if (active.pendingProgress !== undefined) {
        lease.progress = active.pendingProgress.progress;
        lease.progressMessage = active.pendingProgress.message;
        active.pendingProgress = undefined;
        waiters.push(...active.progressWaiters.splice(0));
      }
      return lease;
    });
    try {
      const outcomes = await this.options.store.extendLeases({
        leases,
        leaseMs: this.options.leaseMs,
        now,
      });
      // Outcomes come back one per lease, in order (the Store contract).
      outcomes.forEach((outcome, i) => {
        const active = jobs[i]!;
        if (!outcome.ok) {
          this.options.onLeaseLost(active);
          return;
        }
        active.job.leaseExpiresAt = outcome.leaseExpiresAt;
        if (outcome.cancelRequested) this.options.onCancelRequested(outcome.id);
      });
    } catch (error) {
      // The lease is still valid until it expires; the next renewal tries again.
      this.options.logger.warn({ err: error, jobs: leases.length }, "lease renewal failed");
    } finally {
      for (const resolve of waiters) resolve();
    }
  }

  private async checkCancellations(): Promise<void> {
    const ids = [...this.options.active.values()]
      .filter((active) => active.abortCause === undefined)
      .map((active) => active.job.id);
    if (ids.length === 0) return;
    try {
      const cancelled = await this.options.store.findCancelRequested({ ids });
      for (const id of cancelled) this.options.onCancelRequested(id);
    } catch (error) {
      this.options.logger.warn({ err: error }, "cancellation check failed");
    }
  }
}
