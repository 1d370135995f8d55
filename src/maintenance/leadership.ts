/**
 * Maintenance leadership: of all the processes sharing one store, one at a time runs the
 * maintenance services. The leader holds a leased row in the store (`acquireLeadership`) and
 * renews it every third of the lease; the others try to take it over just as often, which they
 * can only do once it has expired. So a dead leader is replaced within one lease plus one
 * attempt interval (< 2 leases), and a lone process leads from its first attempt. Leadership is
 * an efficiency, not a safety mechanism: every service stays idempotent and fenced in the store,
 * so a stale leader finishing a round while its successor starts one is only redundant.
 */
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/logger.js";
import type { Store } from "../store/store.js";

/** Default lease of the maintenance leadership, ms. */
export const DEFAULT_LEADER_LEASE_MS = 10_000;

/** Options of a leadership. */
export interface MaintenanceLeadershipOptions {
  clock: Clock;
  /** This process's id in the leadership row (unique per process). */
  holder: string;
  /** Lease length, ms; renewals and take-over attempts run every third of it. */
  leaseMs: number;
  logger: Logger;
  /** The leadership's name; one per store. Default `maintenance`. */
  name?: string;
  store: Store;
}

/** See the module header. */
export class MaintenanceLeadership {
  private readonly name: string;
  /** Until when this process may act as the leader (its own clock), 0 when it is not. */
  private leadsUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  private attempt: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: MaintenanceLeadershipOptions) {
    this.name = options.name ?? "maintenance";
  }

  /** True while this process holds an unexpired lease. */
  isLeader(now: number = this.options.clock.now()): boolean {
    return now < this.leadsUntil;
  }

  /** Tries to take the leadership now, then keeps renewing (or trying) on a timer. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.tick();
  }

  /** Stops renewing and releases the leadership so a peer takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.attempt;
    if (this.leadsUntil === 0) return;
    this.leadsUntil = 0;
    const { name, holder } = { name: this.name, holder: this.options.holder };
    await this.options.store
      .releaseLeadership({ name, holder })
      .catch((error: unknown) =>
        this.options.logger.warn({ err: error }, "releasing maintenance leadership failed"),
      );
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    this.attempt = this.renew();
    await this.attempt;
    this.attempt = undefined;
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), this.options.leaseMs / 3);
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    const { store, clock, holder, leaseMs, logger } = this.options;
    const now = clock.now();
    try {
      const lease = await store.acquireLeadership({ name: this.name, holder, leaseMs, now });
      const was = this.isLeader(now);
      // Trust the lease only as long as measured from before the call: a slow answer cannot
      // stretch it past what the store recorded.
      this.leadsUntil = lease.leader ? now + leaseMs : 0;
      if (lease.leader && !was)
        logger.info({ holder, expiresAt: lease.expiresAt }, "maintenance leadership acquired");
      if (!lease.leader && was)
        logger.info({ holder, leader: lease.holder }, "maintenance leadership lost");
    } catch (error) {
      // Keep what we had: the lease runs out by itself if renewals keep failing.
      logger.warn({ err: error }, "maintenance leadership attempt failed");
    }
  }
}
