/**
 * Deletes the presence rows of dead workers (silent past their stale limit: 3 lease periods).
 * Listing already hides them and their names are reusable as soon as they are dead; pruning only
 * keeps the table small.
 */
import type { Store } from "../store/store.js";
import type { MaintenanceService } from "./service.js";

/** Options of the worker pruner. */
export interface WorkerPrunerOptions {
  /** Default 30,000 ms. */
  intervalMs?: number;
  /** Rows deleted per round. Default 1,000. */
  limit?: number;
  store: Store;
}

/** See the module header. */
export class WorkerPruner implements MaintenanceService {
  readonly name = "worker-pruner";
  readonly intervalMs: number;
  private readonly limit: number;

  constructor(private readonly options: WorkerPrunerOptions) {
    this.intervalMs = options.intervalMs ?? 30_000;
    this.limit = options.limit ?? 1_000;
  }

  async runOnce(now: number): Promise<number> {
    return this.options.store.pruneWorkers({ now, limit: this.limit });
  }
}
