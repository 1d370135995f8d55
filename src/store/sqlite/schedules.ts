/**
 * Cron schedules on SQLite (migration 0011). Every write is one `BEGIN IMMEDIATE` transaction,
 * so processes sharing the file serialise them; a tick's guard (RECORD_SCHEDULE_TICK) and its
 * job's insert commit together or not at all, which is what makes a tick exactly once.
 */
import type { JobInput } from "../../core/options.js";
import type { TierPolicy } from "../../core/tiers.js";
import type { ScheduleDefinition, ScheduleRecord } from "../../core/schedule.js";
import type { EnqueueOutcome } from "../store.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import * as sql from "./sql/schedules.js";
import { rowToSchedule, type ScheduleRow } from "../schedule-rows.js";
import { insertJobs } from "./job-inserter.js";

/** Creates or replaces a schedule. */
export function saveSchedule(
  db: SqliteConnection,
  params: { schedule: ScheduleDefinition; now: number },
): { schedule: ScheduleRecord; created: boolean } {
  const s = params.schedule;
  const row = db.write(
    () =>
      db.stmt(sql.UPSERT_SCHEDULE).get({
        tenant: s.tenant,
        name: s.name,
        cron: s.cron,
        timezone: s.timezone,
        queue: s.queue,
        type: s.type,
        payload: s.payloadJson,
        options: JSON.stringify(s.options),
        next_run_at: s.nextRunAt,
        now: params.now,
      }) as ScheduleRow,
    { durable: true },
  );
  return { schedule: rowToSchedule(row), created: row.revision === 1 };
}

/** One schedule, or null. */
export function getSchedule(
  db: SqliteConnection,
  params: { tenant: string; name: string },
): ScheduleRecord | null {
  const row = db.guard(() => db.stmt(sql.SELECT_SCHEDULE).get(params) as ScheduleRow | undefined);
  return row === undefined ? null : rowToSchedule(row);
}

/** Every schedule, or one tenant's. */
export function listSchedules(db: SqliteConnection, params: { tenant?: string }): ScheduleRecord[] {
  const rows = db.guard(
    () => db.stmt(sql.LIST_SCHEDULES).all({ tenant: params.tenant ?? null }) as ScheduleRow[],
  );
  return rows.map(rowToSchedule);
}

/** Deletes a schedule; false when there was none. */
export function deleteSchedule(
  db: SqliteConnection,
  params: { tenant: string; name: string },
): boolean {
  return db.write(() => db.stmt(sql.DELETE_SCHEDULE).run(params).changes === 1, {
    durable: true,
  });
}

/** Pauses or resumes a schedule. */
export function setSchedulePaused(
  db: SqliteConnection,
  params: { tenant: string; name: string; paused: boolean; nextRunAt: number | null; now: number },
): ScheduleRecord | null {
  const row = db.write(
    () =>
      db.stmt(sql.SET_SCHEDULE_PAUSED).get({
        tenant: params.tenant,
        name: params.name,
        paused: params.paused ? 1 : 0,
        set_next: params.paused ? 0 : 1,
        next_run_at: params.nextRunAt,
        now: params.now,
      }) as ScheduleRow | undefined,
    { durable: true },
  );
  return row === undefined ? null : rowToSchedule(row);
}

/** Unpaused schedules due by `now`. */
export function dueSchedules(
  db: SqliteConnection,
  params: { now: number; limit: number },
): ScheduleRecord[] {
  const rows = db.guard(() => db.stmt(sql.SELECT_DUE_SCHEDULES).all(params) as ScheduleRow[]);
  return rows.map(rowToSchedule);
}

/** The tick's guard and its job's insert, in one durable transaction (see the module header). */
export function enqueueScheduledJob(
  db: SqliteConnection,
  params: {
    tenant: string;
    name: string;
    revision: number;
    tickAt: number;
    nextRunAt: number | null;
    job: JobInput;
    now: number;
    tiers?: TierPolicy | undefined;
  },
): EnqueueOutcome | null {
  return db.write(
    () => {
      const guard = db.stmt(sql.RECORD_SCHEDULE_TICK).get({
        tenant: params.tenant,
        name: params.name,
        revision: params.revision,
        tick_at: params.tickAt,
        next_run_at: params.nextRunAt,
        job_id: params.job.id,
        now: params.now,
      });
      if (guard === undefined) return null;
      return insertJobs(db, [params.job], params.now, params.tiers)[0]!;
    },
    { durable: true },
  );
}
