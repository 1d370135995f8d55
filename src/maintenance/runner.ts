/**
 * Runs maintenance services on their intervals (with ±10 % jitter so that processes started
 * together spread out). With a leadership, a round runs only while this process leads, so one
 * process per store does the work (leadership.ts). Every service is idempotent and fenced in the
 * store, so several processes running them at once would be correct, only redundant.
 */
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/logger.js";
import type { MaintenanceLeadership } from "./leadership.js";
import type { MaintenanceService } from "./service.js";

/** Options of the runner. */
export interface MaintenanceRunnerOptions {
  clock: Clock;
  /** When set, timed rounds run only while this process leads; `runOnce` always runs. */
  leadership?: MaintenanceLeadership;
  logger: Logger;
  services: readonly MaintenanceService[];
}

/** See the module header. */
export class MaintenanceRunner {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();
  private started = false;

  constructor(private readonly options: MaintenanceRunnerOptions) {}

  /** Starts every service's timer; the timers do not keep the process alive. */
  start(): void {
    if (this.started) return;
    this.started = true;
    void this.options.leadership?.start();
    for (const service of this.options.services) this.scheduleNext(service);
  }

  /** Stops the timers and waits for rounds in progress. */
  async stop(): Promise<void> {
    this.started = false;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
    await this.options.leadership?.stop();
  }

  /** Runs every service once at `now` (tests and `spool` commands use this). */
  async runOnce(now: number): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const service of this.options.services) counts[service.name] = await service.runOnce(now);
    return counts;
  }

  private scheduleNext(service: MaintenanceService): void {
    if (!this.started) return;
    const delay = service.intervalMs * (0.9 + Math.random() * 0.2);
    const timer = setTimeout(() => {
      const now = this.options.clock.now();
      const { leadership } = this.options;
      if (leadership !== undefined && !leadership.isLeader(now)) {
        this.scheduleNext(service);
        return;
      }
      const round = service
        .runOnce(now)
        .then((count) => {
          this.options.logger.debug({ service: service.name, count }, "maintenance round");
          return count;
        })
        .catch((error: unknown) =>
          this.options.logger.warn(
            { err: error, service: service.name },
            "maintenance round failed",
          ),
        )
        .finally(() => {
          this.running.delete(round);
          this.scheduleNext(service);
        });
      this.running.add(round);
    }, delay);
    timer.unref();
    this.timers.set(service.name, timer);
  }
}
