/**
 * Named SQLite statements for cron schedules (src/store/sqlite/schedules.ts); the PostgreSQL
 * statements of src/store/postgres/sql/schedules.ts have the same names.
 */

const COLUMNS = `tenant, name, cron, timezone, queue, type, payload, options, paused, revision,
  next_run_at, last_tick_at, last_job_id, created_at, updated_at`;

/**
 * @tenant @name @cron @timezone @queue @type @payload @options @next_run_at @now — creates the
 * schedule, or replaces its definition (revision + 1; paused and the last tick are kept).
 * Returns the row and whether it was created (`revision = 1`).
 */
export const UPSERT_SCHEDULE = `
INSERT INTO schedules (tenant, name, cron, timezone, queue, type, payload, options,
  next_run_at, created_at, updated_at)
VALUES (@tenant, @name, @cron, @timezone, @queue, @type, @payload, @options,
  @next_run_at, @now, @now)
ON CONFLICT (tenant, name) DO UPDATE SET
  cron = excluded.cron, timezone = excluded.timezone, queue = excluded.queue,
  type = excluded.type, payload = excluded.payload, options = excluded.options,
  next_run_at = excluded.next_run_at, revision = schedules.revision + 1,
  updated_at = excluded.updated_at
RETURNING ${COLUMNS}`;

/** @tenant @name */
export const SELECT_SCHEDULE = `
SELECT ${COLUMNS} FROM schedules WHERE tenant = @tenant AND name = @name`;

/** @tenant (null: every tenant's) */
export const LIST_SCHEDULES = `
SELECT ${COLUMNS} FROM schedules
WHERE @tenant IS NULL OR tenant = @tenant
ORDER BY tenant, name`;

/** @tenant @name */
export const DELETE_SCHEDULE = `
DELETE FROM schedules WHERE tenant = @tenant AND name = @name`;

/** @tenant @name @paused (0/1) @set_next (0/1) @next_run_at @now */
export const SET_SCHEDULE_PAUSED = `
UPDATE schedules SET
  paused = @paused,
  next_run_at = CASE WHEN @set_next = 1 THEN @next_run_at ELSE next_run_at END,
  updated_at = @now
WHERE tenant = @tenant AND name = @name
RETURNING ${COLUMNS}`;

/** @now @limit — through the partial index schedules_due. */
export const SELECT_DUE_SCHEDULES = `
SELECT ${COLUMNS} FROM schedules
WHERE paused = 0 AND next_run_at IS NOT NULL AND next_run_at <= @now
ORDER BY next_run_at
LIMIT @limit`;

/**
 * @tenant @name @revision @tick_at @next_run_at @job_id @now — records a tick as enqueued,
 * only if it is newer than the last one and the schedule is unchanged and unpaused: the guard
 * that makes every tick exactly once (run in the job insert's transaction). One row or none.
 */
export const RECORD_SCHEDULE_TICK = `
UPDATE schedules SET
  last_tick_at = @tick_at, next_run_at = @next_run_at, last_job_id = @job_id, updated_at = @now
WHERE tenant = @tenant AND name = @name AND revision = @revision AND paused = 0
  AND (last_tick_at IS NULL OR last_tick_at < @tick_at)
RETURNING name`;
