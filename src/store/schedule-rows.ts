/**
 * The one row → record mapping of cron schedules, shared by both stores. Their rows differ only
 * in how `paused` arrives (a boolean from PostgreSQL, 0/1 from SQLite).
 */
import type { ScheduleRecord } from "../core/schedule.js";

/** A `schedules` row as either driver returns it. */
export interface ScheduleRow {
  tenant: string;
  name: string;
  cron: string;
  timezone: string;
  queue: string;
  type: string;
  payload: string;
  options: string;
  paused: boolean | number;
  revision: number;
  next_run_at: number | null;
  last_tick_at: number | null;
  last_job_id: string | null;
  created_at: number;
  updated_at: number;
}

const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

/** Maps a row to the record. */
export function rowToSchedule(row: ScheduleRow): ScheduleRecord {
  return {
    tenant: row.tenant,
    name: row.name,
    cron: row.cron,
    timezone: row.timezone,
    queue: row.queue,
    type: row.type,
    payload: JSON.parse(row.payload) as ScheduleRecord["payload"],
    options: JSON.parse(row.options) as ScheduleRecord["options"],
    paused: row.paused === true || row.paused === 1,
    nextRunAt: date(row.next_run_at),
    lastRunAt: date(row.last_tick_at),
    lastJobId: row.last_job_id,
    revision: row.revision,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}
