/**
 * Delayed "jobs available" hints for rate-limited queues: when a claim finds a queue's token
 * bucket empty, the store schedules a hint for the moment the next start is allowed, so waiting
 * workers (and long-polling remote claims) claim again then instead of at their next poll. One
 * pending timer per queue (the earliest wins, compared on the monotonic timer clock, which is
 * not the injected clock of the queue's business: only a delay crosses this module); timers
 * never keep the process alive.
 */
import { performance } from "node:perf_hooks";

/** Per-queue one-shot timers; see the module header. */
export class WakeupTimers {
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();

  constructor(private readonly fire: (queue: string) => void) {}

  /** Fires `queue`'s hint `delayMs` from now, unless one is already due sooner. */
  schedule(queue: string, delayMs: number): void {
    const at = performance.now() + Math.max(1, delayMs);
    const pending = this.timers.get(queue);
    if (pending !== undefined && pending.at <= at) return;
    if (pending !== undefined) clearTimeout(pending.timer);
    const timer = setTimeout(
      () => {
        this.timers.delete(queue);
        this.fire(queue);
      },
      Math.max(1, Math.ceil(delayMs)),
    );
    timer.unref();
    this.timers.set(queue, { at, timer });
  }

  /** Cancels every pending hint. */
  clear(): void {
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
