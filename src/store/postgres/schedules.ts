/**
 * Cron schedules on PostgreSQL (migration 0013). A tick's guard (RECORD_SCHEDULE_TICK) and its
 * job's insert run in one transaction, the guard first: racing peers queue on the schedule's
 * row lock, and only the first to commit finds its WHERE still true (sql/schedules.ts).
 */
import type pg from "pg";
import type { JobInput } from "../../core/options.js";
import type { TierPolicy } from "../../core/tiers.js";
import type { ScheduleDefinition, ScheduleRecord } from "../../core/schedule.js";
import type { EnqueueOutcome } from "../store.js";
import { insertJobs } from "./job-inserter.js";
import { rowToSchedule, type ScheduleRow } from "../schedule-rows.js";
import { runStatement, withTransaction, type Queryable, type Statements } from "./postgres-pool.js";

/** Creates or replaces a schedule. */
export async function saveSchedule(
  on: Queryable,
  statements: Statements,
  params: { schedule: ScheduleDefinition; now: number },
): Promise<{ schedule: ScheduleRecord; created: boolean }> {
  const s = params.schedule;
  const result = await runStatement<ScheduleRow>(on, statements.UPSERT_SCHEDULE, [
    s.tenant,
    s.name,
    s.cron,
    s.timezone,
    s.queue,
    s.type,
    s.payloadJson,
    JSON.stringify(s.options),
    s.nextRunAt,
    params.now,
  ]);
  const row = result.rows[0]!;
  return { schedule: rowToSchedule(row), created: row.revision === 1 };
}

/** One schedule, or null. */
export async function getSchedule(
  on: Queryable,
  statements: Statements,
  params: { tenant: string; name: string },
): Promise<ScheduleRecord | null> {
  const result = await runStatement<ScheduleRow>(on, statements.SELECT_SCHEDULE, [
    params.tenant,
    params.name,
  ]);
  const row = result.rows[0];
  return row === undefined ? null : rowToSchedule(row);
}

/** Every schedule, or one tenant's. */
export async function listSchedules(
  on: Queryable,
  statements: Statements,
  params: { tenant?: string },
): Promise<ScheduleRecord[]> {
  const result = await runStatement<ScheduleRow>(on, statements.LIST_SCHEDULES, [
    params.tenant ?? null,
  ]);
  return result.rows.map(rowToSchedule);
}

/** Deletes a schedule; false when there was none. */
export async function deleteSchedule(
  on: Queryable,
  statements: Statements,
  params: { tenant: string; name: string },
): Promise<boolean> {
  const result = await runStatement(on, statements.DELETE_SCHEDULE, [params.tenant, params.name]);
  return result.rowCount === 1;
}

/** Pauses or resumes a schedule. */
export async function setSchedulePaused(
  on: Queryable,
  statements: Statements,
  params: { tenant: string; name: string; paused: boolean; nextRunAt: number | null; now: number },
): Promise<ScheduleRecord | null> {
  const result = await runStatement<ScheduleRow>(on, statements.SET_SCHEDULE_PAUSED, [
    params.tenant,
    params.name,
    params.paused,
    params.nextRunAt,
    params.now,
  ]);
  const row = result.rows[0];
  return row === undefined ? null : rowToSchedule(row);
}

/** Unpaused schedules due by `now`. */
export async function dueSchedules(
  on: Queryable,
  statements: Statements,
  params: { now: number; limit: number },
): Promise<ScheduleRecord[]> {
  const result = await runStatement<ScheduleRow>(on, statements.SELECT_DUE_SCHEDULES, [
    params.now,
    params.limit,
  ]);
  return result.rows.map(rowToSchedule);
}

/** The tick's guard and its job's insert, in one transaction (see the module header). */
export async function enqueueScheduledJob(
  pool: pg.Pool,
  statements: Statements,
  channel: string,
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
): Promise<EnqueueOutcome | null> {
  return withTransaction(pool, async (client) => {
    const guard = await runStatement(client, statements.RECORD_SCHEDULE_TICK, [
      params.tenant,
      params.name,
      params.revision,
      params.tickAt,
      params.nextRunAt,
      params.job.id,
      params.now,
    ]);
    if (guard.rowCount !== 1) return null;
    const [outcomes] = await insertJobs(client, statements, channel, [
      { jobs: [params.job], now: params.now, tiers: params.tiers },
    ]);
    return outcomes![0]!;
  });
}
