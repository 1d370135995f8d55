/**
 * Long-polling for remote workers' claims: a claim that finds nothing waits until the store
 * says jobs may be ready in that queue (one shared store subscription for all waiting requests),
 * with a 1 s re-check as a backstop for hints that never come (e.g. delayed jobs coming due).
 * No busy polling.
 */
import type { SpoolWorkers } from "../spool-workers.js";

const BACKSTOP_MS = 1_000;

/** See the module header. */
export class ClaimWaiter {
  private readonly waiters = new Map<string, Set<() => void>>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly workers: SpoolWorkers) {}

  /** Claims waiting right now (for tests and metrics). */
  get waiting(): number {
    let count = 0;
    for (const set of this.waiters.values()) count += set.size;
    return count;
  }

  /** Resolves when `queue` may have jobs, after `timeoutMs` at most, or when `signal` aborts. */
  wait(queue: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (timeoutMs <= 0 || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const set = this.waiters.get(queue) ?? new Set();
      this.waiters.set(queue, set);
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        set.delete(done);
        if (set.size === 0) this.waiters.delete(queue);
        if (this.waiters.size === 0) this.stopListening();
        resolve();
      };
      const timer = setTimeout(done, Math.min(timeoutMs, BACKSTOP_MS));
      signal.addEventListener("abort", done, { once: true });
      set.add(done);
      this.startListening();
    });
  }

  private startListening(): void {
    this.unsubscribe ??= this.workers.onJobsAvailable((queue) => {
      const targets =
        queue === null ? [...this.waiters.values()] : [this.waiters.get(queue) ?? new Set()];
      for (const set of targets) for (const wake of [...set]) wake();
    });
  }

  private stopListening(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }
}
