/**
 * Named PostgreSQL statements for queue settings; same names as src/store/sqlite/sql/queues.ts.
 * (SQLite's SELECT_QUEUE has no twin here: a claim reads the settings it needs in
 * PROMOTE_DUE_IN_QUEUE or LOCK_QUEUE, and a submission in REGISTER_QUEUE.)
 */
import type { SqlTemplate } from "./names.js";

/**
 * $1 names text[] (sorted, so racing registrations lock index entries in one order), $2 now —
 * registers queues on first use and returns the settings of all of them. Divergence: every
 * queue of a batch at once, and the settings come back in the same round trip. A queue row
 * inserted by a concurrent, still uncommitted transaction is missed (the statement's snapshot
 * predates it); its settings then fall back to the defaults, exactly as if this submission had
 * come first.
 */
export const REGISTER_QUEUE: SqlTemplate = (t) => `
WITH registered AS (
  INSERT INTO ${t.queues} (name, updated_at)
  SELECT name, $2::bigint FROM unnest($1::text[]) AS name
  ON CONFLICT (name) DO NOTHING
  RETURNING *
)
SELECT * FROM registered
UNION ALL
SELECT * FROM ${t.queues} WHERE name = ANY($1::text[])`;

/** Every queue's settings, by name. */
export const SELECT_QUEUES: SqlTemplate = (t) => `SELECT * FROM ${t.queues} ORDER BY name`;

/**
 * $1 name, $2 paused, $3 concurrency, $4 timeout_ms, $5 max_attempts, $6 backoff_base_ms,
 * $7 backoff_cap_ms, $8 now, then a `set_<field>` flag for each field in the same order
 * ($9 … $14): only flagged fields change.
 */
export const UPSERT_QUEUE: SqlTemplate = (t) => `
INSERT INTO ${t.queues} AS q
  (name, paused, concurrency, timeout_ms, max_attempts, backoff_base_ms, backoff_cap_ms, updated_at)
VALUES ($1::text, COALESCE($2::boolean, false), $3::int, $4::bigint, $5::int, $6::bigint,
  $7::bigint, $8::bigint)
ON CONFLICT (name) DO UPDATE SET
  paused = CASE WHEN $9::boolean THEN excluded.paused ELSE q.paused END,
  concurrency = CASE WHEN $10::boolean THEN excluded.concurrency ELSE q.concurrency END,
  timeout_ms = CASE WHEN $11::boolean THEN excluded.timeout_ms ELSE q.timeout_ms END,
  max_attempts = CASE WHEN $12::boolean THEN excluded.max_attempts ELSE q.max_attempts END,
  backoff_base_ms = CASE WHEN $13::boolean THEN excluded.backoff_base_ms ELSE q.backoff_base_ms END,
  backoff_cap_ms = CASE WHEN $14::boolean THEN excluded.backoff_cap_ms ELSE q.backoff_cap_ms END,
  updated_at = excluded.updated_at
RETURNING *`;
