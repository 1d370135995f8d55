/**
 * Batches successful attempts into one store transaction per event-loop turn. A caller's
 * promise resolves only after its completion is committed (durable acknowledgement), and a
 * transient store error is retried with capped back-off; a stale lease is never retried.
 */
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/logger.js";
import type { Completion, CompletionOutcome, Store } from "../store/store.js";

/** Options of the completer. */
export interface CompleterOptions {
  clock: Clock;
  logger: Logger;
  /** Most completions per transaction. Default 500. */
  maxBatch?: number;
  /** Attempts at writing a batch before giving up (the lease then expires and the job re-runs). Default 8. */
  maxWriteAttempts?: number;
  store: Store;
}

interface PendingCompletion {
  completion: Completion;
  resolve: (outcome: CompletionOutcome) => void;
  reject: (error: unknown) => void;
}

/** Batches completions; see the module header. */
export class Completer {
  private readonly pending: PendingCompletion[] = [];
  private readonly maxBatch: number;
  private readonly maxWriteAttempts: number;
  private flushing: Promise<void> | undefined;
  private scheduled = false;

  constructor(private readonly options: CompleterOptions) {
    this.maxBatch = options.maxBatch ?? 500;
    this.maxWriteAttempts = options.maxWriteAttempts ?? 8;
  }

  /** Queues a completion; resolves once it is committed (or refused as stale). */
  complete(completion: Completion): Promise<CompletionOutcome> {
    return new Promise((resolve, reject) => {
      this.pending.push({ completion, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves when every queued completion has been written. */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.flushing !== undefined) {
      await (this.flushing ?? this.flush());
    }
  }

  private schedule(): void {
    if (this.scheduled || this.flushing !== undefined) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private flush(): Promise<void> {
    if (this.flushing !== undefined) return this.flushing;
    this.flushing = this.writeAll().finally(() => {
      this.flushing = undefined;
      if (this.pending.length > 0) this.schedule();
    });
    return this.flushing;
  }

  private async writeAll(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      try {
        const outcomes = await this.write(batch.map((entry) => entry.completion));
        batch.forEach((entry, i) => entry.resolve(outcomes[i]!));
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
  }

  private async write(completions: Completion[]): Promise<CompletionOutcome[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.options.store.completeJobs({
          completions,
          now: this.options.clock.now(),
        });
      } catch (error) {
        const retryable = (error as { retryable?: unknown }).retryable === true;
        if (!retryable || attempt >= this.maxWriteAttempts) throw error;
        const delayMs = Math.min(5_000, 25 * 2 ** attempt);
        this.options.logger.warn(
          { err: error, attempt, delayMs },
          "completion write failed; retrying",
        );
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }
}
