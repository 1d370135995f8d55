/**
 * Keeps the job-count deltas few: every `intervalMs` it folds the rows that concurrent writers
 * appended into the base counts (PostgreSQL; see migration 0009). Counts are exact with or
 * without it; without it, every read of them would sum an ever longer list of deltas.
 */
import type { Store } from "../store/store.js";
import type { MaintenanceService } from "./service.js";

/** Options of the count folder. */
export interface CountFolderOptions {
  /** Default 1,000 ms: a few hundred delta rows at full claim+complete speed. */
  intervalMs?: number;
  store: Store;
}

/** See the module header. */
export class CountFolder implements MaintenanceService {
  readonly name = "count-folder";
  readonly intervalMs: number;

  constructor(private readonly options: CountFolderOptions) {
    this.intervalMs = options.intervalMs ?? 1_000;
  }

  async runOnce(): Promise<number> {
    return this.options.store.foldJobCounts();
  }
}
