/**
 * Records when each benchmark job started and completed (as reported through `WorkerHooks`)
 * and lets scenarios wait, with a timeout, for one job or for a number of completions.
 */
import type { WorkerHooks } from "./systems/system.js";
import { withTimeout } from "./wait.js";

interface Waiter {
  ready(): boolean;
  resolve(): void;
}

/** Start and completion times of jobs, by index, on a caller-chosen clock. */
export class JobTracker {
  /** When each job's handler started. */
  readonly startedAt = new Map<number, number>();
  /** When each job was reported completed. */
  readonly completedAt = new Map<number, number>();
  /** Hooks to pass to `SystemInstance.startWorker`. */
  readonly hooks: WorkerHooks;
  private completions = 0;
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly clock: () => number = () => performance.now()) {
    this.hooks = {
      onStarted: (i) => {
        if (!this.startedAt.has(i)) this.startedAt.set(i, this.clock());
        this.wake();
      },
      onCompleted: (i) => {
        if (this.completedAt.has(i)) return;
        this.completedAt.set(i, this.clock());
        this.completions += 1;
        this.wake();
      },
    };
  }

  /** Jobs reported completed so far. */
  get completedCount(): number {
    return this.completions;
  }

  /** Resolves with job `i`'s start time. */
  async waitStarted(i: number, timeoutMs: number): Promise<number> {
    await this.waitFor(() => this.startedAt.has(i), timeoutMs, `job ${i} to start`);
    return this.startedAt.get(i)!;
  }

  /** Resolves with job `i`'s completion time. */
  async waitCompleted(i: number, timeoutMs: number): Promise<number> {
    await this.waitFor(() => this.completedAt.has(i), timeoutMs, `job ${i} to complete`);
    return this.completedAt.get(i)!;
  }

  /** Resolves once at least `count` jobs have completed. */
  async waitCompletedCount(count: number, timeoutMs: number): Promise<void> {
    await this.waitFor(
      () => this.completions >= count,
      timeoutMs,
      `${count} completions (${this.completions} so far)`,
    );
  }

  private async waitFor(ready: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (ready()) return;
    let waiter: Waiter | undefined;
    const done = new Promise<void>((resolve) => {
      waiter = { ready, resolve };
      this.waiters.add(waiter);
    });
    try {
      await withTimeout(done, timeoutMs, what);
    } finally {
      this.waiters.delete(waiter!);
    }
  }

  private wake(): void {
    for (const waiter of this.waiters) {
      if (waiter.ready()) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }
}
