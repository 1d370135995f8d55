/** Named SQLite statements for the job-event log and API keys. */

/**
 * ? at, name, job_id, tenant, queue, type, status, data (JSON) — one event. Executed once per
 * event inside the transaction that made the change: measured faster than one
 * `INSERT … SELECT FROM json_each(batch)` per batch (which spent most of its time parsing JSON).
 */
export const APPEND_EVENT = `
INSERT INTO job_events (at, name, job_id, tenant, queue, type, status, data)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;

/** @after @limit */
export const SELECT_EVENTS = `
SELECT seq, at, name, job_id, tenant, queue, type, status, data FROM job_events
WHERE seq > @after ORDER BY seq LIMIT @limit`;

/** @after @newest @limit @names (a JSON array) — the events up to @newest named in @names. */
export const SELECT_NAMED_EVENTS = `
SELECT seq, at, name, job_id, tenant, queue, type, status, data FROM job_events
WHERE seq > @after AND seq <= @newest AND name IN (SELECT value FROM json_each(@names))
ORDER BY seq LIMIT @limit`;

export const SELECT_LATEST_EVENT_SEQ = `SELECT coalesce(max(seq), 0) FROM job_events`;

/**
 * @keep @before (ms; null: any age) — all but the newest @keep events (at least the newest one
 * stays: a new event's seq is the newest plus one, which an empty log would hand out again), of
 * those before @before
 */
export const PRUNE_EVENTS = `
DELETE FROM job_events WHERE seq <= (SELECT coalesce(max(seq), 0) FROM job_events) - max(@keep, 1)
  AND (@before IS NULL OR at < @before)`;

/** @id @name @prefix @hash @role @tenant @queues @now */
export const INSERT_API_KEY = `
INSERT INTO api_keys (id, name, prefix, hash, role, tenant, queues, created_at)
VALUES (@id, @name, @prefix, @hash, @role, @tenant, @queues, @now)
RETURNING *`;

/** @hash */
export const SELECT_API_KEY_BY_HASH = `SELECT * FROM api_keys WHERE hash = @hash`;

export const SELECT_API_KEYS = `SELECT * FROM api_keys ORDER BY created_at DESC, id DESC`;

/** @id @now */
export const REVOKE_API_KEY = `
UPDATE api_keys SET revoked_at = coalesce(revoked_at, @now) WHERE id = @id RETURNING *`;
