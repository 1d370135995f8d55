/**
 * Named PostgreSQL statements for cron schedules (src/store/postgres/schedules.ts); same names
 * as src/store/sqlite/sql/schedules.ts. Divergence: `paused` is a BOOLEAN here (0/1 there), and
 * RECORD_SCHEDULE_TICK relies on READ COMMITTED's re-check: a peer's UPDATE of the same row
 * waits for its lock, then evaluates the WHERE on the committed version, where `last_tick_at`
 * is no longer earlier than the tick — zero rows, so the peer inserts no job.
 */
import type { SqlTemplate } from "./names.js";

const COLUMNS = `tenant, name, cron, timezone, queue, type, payload, options, paused, revision,
  next_run_at, last_tick_at, last_job_id, created_at, updated_at`;

/**
 * $1 tenant, $2 name, $3 cron, $4 timezone, $5 queue, $6 type, $7 payload, $8 options,
 * $9 next_run_at, $10 now — creates, or replaces the definition (revision + 1).
 */
export const UPSERT_SCHEDULE: SqlTemplate = (t) => `
INSERT INTO ${t.schedules} AS s (tenant, name, cron, timezone, queue, type, payload, options,
  next_run_at, created_at, updated_at)
VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text,
  $9::bigint, $10::bigint, $10::bigint)
ON CONFLICT (tenant, name) DO UPDATE SET
  cron = EXCLUDED.cron, timezone = EXCLUDED.timezone, queue = EXCLUDED.queue,
  type = EXCLUDED.type, payload = EXCLUDED.payload, options = EXCLUDED.options,
  next_run_at = EXCLUDED.next_run_at, revision = s.revision + 1,
  updated_at = EXCLUDED.updated_at
RETURNING ${COLUMNS}`;

/** $1 tenant, $2 name. */
export const SELECT_SCHEDULE: SqlTemplate = (t) => `
SELECT ${COLUMNS} FROM ${t.schedules} WHERE tenant = $1::text AND name = $2::text`;

/** $1 tenant (null: every tenant's). */
export const LIST_SCHEDULES: SqlTemplate = (t) => `
SELECT ${COLUMNS} FROM ${t.schedules}
WHERE $1::text IS NULL OR tenant = $1::text
ORDER BY tenant, name`;

/** $1 tenant, $2 name. */
export const DELETE_SCHEDULE: SqlTemplate = (t) => `
DELETE FROM ${t.schedules} WHERE tenant = $1::text AND name = $2::text`;

/** $1 tenant, $2 name, $3 paused, $4 next_run_at (applied only when resuming), $5 now. */
export const SET_SCHEDULE_PAUSED: SqlTemplate = (t) => `
UPDATE ${t.schedules} SET
  paused = $3::boolean,
  next_run_at = CASE WHEN $3::boolean THEN next_run_at ELSE $4::bigint END,
  updated_at = $5::bigint
WHERE tenant = $1::text AND name = $2::text
RETURNING ${COLUMNS}`;

/** $1 now, $2 limit — through the partial index schedules_due. */
export const SELECT_DUE_SCHEDULES: SqlTemplate = (t) => `
SELECT ${COLUMNS} FROM ${t.schedules}
WHERE NOT paused AND next_run_at IS NOT NULL AND next_run_at <= $1::bigint
ORDER BY next_run_at
LIMIT $2::int`;

/**
 * $1 tenant, $2 name, $3 revision, $4 tick_at, $5 next_run_at, $6 job_id, $7 now — the tick's
 * guard (see the module header), run first in the job insert's transaction so that racing
 * peers queue on the row lock before any of them inserts.
 */
export const RECORD_SCHEDULE_TICK: SqlTemplate = (t) => `
UPDATE ${t.schedules} SET
  last_tick_at = $4::bigint, next_run_at = $5::bigint, last_job_id = $6::text,
  updated_at = $7::bigint
WHERE tenant = $1::text AND name = $2::text AND revision = $3::int AND NOT paused
  AND (last_tick_at IS NULL OR last_tick_at < $4::bigint)
RETURNING name`;
