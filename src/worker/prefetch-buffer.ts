/**
 * The worker's local buffer of jobs claimed ahead of its free slots (`prefetch`). With it, the
 * next jobs are at hand the moment a slot frees, and a claim's round trip overlaps running jobs
 * instead of separating them: for short jobs the claim latency, not the handlers, bounds a
 * worker without it (docs/design.md "Prefetch").
 *
 * A buffered job is claimed: leased to this worker, its attempt counted, `startedAt` set. So it
 * is held only briefly: at most `maxWaitMs` (bounded well inside the lease, so the lease never
 * needs renewing while it waits) and at most a quarter of its timeout, after which it is
 * released back to its queue without counting the attempt, like a job given back on shutdown. Its timeout runs from the claim: the
 * executor subtracts the time it waited here, so the store's hard lease end (`startedAt +
 * timeout + grace`) still comes after the local timeout.
 */
import type { ClaimedJob } from "../core/job.js";
import type { Logger } from "../core/logger.js";
import type { Store } from "../store/store.js";

/** A job waiting for a slot, with when it arrived and when it goes back (monotonic ms). */
export interface HeldJob {
  job: ClaimedJob;
  heldAt: number;
  releaseAt: number;
}

/** Options of the buffer. */
export interface PrefetchBufferOptions {
  /** Longest a job waits here before it is released, ms. */
  maxWaitMs: number;
  logger: Logger;
  now: () => number;
  store: Pick<Store, "releaseJobs">;
  /** Called when held jobs went back because they waited too long. */
  onExpired: () => void;
  /** Wall-clock time for the release (the store's `now`). */
  wallNow: () => number;
}

/** See the module header. */
export class PrefetchBuffer {
  private jobs: HeldJob[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private releasing = new Set<Promise<void>>();

  constructor(private readonly options: PrefetchBufferOptions) {}

  /** Jobs waiting. */
  get size(): number {
    return this.jobs.length - this.head;
  }

  /** Adds claimed jobs, in claim order. */
  push(jobs: readonly ClaimedJob[]): void {
    const heldAt = this.options.now();
    let first = Infinity;
    for (const job of jobs) {
      const releaseAt = heldAt + Math.min(this.options.maxWaitMs, job.timeout / 4);
      this.jobs.push({ job, heldAt, releaseAt });
      first = Math.min(first, releaseAt);
    }
    if (this.timer === undefined || first < this.timerAt) this.arm(first, heldAt);
  }

  /** The oldest waiting job, or undefined. */
  shift(): HeldJob | undefined {
    if (this.head >= this.jobs.length) return undefined;
    const held = this.jobs[this.head]!;
    this.jobs[this.head] = undefined as unknown as HeldJob;
    this.head += 1;
    if (this.head === this.jobs.length) this.clear();
    else if (this.head > 1_024 && this.head * 2 > this.jobs.length) this.compact();
    return held;
  }

  /** Releases every waiting job (shutdown); resolves when the store has them back. */
  async releaseAll(): Promise<number> {
    const jobs = this.jobs.slice(this.head).map((held) => held.job);
    this.clear();
    const released = await this.release(jobs);
    await Promise.all([...this.releasing]);
    return released;
  }

  private arm(at: number, now: number): void {
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.expire(), Math.max(1, Math.ceil(at - now))).unref();
  }

  /** Releases the jobs whose time to wait is over; re-arms for the rest. */
  private expire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.options.now();
    const waiting = this.jobs.slice(this.head);
    const kept = waiting.filter((held) => held.releaseAt > now);
    const expired = waiting.filter((held) => held.releaseAt <= now).map((held) => held.job);
    this.jobs = kept;
    this.head = 0;
    if (expired.length > 0) {
      this.options.onExpired();
      const done = this.release(expired).then(() => undefined);
      this.releasing.add(done);
      void done.finally(() => this.releasing.delete(done));
    }
    if (kept.length > 0) this.arm(Math.min(...kept.map((held) => held.releaseAt)), now);
  }

  private async release(jobs: readonly ClaimedJob[]): Promise<number> {
    if (jobs.length === 0) return 0;
    try {
      return await this.options.store.releaseJobs({
        leases: jobs.map((job) => ({ id: job.id, leaseToken: job.leaseToken })),
        now: this.options.wallNow(),
      });
    } catch (error) {
      this.options.logger.error(
        { err: error, jobs: jobs.length },
        "releasing prefetched jobs failed; their leases will expire instead",
      );
      return 0;
    }
  }

  private compact(): void {
    this.jobs = this.jobs.slice(this.head);
    this.head = 0;
  }

  private clear(): void {
    this.jobs = [];
    this.head = 0;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }
}
