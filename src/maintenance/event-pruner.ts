/**
 * Keeps the job-event log bounded: every `intervalMs` it deletes all but the newest `keep`
 * events (default 100,000 — minutes to hours of history at typical rates, enough for SSE clients
 * to resume with Last-Event-ID after a reconnect), but never one younger than `minAgeMs`
 * (60 s): in a burst a busy reader (`spool.on`, SSE) can lag more than `keep` events behind,
 * and it must not lose the ones it has yet to read. On PostgreSQL the same call also publishes
 * events still pending from writers that committed without a reader around — which is why it
 * runs every 5 s and not less often: in a worker process nothing else publishes, and one
 * publication of 30 s of events at thousands of jobs/s is a transaction long enough to hold
 * back the xmin horizon, so the claim index's dead entries cannot be marked dead meanwhile.
 */
import type { Store } from "../store/store.js";
import type { MaintenanceService } from "./service.js";

/** Options of the event pruner. */
export interface EventPrunerOptions {
  /** Default 5,000 ms. */
  intervalMs?: number;
  /** Events kept. Default 100,000. */
  keep?: number;
  /**
   * Events younger than this are kept whatever `keep` says, ms. Default 60,000: a feed that
   * falls behind in a burst (thousands of jobs/s, three events each) reads them before they go.
   */
  minAgeMs?: number;
  store: Store;
}

/** See the module header. */
export class EventPruner implements MaintenanceService {
  readonly name = "event-pruner";
  readonly intervalMs: number;
  private readonly keep: number;
  private readonly minAgeMs: number;

  constructor(private readonly options: EventPrunerOptions) {
    this.intervalMs = options.intervalMs ?? 5_000;
    this.keep = options.keep ?? 100_000;
    this.minAgeMs = options.minAgeMs ?? 60_000;
  }

  async runOnce(now: number): Promise<number> {
    return this.options.store.pruneJobEvents({ keep: this.keep, before: now - this.minAgeMs });
  }
}
