/**
 * The library's cron schedules (SPEC §8): `spool.schedule(name, cron, type, payload, opts)` and
 * the calls around it, validated here and stored through the store, so that every process on
 * the store sees them and its maintenance leader enqueues their ticks (cron-enqueuer.ts).
 */
import type { Clock } from "./core/clock.js";
import { parseCron } from "./core/cron.js";
import { SpoolNotFoundError, SpoolValidationError } from "./core/errors.js";
import { isPlainObject, type JsonObject } from "./core/json.js";
import { assertTenant, DEFAULT_TENANT } from "./core/options.js";
import {
  assertScheduleName,
  validateSchedule,
  type ScheduleOptions,
  type ScheduleRecord,
} from "./core/schedule.js";
import type { Store } from "./store/store.js";

/** A saved schedule, and whether the call created it (false: it replaced one). */
export type SavedSchedule = ScheduleRecord & { created: boolean };

/** Which tenant's schedule a call means. Default `default`. */
export interface ScheduleScope {
  tenant?: string;
}

/** The schedule calls of one Spool instance. */
export class SpoolSchedules {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly maxPayloadBytes: number,
  ) {}

  /** Creates or replaces the schedule `name`; its first tick is the first one after now. */
  async schedule(
    name: string,
    cron: string,
    type: string,
    payload?: JsonObject,
    options?: ScheduleOptions,
  ): Promise<SavedSchedule> {
    const now = this.clock.now();
    const definition = validateSchedule(
      { name, cron, type, payload, options },
      { now, maxPayloadBytes: this.maxPayloadBytes },
    );
    const saved = await this.store.saveSchedule({ schedule: definition, now });
    return Object.assign(saved.schedule, { created: saved.created });
  }

  /** The schedule, or null. */
  async get(name: string, scope: ScheduleScope = {}): Promise<ScheduleRecord | null> {
    assertScheduleName(name);
    return this.store.getSchedule({ tenant: tenantOf(scope), name });
  }

  /** Every schedule (of one tenant with `tenant`), by tenant and name. */
  async list(scope: ScheduleScope = {}): Promise<ScheduleRecord[]> {
    if (!isPlainObject(scope)) throw new SpoolValidationError("options", "must be an object");
    if (scope.tenant !== undefined) assertTenant(scope.tenant);
    return this.store.listSchedules(scope.tenant === undefined ? {} : { tenant: scope.tenant });
  }

  /** Deletes a schedule (jobs it enqueued stay); false when there was none. */
  async unschedule(name: string, scope: ScheduleScope = {}): Promise<boolean> {
    assertScheduleName(name);
    return this.store.deleteSchedule({ tenant: tenantOf(scope), name });
  }

  /**
   * Pauses (no ticks are enqueued) or resumes a schedule; a resumed schedule's next tick is the
   * first one after now, so the ticks of the pause are skipped. Throws `SpoolNotFoundError`.
   */
  async setPaused(
    name: string,
    paused: boolean,
    scope: ScheduleScope = {},
  ): Promise<ScheduleRecord> {
    assertScheduleName(name);
    const tenant = tenantOf(scope);
    const now = this.clock.now();
    let nextRunAt: number | null = null;
    if (!paused) {
      const current = await this.store.getSchedule({ tenant, name });
      if (current === null) throw new SpoolNotFoundError("schedule", name);
      nextRunAt = parseCron(current.cron, current.timezone).nextAfter(now);
    }
    const updated = await this.store.setSchedulePaused({ tenant, name, paused, nextRunAt, now });
    if (updated === null) throw new SpoolNotFoundError("schedule", name);
    return updated;
  }
}

function tenantOf(scope: ScheduleScope): string {
  if (!isPlainObject(scope)) throw new SpoolValidationError("options", "must be an object");
  const tenant = scope.tenant ?? DEFAULT_TENANT;
  assertTenant(tenant);
  return tenant;
}
