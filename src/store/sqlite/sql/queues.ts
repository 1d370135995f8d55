/** Named SQLite statements for queue settings. */

/** @name @now — registers a queue on first use; a no-op when it exists. */
export const REGISTER_QUEUE = `
INSERT INTO queues (name, updated_at) VALUES (@name, @now) ON CONFLICT (name) DO NOTHING`;

/** @name */
export const SELECT_QUEUE = `SELECT * FROM queues WHERE name = @name`;

export const SELECT_QUEUES = `SELECT * FROM queues ORDER BY name`;

/** @name @paused @concurrency @timeout_ms @max_attempts @backoff_base_ms @backoff_cap_ms @now
 *  and a `set_<field>` flag (0/1) for each: only flagged fields change. */
export const UPSERT_QUEUE = `
INSERT INTO queues (name, paused, concurrency, timeout_ms, max_attempts, backoff_base_ms, backoff_cap_ms, updated_at)
VALUES (@name, COALESCE(@paused, 0), @concurrency, @timeout_ms, @max_attempts, @backoff_base_ms, @backoff_cap_ms, @now)
ON CONFLICT (name) DO UPDATE SET
  paused = CASE WHEN @set_paused = 1 THEN excluded.paused ELSE paused END,
  concurrency = CASE WHEN @set_concurrency = 1 THEN excluded.concurrency ELSE concurrency END,
  timeout_ms = CASE WHEN @set_timeout_ms = 1 THEN excluded.timeout_ms ELSE timeout_ms END,
  max_attempts = CASE WHEN @set_max_attempts = 1 THEN excluded.max_attempts ELSE max_attempts END,
  backoff_base_ms = CASE WHEN @set_backoff_base_ms = 1 THEN excluded.backoff_base_ms ELSE backoff_base_ms END,
  backoff_cap_ms = CASE WHEN @set_backoff_cap_ms = 1 THEN excluded.backoff_cap_ms ELSE backoff_cap_ms END,
  updated_at = excluded.updated_at
RETURNING *`;
