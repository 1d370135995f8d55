/**
 * Keeps a worker's presence row (SPEC §6 "Workers are visible"): registers it on start (a live
 * worker holding the same name makes `start()` throw `SpoolConflictError`), heartbeats it with
 * the running count every `intervalMs` (default leaseMs / 3, the lease keeper's cadence), and
 * deletes it on stop. When a heartbeat finds the row gone (the process stalled past the stale
 * limit and maintenance pruned it), it registers again; if another worker took the name
 * meanwhile, it logs that and keeps trying: the jobs it runs are fenced by their leases anyway.
 */
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/logger.js";
import type { WorkerRegistration } from "../core/worker-presence.js";
import type { Store } from "../store/store.js";

/** Options of the presence keeper. */
export interface PresenceKeeperOptions {
  clock: Clock;
  /** How often to heartbeat, ms. */
  intervalMs: number;
  logger: Logger;
  /** The row to register; called at each registration and heartbeat (for `running`). */
  registration: () => WorkerRegistration;
  store: Store;
}

/** See the module header. */
export class PresenceKeeper {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly options: PresenceKeeperOptions) {}

  /** Registers the worker (throws when its name is taken) and starts heartbeating. */
  async start(): Promise<void> {
    if (this.timer !== undefined) return;
    await this.options.store.registerWorker({
      worker: this.options.registration(),
      now: this.options.clock.now(),
    });
    this.timer = setInterval(() => {
      this.inFlight = this.runOnce(this.options.clock.now());
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** One heartbeat at `now`; registers again when the row is gone. Never throws. */
  async runOnce(now: number): Promise<void> {
    const registration = this.options.registration();
    try {
      const missing = await this.options.store.heartbeatWorkers({
        workers: [{ id: registration.id, running: registration.running }],
        now,
      });
      if (missing.length > 0)
        await this.options.store.registerWorker({ worker: registration, now });
    } catch (error) {
      this.options.logger.warn(
        { err: error, workerId: registration.id },
        "worker heartbeat failed; retrying at the next interval",
      );
    }
  }

  /** Stops heartbeating and deletes the row (a failure only leaves it to expire). */
  async stop(): Promise<void> {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
    const { id } = this.options.registration();
    try {
      await this.options.store.removeWorker({ id });
    } catch (error) {
      this.options.logger.warn(
        { err: error, workerId: id },
        "removing the worker's presence row failed; it will expire",
      );
    }
  }
}
