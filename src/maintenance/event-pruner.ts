/**
 * Keeps the job-event log bounded: every `intervalMs` it deletes all but the newest `keep`
 * events (default 100,000 — minutes to hours of history at typical rates, enough for SSE clients
 * to resume with Last-Event-ID after a reconnect). On PostgreSQL the same call also publishes
 * events still pending from writers that committed without a reader around.
 */
import type { Store } from "../store/store.js";
import type { MaintenanceService } from "./service.js";

/** Options of the event pruner. */
export interface EventPrunerOptions {
  /** Default 30,000 ms. */
  intervalMs?: number;
  /** Events kept. Default 100,000. */
  keep?: number;
  store: Store;
}

/** See the module header. */
export class EventPruner implements MaintenanceService {
  readonly name = "event-pruner";
  readonly intervalMs: number;
  private readonly keep: number;

  constructor(private readonly options: EventPrunerOptions) {
    this.intervalMs = options.intervalMs ?? 30_000;
    this.keep = options.keep ?? 100_000;
  }

  async runOnce(): Promise<number> {
    return this.options.store.pruneJobEvents({ keep: this.keep });
  }
}
