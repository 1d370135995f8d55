/**
 * Enqueues the jobs of cron schedules (SPEC §8). Each round reads the unpaused schedules due by
 * `now` and enqueues, for each, its latest tick at or before `now` — after downtime (or a pause
 * of the leader) the missed ticks collapse into that latest one. The job's unique key is
 * `schedule:<name>:<tick ISO>`, and the store records the tick in the schedule row in the same
 * transaction as the insert, only if it is newer than the last one recorded
 * (`Store.enqueueScheduledJob`): exactly once per tick by construction, even when two processes
 * both believe they lead for a moment. (A unique key alone would not do: it only dedupes while
 * the job is unfinished, and a per-second job finishes well within the second.)
 */
import { parseCron, type CronTicks } from "../core/cron.js";
import { uuidv7 } from "../core/ids.js";
import type { Logger } from "../core/logger.js";
import { tickJob, type ScheduleRecord } from "../core/schedule.js";
import type { TierPolicy } from "../core/tiers.js";
import type { Store } from "../store/store.js";
import type { MaintenanceService } from "./service.js";

/** Default round interval, ms: under a second with jitter, so per-second ticks all get a round. */
export const DEFAULT_CRON_INTERVAL_MS = 400;

/** Options of the cron enqueuer. */
export interface CronEnqueuerOptions {
  /** Default 400 ms. */
  intervalMs?: number;
  /** Schedules per batch. Default 500. */
  limit?: number;
  logger?: Logger;
  store: Store;
  /** The tier policy ticks are charged under (the Spool's); undefined: the default tiers. */
  tiers?: TierPolicy | undefined;
}

/** See the module header. */
export class CronEnqueuer implements MaintenanceService {
  readonly name = "cron-enqueuer";
  readonly intervalMs: number;
  private readonly limit: number;
  /** Parsed expressions by `timezone cron`; parsing costs more than the round's query. */
  /** The tick each failing schedule was last warned about (schedule key → tick ms). */
  private readonly warnedTicks = new Map<string, number>();
  private readonly parsed = new Map<string, CronTicks>();

  constructor(private readonly options: CronEnqueuerOptions) {
    this.intervalMs = options.intervalMs ?? DEFAULT_CRON_INTERVAL_MS;
    this.limit = options.limit ?? 500;
  }

  /** Enqueues the due ticks at `now`; returns how many jobs it enqueued. */
  async runOnce(now: number): Promise<number> {
    let enqueued = 0;
    for (let round = 0; round < 100; round++) {
      const due = await this.options.store.dueSchedules({ now, limit: this.limit });
      for (const schedule of due) if (await this.enqueueTick(schedule, now)) enqueued++;
      // Every due schedule leaves the due set (its nextRunAt moves past now, or a peer's did).
      if (due.length < this.limit) break;
    }
    return enqueued;
  }

  /** Enqueues `schedule`'s latest tick at or before `now`; false when there was none to do. */
  private async enqueueTick(schedule: ScheduleRecord, now: number): Promise<boolean> {
    const ticks = this.ticksOf(schedule);
    if (ticks === null) return false;
    const tickAt = ticks.latestAtOrBefore(now);
    const nextRunAt = ticks.nextAfter(now);
    // A tick before nextRunAt belongs to a definition or pause that came before: not due.
    if (tickAt === null || tickAt < (schedule.nextRunAt?.getTime() ?? Infinity)) return false;
    const job = tickJob(schedule, tickAt, uuidv7(now));
    try {
      const outcome = await this.options.store.enqueueScheduledJob({
        tenant: schedule.tenant,
        name: schedule.name,
        revision: schedule.revision,
        tickAt,
        nextRunAt,
        job,
        now,
        tiers: this.options.tiers,
      });
      if (outcome === null || outcome.duplicate) return false;
      return true;
    } catch (error) {
      // One schedule's failure (its tenant's quota, say) must not hold up the others; its tick
      // is not recorded, so the next round tries again — warned once per tick, not per round.
      const key = `${schedule.tenant}\u0000${schedule.name}`;
      if (this.warnedTicks.get(key) !== tickAt) {
        if (this.warnedTicks.size > 10_000) this.warnedTicks.clear();
        this.warnedTicks.set(key, tickAt);
        this.options.logger?.warn(
          { err: error, tenant: schedule.tenant, schedule: schedule.name, tickAt },
          "enqueueing a scheduled job failed; retrying every round until it succeeds",
        );
      }
      return false;
    }
  }

  private ticksOf(schedule: ScheduleRecord): CronTicks | null {
    const key = `${schedule.timezone} ${schedule.cron}`;
    let ticks = this.parsed.get(key);
    if (ticks === undefined) {
      try {
        ticks = parseCron(schedule.cron, schedule.timezone);
      } catch (error) {
        // Validated when saved; a runtime without the time zone's data could still refuse it.
        this.options.logger?.warn(
          { err: error, tenant: schedule.tenant, schedule: schedule.name },
          "a schedule's cron expression no longer parses",
        );
        return null;
      }
      if (this.parsed.size > 10_000) this.parsed.clear();
      this.parsed.set(key, ticks);
    }
    return ticks;
  }
}
