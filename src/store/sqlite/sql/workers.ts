/**
 * Named SQLite statements of the worker registry (the same names as PostgreSQL's). Lists are
 * JSON text; a row is live while `expires_at > @now`.
 */

/**
 * @name @tenant @id @now — the live row holding `name` in the tenant's scope (null: unscoped),
 * if it is another worker's.
 */
export const SELECT_LIVE_NAME_HOLDER = `
SELECT id FROM workers
WHERE COALESCE(tenant, '') = COALESCE(@tenant, '') AND name = @name AND id <> @id
  AND expires_at > @now`;

/** @name @tenant @id — deletes a dead worker's row holding `name` (after the check above). */
export const DELETE_NAME_HOLDER = `
DELETE FROM workers
WHERE COALESCE(tenant, '') = COALESCE(@tenant, '') AND name = @name AND id <> @id`;

/**
 * @id @name @host @pid @kind @tenant @queues @types (JSON) @concurrency @running @version
 * @stale_after_ms @now — inserts, or refreshes the row of the same id, merging its queue and
 * type lists (a remote worker announces them one claim at a time) and keeping `started_at`.
 */
export const UPSERT_WORKER = `
INSERT INTO workers (id, name, host, pid, kind, tenant, queues, types, concurrency, running,
  version, stale_after_ms, started_at, last_seen_at, expires_at)
VALUES (@id, @name, @host, @pid, @kind, @tenant, @queues, @types, @concurrency, @running,
  @version, @stale_after_ms, @now, @now, @now + @stale_after_ms)
ON CONFLICT (id) DO UPDATE SET
  name = excluded.name, host = excluded.host, pid = excluded.pid, kind = excluded.kind,
  tenant = excluded.tenant,
  queues = (SELECT json_group_array(value) FROM (
    SELECT value FROM json_each(workers.queues) UNION SELECT value FROM json_each(excluded.queues))),
  types = (SELECT json_group_array(value) FROM (
    SELECT value FROM json_each(workers.types) UNION SELECT value FROM json_each(excluded.types))),
  concurrency = excluded.concurrency, running = excluded.running, version = excluded.version,
  stale_after_ms = excluded.stale_after_ms, last_seen_at = excluded.last_seen_at,
  expires_at = excluded.expires_at
RETURNING *`;

/** @id @running (null keeps it) @now — a heartbeat; returns the id when the row exists. */
export const HEARTBEAT_WORKER = `
UPDATE workers SET running = COALESCE(@running, running), last_seen_at = @now,
  expires_at = @now + stale_after_ms
WHERE id = @id
RETURNING id`;

/**
 * @now @tenant (null = all) — live workers by name. A remote worker's running count is the
 * number of running jobs naming it (remote claims write the worker's name to `job.worker`):
 * one grouped pass over the partial index of running jobs, however many remote workers there
 * are (a correlated count per worker would scan the running jobs once per worker).
 */
export const SELECT_LIVE_WORKERS = `
WITH held AS (
  SELECT worker, tenant, count(*) AS n FROM jobs
  WHERE status = 'running' AND EXISTS (SELECT 1 FROM workers WHERE kind = 'remote')
  GROUP BY worker, tenant
)
SELECT w.id, w.name, w.host, w.pid, w.kind, w.tenant, w.queues, w.types, w.concurrency,
  CASE WHEN w.kind = 'remote' THEN COALESCE((
    SELECT sum(h.n) FROM held AS h
    WHERE h.worker = w.name AND (w.tenant IS NULL OR h.tenant = w.tenant)), 0)
  ELSE w.running END AS running,
  w.version, w.stale_after_ms, w.started_at, w.last_seen_at
FROM workers AS w
WHERE w.expires_at > @now AND (@tenant IS NULL OR w.tenant = @tenant)
ORDER BY w.name`;

/** @now — what decides which jobs live workers can run (no counts: read on every job poll). */
export const SELECT_SERVING_WORKERS = `
SELECT queues, types, tenant FROM workers WHERE expires_at > @now`;

/** @id */
export const DELETE_WORKER = `DELETE FROM workers WHERE id = @id`;

/** @now @limit — deletes up to `limit` rows of dead workers. */
export const PRUNE_WORKERS = `
DELETE FROM workers WHERE id IN (
  SELECT id FROM workers WHERE expires_at <= @now ORDER BY expires_at LIMIT @limit)`;

/** @queue — a queue's settings and running count (a queue without a row is unpaused, unlimited). */
export const SELECT_QUEUE_LOAD = `
SELECT COALESCE((SELECT paused FROM queues WHERE name = @queue), 0) AS paused,
  (SELECT concurrency FROM queues WHERE name = @queue) AS concurrency,
  (SELECT count(*) FROM jobs WHERE queue = @queue AND status = 'running') AS running`;
