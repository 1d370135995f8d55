/**
 * Rescues jobs from dead or stuck workers: a running job whose lease has expired goes to
 * `retrying` (the attempt counts; backoff applies) or to `failed` when no attempts are left, or
 * to `cancelled` when cancellation was asked for. Leases never outlive an attempt's timeout (plus
 * a short grace), so this also enforces timeouts for workers that cannot enforce them.
 * Idempotent and safe with several processes: each row is moved under its lease token.
 */
import type { JobEventMap, SafeEmitter } from "../core/events.js";
import type { MovedJob, Store } from "../store/store.js";
import type { MaintenanceService } from "./service.js";

/** Options of the lease rescuer. */
export interface LeaseRescuerOptions {
  events: SafeEmitter<JobEventMap>;
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
      for (const job of moved) await this.emitRescued(job, now);
      if (moved.length < this.limit) return total;
    }
  }

  /**
   * Emits what the store recorded for a rescued job — its stored error (`TimeoutError` or
   * `LeaseExpired`) and its backoff `runAt` — read back only when someone listens.
   */
  private async emitRescued(job: MovedJob, now: number): Promise<void> {
    const { events, store } = this.options;
    const name =
      job.status === "retrying"
        ? "job.retrying"
        : job.status === "failed"
          ? "job.failed"
          : "job.cancelled";
    if (!events.has(name)) return;
    const base = { jobId: job.id, queue: job.queue, type: job.type, at: new Date(now) };
    if (name === "job.cancelled") {
      events.emit("job.cancelled", { ...base, status: "cancelled" });
      return;
    }
    const stored = await store.getJob({ id: job.id });
    const recorded = stored?.error ?? null;
    const error =
      recorded === null
        ? { message: "lease expired", type: "LeaseExpired", attempt: job.attempt }
        : { message: recorded.message, type: recorded.type, attempt: recorded.attempt };
    if (name === "job.retrying") {
      const runAt = stored?.runAt ?? new Date(now);
      events.emit("job.retrying", {
        ...base,
        status: "retrying",
        attempt: job.attempt,
        error,
        runAt,
      });
    } else {
      events.emit("job.failed", { ...base, status: "failed", attempt: job.attempt, error });
    }
  }
}
