/**
 * Group commit for submissions, used by both stores. Concurrent `enqueueJobs` calls are merged
 * into one write — one transaction and one commit for all of them — and each caller's promise
 * resolves only after the write that carries its jobs has committed, so the acknowledgement
 * stays durable.
 *
 * When a call goes out: with `collect: "now"` (PostgreSQL) a call that finds a free write slot
 * goes out at once (no added latency when idle); calls that arrive while `maxInFlight` writes
 * are running queue up and leave together as soon as a slot frees. With `collect: "turn"`
 * (SQLite, whose writes are synchronous: a slot is never seen busy) the first call waits for
 * the rest of its event-loop turn (`setImmediate`), so 16 producers awaiting in a loop or an
 * HTTP server under load share one fsync (~250 µs) instead of paying one each. Under load the
 * commit cost is shared by every job in the batch.
 *
 * Each call stays all-or-nothing: when a merged write fails for a reason other than the
 * database being unavailable (say one call's duplicate id, or a quota), every call in it is
 * written again on its own, so only the offending call fails. That retry relies on the
 * writer's promise that a failed write committed nothing (one transaction: job-inserter.ts in
 * either dialect): were part of a failed group committed, its retry would report a committed
 * job as failed (or write it twice).
 */
import { StoreUnavailableError } from "../../core/errors.js";
import type { JobInput } from "../../core/options.js";
import type { TierPolicy } from "../../core/tiers.js";
import type { EnqueueOutcome } from "../store.js";

/** One caller's submission. */
export interface Submission {
  jobs: readonly JobInput[];
  now: number;
  /** The tier policy the jobs are charged under (undefined: the default policy). */
  tiers?: TierPolicy | undefined;
}

/** Writes submissions atomically together; returns each one's outcomes, in order. */
export type SubmissionWriter = (group: readonly Submission[]) => Promise<EnqueueOutcome[][]>;

/** Options of the batcher. */
export interface SubmissionBatcherOptions {
  /** Most jobs merged into one write (a single larger call still goes alone). Default 1,000. */
  maxJobs?: number;
  /** Writes running at once. Default 2. */
  maxInFlight?: number;
  /** When a call finding a free slot goes out: at once, or after this event-loop turn. Default "now". */
  collect?: "now" | "turn";
  write: SubmissionWriter;
}

interface Pending extends Submission {
  resolve: (outcomes: EnqueueOutcome[]) => void;
  reject: (error: unknown) => void;
}

/** Merges concurrent submissions into shared writes; see the module header. */
export class SubmissionBatcher {
  private readonly queue: Pending[] = [];
  private readonly maxJobs: number;
  private readonly maxInFlight: number;
  private inFlight = 0;
  /** A `collect: "turn"` pump is scheduled. */
  private scheduled = false;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(private readonly options: SubmissionBatcherOptions) {
    this.maxJobs = options.maxJobs ?? 1_000;
    this.maxInFlight = options.maxInFlight ?? 2;
  }

  /** Writes `submission`; resolves with its outcomes once they are committed. */
  submit(submission: Submission): Promise<EnqueueOutcome[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...submission, resolve, reject });
      if (this.options.collect !== "turn") this.pump();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  /** Resolves when no submission is queued or being written. */
  async drain(): Promise<void> {
    if (this.inFlight === 0 && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const group = this.takeGroup();
      this.inFlight += 1;
      void this.writeGroup(group).finally(() => {
        this.inFlight -= 1;
        this.pump();
        if (this.inFlight === 0 && this.queue.length === 0) {
          for (const resolve of this.idleWaiters.splice(0)) resolve();
        }
      });
    }
  }

  /**
   * The oldest submissions, up to `maxJobs` jobs (always at least one submission), all under
   * the first one's tier policy (one charge statement checks a group against one policy).
   */
  private takeGroup(): Pending[] {
    let jobs = this.queue[0]!.jobs.length;
    let count = 1;
    const tiers = this.queue[0]!.tiers;
    while (
      count < this.queue.length &&
      this.queue[count]!.tiers === tiers &&
      jobs + this.queue[count]!.jobs.length <= this.maxJobs
    ) {
      jobs += this.queue[count]!.jobs.length;
      count += 1;
    }
    return this.queue.splice(0, count);
  }

  private async writeGroup(group: Pending[]): Promise<void> {
    try {
      const outcomes = await this.options.write(group);
      group.forEach((pending, i) => pending.resolve(outcomes[i]!));
    } catch (error) {
      if (group.length === 1 || error instanceof StoreUnavailableError) {
        for (const pending of group) pending.reject(error);
        return;
      }
      // Find the offending call(s): write each one alone.
      for (const pending of group) {
        try {
          const [outcomes] = await this.options.write([pending]);
          pending.resolve(outcomes!);
        } catch (alone) {
          pending.reject(alone);
        }
      }
    }
  }
}
