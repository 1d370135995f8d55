/**
 * Deletes finished jobs past their retention (defaults: completed 24 h; failed and cancelled
 * 7 days), in bounded batches so that it never holds the write lock for long.
 */
import type { Store } from "../store/store.js";
import type { MaintenanceService } from "./service.js";

/** Retention of finished jobs, ms. */
export interface RetentionOptions {
  /** Default 86,400,000 (24 h). */
  completedMs?: number | undefined;
  /** Default 604,800,000 (7 days). */
  failedMs?: number | undefined;
  /** Default 604,800,000 (7 days). */
  cancelledMs?: number | undefined;
}

export const DEFAULT_RETENTION = {
  completedMs: 86_400_000,
  failedMs: 604_800_000,
  cancelledMs: 604_800_000,
} as const;

/** Options of the pruner. */
export interface RetentionPrunerOptions {
  /** Default 60,000 ms. */
  intervalMs?: number;
  /** Rows per batch. Default 1,000. */
  limit?: number;
  retention?: RetentionOptions;
  store: Store;
}

/** See the module header. */
export class RetentionPruner implements MaintenanceService {
  readonly name = "retention-pruner";
  readonly intervalMs: number;
  private readonly limit: number;
  private readonly retention: { completedMs: number; failedMs: number; cancelledMs: number };

  constructor(private readonly options: RetentionPrunerOptions) {
    this.intervalMs = options.intervalMs ?? 60_000;
    this.limit = options.limit ?? 1_000;
    this.retention = {
      completedMs: options.retention?.completedMs ?? DEFAULT_RETENTION.completedMs,
      failedMs: options.retention?.failedMs ?? DEFAULT_RETENTION.failedMs,
      cancelledMs: options.retention?.cancelledMs ?? DEFAULT_RETENTION.cancelledMs,
    };
  }

  async runOnce(now: number): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.options.store.pruneFinishedJobs({
        completedBefore: now - this.retention.completedMs,
        failedBefore: now - this.retention.failedMs,
        cancelledBefore: now - this.retention.cancelledMs,
        limit: this.limit,
      });
      total += deleted;
      if (deleted < this.limit) return total;
      await new Promise((resolve) => setImmediate(resolve)); // let the hot path in between batches
    }
  }
}
