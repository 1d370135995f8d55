/**
 * The "jobs may be ready" fan-out of both stores: the set of `onJobsAvailable` listeners, the
 * direct notification after this process's own writes (deduplicated per queue, in a microtask
 * so that a listener never runs inside the store call that woke it), and the immediate fan-out
 * of what the dialect's cross-process signal brings (SQLite's `data_version` poll, PostgreSQL's
 * LISTEN connection). A listener that throws never stops the others.
 */
import type { JobsAvailableListener } from "../store.js";

/** The listeners of one store; see the module header. */
export class JobsAvailableHub {
  private readonly listeners = new Set<JobsAvailableListener>();

  /** How many listeners there are. */
  get size(): number {
    return this.listeners.size;
  }

  /** Adds a listener. */
  add(listener: JobsAvailableListener): void {
    this.listeners.add(listener);
  }

  /** Removes a listener; true when none is left (stop the dialect's signal). */
  delete(listener: JobsAvailableListener): boolean {
    this.listeners.delete(listener);
    return this.listeners.size === 0;
  }

  /** Forgets every listener (the store closes). */
  clear(): void {
    this.listeners.clear();
  }

  /** Tells the listeners, in a microtask, that jobs may be ready in `queues` (once per queue). */
  notifyQueues(queues: readonly string[]): void {
    if (queues.length === 0 || this.listeners.size === 0) return;
    const unique = [...new Set(queues)];
    queueMicrotask(() => this.emit(unique));
  }

  /** Tells every listener now, once per entry of `queues` (null: some queue). */
  emit(queues: readonly (string | null)[]): void {
    for (const listener of this.listeners) {
      for (const queue of queues) {
        try {
          listener(queue);
        } catch {
          // A listener's failure must not stop the others; listeners log their own errors.
        }
      }
    }
  }
}
