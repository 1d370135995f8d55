/**
 * Moves `scheduled` and `retrying` jobs whose time has come to `queued`, and so wakes idle
 * workers (claims also take due jobs directly; this keeps states and counts honest and wakes
 * workers in other processes).
 */
import type { Store } from "../store/store.js";
import type { MaintenanceService } from "./service.js";

/** Options of the job promoter. */
export interface JobPromoterOptions {
  /** Default 250 ms. */
  intervalMs?: number;
  /** Rows per batch. Default 1,000. */
  limit?: number;
  store: Store;
}

/** See the module header. */
export class JobPromoter implements MaintenanceService {
  readonly name = "job-promoter";
  readonly intervalMs: number;
  private readonly limit: number;

  constructor(private readonly options: JobPromoterOptions) {
    this.intervalMs = options.intervalMs ?? 250;
    this.limit = options.limit ?? 1_000;
  }

  async runOnce(now: number): Promise<number> {
    let total = 0;
    for (;;) {
      const moved = await this.options.store.promoteDueJobs({ now, limit: this.limit });
      total += moved.length;
      if (moved.length < this.limit) return total;
    }
  }
}
