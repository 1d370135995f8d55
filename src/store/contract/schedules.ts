/**
 * Part of the store contract (`Store`, store.ts, states the conventions).
 * Cron schedules.
 */
import type { JobInput } from "../../core/options.js";
import type { TierPolicy } from "../../core/tiers.js";
import type { ScheduleDefinition, ScheduleRecord } from "../../core/schedule.js";
import type { EnqueueOutcome } from "./jobs.js";

/** Cron schedules. */
export interface ScheduleStore {
  /**
   * Creates or replaces the schedule (`tenant`, `name`). A replacement takes the new definition
   * and `nextRunAt`, increments `revision`, and keeps `paused`, `lastRunAt` and `lastJobId`.
   */
  saveSchedule(params: {
    schedule: ScheduleDefinition;
    now: number;
  }): Promise<{ schedule: ScheduleRecord; created: boolean }>;
  /** The tenant's schedule of that name, or null. */
  getSchedule(params: { tenant: string; name: string }): Promise<ScheduleRecord | null>;
  /** Schedules by tenant, then name; with `tenant`, only that tenant's. */
  listSchedules(params: { tenant?: string }): Promise<ScheduleRecord[]>;
  /** Deletes a schedule (its jobs stay); false when there was none. */
  deleteSchedule(params: { tenant: string; name: string }): Promise<boolean>;
  /**
   * Pauses or resumes a schedule; resuming sets `nextRunAt` (the first tick after now, so the
   * ticks of the pause are not enqueued). Null when there is no such schedule.
   */
  setSchedulePaused(params: {
    tenant: string;
    name: string;
    paused: boolean;
    nextRunAt: number | null;
    now: number;
  }): Promise<ScheduleRecord | null>;
  /** Unpaused schedules whose `nextRunAt` is at or before `now`, soonest first; at most `limit`. */
  dueSchedules(params: { now: number; limit: number }): Promise<ScheduleRecord[]>;
  /**
   * Enqueues the job of one tick, exactly once: in one transaction, records `tickAt` as the
   * schedule's last tick — only if the schedule still exists unpaused at `revision` and its
   * last tick is earlier — and inserts `job`. Returns null (and writes nothing) when the
   * condition fails: the tick was enqueued already (by any process), or the schedule changed.
   */
  enqueueScheduledJob(params: {
    tenant: string;
    name: string;
    revision: number;
    tickAt: number;
    nextRunAt: number | null;
    job: JobInput;
    now: number;
    /** The tier policy the job is charged under, as for `enqueueJobs`. */
    tiers?: TierPolicy | undefined;
  }): Promise<EnqueueOutcome | null>;
}
