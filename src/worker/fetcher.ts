/**
 * The claim loop. It claims only up to the worker's free slots, in batches, and only jobs of
 * the types the worker has handlers for (others wait for a worker that serves them); it claims again at
 * once while claims come back full, wakes on the store's "jobs available" hints, and otherwise
 * polls every `pollIntervalMs` (with jitter) as a backstop for lost hints. Store errors back
 * off exponentially up to 5 s.
 */
import type { Clock } from "../core/clock.js";
import type { ClaimedJob } from "../core/job.js";
import type { Logger } from "../core/logger.js";
import type { Store } from "../store/store.js";
import { recordClaimSpans } from "./tracing.js";

/** Options of the fetcher. */
export interface FetcherOptions {
  /** Most jobs per claim. */
  batchSize: number;
  clock: Clock;
  /** Free slots right now. */
  freeSlots: () => number;
  leaseMs: number;
  logger: Logger;
  /** Receives claimed jobs. */
  onJobs: (jobs: ClaimedJob[]) => void;
  /** Called after a claim found nothing in any queue. */
  onIdle?: () => void;
  /** Backstop poll interval, ms. */
  pollIntervalMs: number;
  queues: readonly string[];
  store: Store;
  /** Job types this worker has handlers for: claims take only these (SPEC §6). */
  types: readonly string[];
  workerId: string;
}

/** Claims jobs for a worker; see the module header. */
export class Fetcher {
  private running = false;
  private scheduled = false;
  private claiming: Promise<void> | undefined;
  /** True while jobs may be waiting (last claim was full, or a hint arrived). */
  private mayHaveJobs = true;
  private pollTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private errorStreak = 0;
  private unsubscribe: (() => void) | undefined;
  private readonly queueSet: ReadonlySet<string>;

  constructor(private readonly options: FetcherOptions) {
    this.queueSet = new Set(options.queues);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.options.store.onJobsAvailable((queue) => {
      if (queue === null || this.queueSet.has(queue)) this.wake();
    });
    this.schedulePoll();
    this.wake();
  }

  /** Stops claiming; resolves when no claim is in flight. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    clearTimeout(this.pollTimer);
    clearTimeout(this.retryTimer);
    await this.claiming;
  }

  /** Jobs may be ready: claim soon. */
  wake(): void {
    this.mayHaveJobs = true;
    this.schedule();
  }

  /** A slot became free: claim if jobs may be waiting. */
  slotFreed(): void {
    if (this.mayHaveJobs) this.schedule();
  }

  private schedule(): void {
    if (!this.running || this.scheduled || this.retryTimer !== undefined) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.claiming === undefined)
        this.claiming = this.runOnce().finally(() => (this.claiming = undefined));
      else
        this.claiming.then(
          () => this.schedule(),
          () => undefined,
        );
    });
  }

  /** One claim for the free slots. */
  async runOnce(): Promise<void> {
    const limit = Math.min(this.options.freeSlots(), this.options.batchSize);
    if (!this.running || limit <= 0 || !this.mayHaveJobs) return;
    this.mayHaveJobs = false;
    let jobs: ClaimedJob[];
    const started = performance.now();
    try {
      jobs = await this.options.store.claimJobs({
        queues: this.options.queues,
        types: this.options.types,
        workerId: this.options.workerId,
        limit,
        leaseMs: this.options.leaseMs,
        now: this.options.clock.now(),
      });
      this.errorStreak = 0;
    } catch (error) {
      this.mayHaveJobs = true;
      this.errorStreak += 1;
      const delayMs = Math.min(5_000, 50 * 2 ** this.errorStreak);
      this.options.logger.error({ err: error, delayMs }, "claim failed; backing off");
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.schedule();
      }, delayMs);
      return;
    }
    if (jobs.length > 0) {
      recordClaimSpans(jobs, started, this.options.workerId);
      this.options.onJobs(jobs);
    }
    if (jobs.length === limit) {
      this.mayHaveJobs = true; // a full claim: more may be waiting
      this.schedule();
    } else if (!this.mayHaveJobs) {
      this.options.onIdle?.();
    }
  }

  private schedulePoll(): void {
    if (!this.running) return;
    const jitter = 0.8 + Math.random() * 0.4;
    this.pollTimer = setTimeout(() => {
      this.wake();
      this.schedulePoll();
    }, this.options.pollIntervalMs * jitter);
  }
}
