/**
 * Named PostgreSQL statements of the worker registry (the same names as SQLite's). Lists are
 * text[]; a row is live while `expires_at > $now`.
 */
import type { SqlTemplate } from "./names.js";

/**
 * $1 name, $2 tenant (null: unscoped), $3 id, $4 now — the live row holding `name` in the
 * tenant's scope, if it is another worker's.
 */
export const SELECT_LIVE_NAME_HOLDER: SqlTemplate = (t) => `
SELECT id FROM ${t.workers}
WHERE COALESCE(tenant, '') = COALESCE($2::text, '') AND name = $1 AND id <> $3
  AND expires_at > $4::int8
FOR UPDATE`;

/** $1 name, $2 tenant, $3 id — deletes a dead worker's row holding `name` (after the check above). */
export const DELETE_NAME_HOLDER: SqlTemplate = (t) => `
DELETE FROM ${t.workers}
WHERE COALESCE(tenant, '') = COALESCE($2::text, '') AND name = $1 AND id <> $3`;

/**
 * $1 id, $2 name, $3 host, $4 pid, $5 kind, $6 tenant, $7 queues text[], $8 types text[],
 * $9 concurrency, $10 running, $11 version, $12 stale_after_ms, $13 now — inserts, or refreshes
 * the row of the same id, merging its queue and type lists and keeping `started_at`.
 * Divergence: lists merge with array operators (SQLite: json_each).
 */
export const UPSERT_WORKER: SqlTemplate = (t) => `
INSERT INTO ${t.workers} AS w (id, name, host, pid, kind, tenant, queues, types, concurrency,
  running, version, stale_after_ms, started_at, last_seen_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7::text[], $8::text[], $9, $10, $11, $12::int8, $13::int8,
  $13::int8, $13::int8 + $12::int8)
ON CONFLICT (id) DO UPDATE SET
  name = excluded.name, host = excluded.host, pid = excluded.pid, kind = excluded.kind,
  tenant = excluded.tenant,
  queues = ARRAY(SELECT DISTINCT unnest(w.queues || excluded.queues) ORDER BY 1),
  types = ARRAY(SELECT DISTINCT unnest(w.types || excluded.types) ORDER BY 1),
  concurrency = excluded.concurrency, running = excluded.running, version = excluded.version,
  stale_after_ms = excluded.stale_after_ms, last_seen_at = excluded.last_seen_at,
  expires_at = excluded.expires_at
RETURNING id, name, host, pid, kind, tenant, queues, types, concurrency, running, version,
  stale_after_ms::int8, started_at::int8, last_seen_at::int8`;

/**
 * $1 ids text[], $2 running int[] (null keeps it), $3 now — heartbeats of many workers in one
 * statement; returns the ids that have a row. Divergence: one statement for the batch (SQLite:
 * one per worker inside one transaction).
 */
export const HEARTBEAT_WORKER: SqlTemplate = (t) => `
UPDATE ${t.workers} AS w SET running = COALESCE(i.running, w.running), last_seen_at = $3::int8,
  expires_at = $3::int8 + w.stale_after_ms
FROM unnest($1::text[], $2::int[]) AS i(id, running)
WHERE w.id = i.id
RETURNING w.id`;

/**
 * $1 now, $2 tenant (null = all) — live workers by name; a remote worker's running count is the
 * number of running jobs naming it: one grouped pass over the partial index of running jobs.
 */
export const SELECT_LIVE_WORKERS: SqlTemplate = (t) => `
WITH held AS (
  SELECT worker, tenant, count(*) AS n FROM ${t.jobs}
  WHERE status = 'running' AND EXISTS (SELECT 1 FROM ${t.workers} WHERE kind = 'remote')
  GROUP BY worker, tenant
)
SELECT w.id, w.name, w.host, w.pid, w.kind, w.tenant, w.queues, w.types, w.concurrency,
  CASE WHEN w.kind = 'remote' THEN COALESCE((
    SELECT sum(h.n) FROM held AS h
    WHERE h.worker = w.name AND (w.tenant IS NULL OR h.tenant = w.tenant)), 0)::int
  ELSE w.running END AS running,
  w.version, w.stale_after_ms::int8, w.started_at::int8, w.last_seen_at::int8
FROM ${t.workers} AS w
WHERE w.expires_at > $1::int8 AND ($2::text IS NULL OR w.tenant = $2)
ORDER BY w.name`;

/** $1 now — what decides which jobs live workers can run (no counts: read on every job poll). */
export const SELECT_SERVING_WORKERS: SqlTemplate = (t) =>
  `SELECT queues, types, tenant FROM ${t.workers} WHERE expires_at > $1::int8`;

/** $1 id */
export const DELETE_WORKER: SqlTemplate = (t) => `DELETE FROM ${t.workers} WHERE id = $1`;

/** $1 now, $2 limit — deletes up to `limit` rows of dead workers. */
export const PRUNE_WORKERS: SqlTemplate = (t) => `
DELETE FROM ${t.workers} WHERE id IN (
  SELECT id FROM ${t.workers} WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2
  FOR UPDATE SKIP LOCKED)`;

/** $1 queue — a queue's settings and running count (a queue without a row is unpaused, unlimited). */
export const SELECT_QUEUE_LOAD: SqlTemplate = (t) => `
SELECT COALESCE((SELECT paused FROM ${t.queues} WHERE name = $1), false) AS paused,
  (SELECT concurrency FROM ${t.queues} WHERE name = $1) AS concurrency,
  (SELECT count(*)::int FROM ${t.jobs} WHERE queue = $1 AND status = 'running') AS running`;
