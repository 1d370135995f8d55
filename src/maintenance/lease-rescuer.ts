/**
 * Rescues jobs from dead or stuck workers: a running job whose lease has expired goes to
 * `retrying` (the attempt counts; backoff applies) or to `failed` when no attempts are left, or
 * to `cancelled` when cancellation was asked for. Leases never outlive an attempt's timeout (plus
 * a short grace), so this also enforces timeouts for workers that cannot enforce them.
 * Idempotent and safe with several processes: each row is moved under its lease token. The
 * store logs each rescue's event (its recorded error and backoff `runAt`) in the same
 * transaction; `spool.on` listeners get it from the event log.
 */
import type { Store } from "../store/store.js";
import type { MaintenanceService } from "./service.js";

/** Options of the lease rescuer. */
export interface LeaseRescuerOptions {
  /** Default 1,000 ms. */
  intervalMs?: number;
  /** Rows per batch. Default 500. */
  limit?: number;
  random: () => number;
  store: Store;
}

/** See the module header. */
export class LeaseRescuer implements MaintenanceService {
  readonly name = "lease-rescuer";
  readonly intervalMs: number;
  private readonly limit: number;

  constructor(private readonly options: LeaseRescuerOptions) {
    this.intervalMs = options.intervalMs ?? 1_000;
    this.limit = options.limit ?? 500;
  }

  async runOnce(now: number): Promise<number> {
    let total = 0;
    for (;;) {
      const moved = await this.options.store.rescueExpiredLeases({
        now,
        limit: this.limit,
        random: this.options.random,
      });
      total += moved.length;
      if (moved.length < this.limit) return total;
    }
  }
}
