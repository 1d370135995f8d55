/**
 * Named PostgreSQL statements for the job-event log and API keys; same names as
 * src/store/sqlite/sql/events.ts where a twin exists.
 *
 * Divergence: SQLite appends events straight into `job_events`, whose rowid order is commit
 * order because SQLite commits one transaction at a time. PostgreSQL commits concurrently, so a
 * number taken at insert time is not commit order (a reader could see event 11 and move past
 * event 10 before 10 commits). Writers therefore log into `job_events_pending` (each writing
 * statement does it in a CTE: sql/fragments.ts), and readers first publish: under an advisory
 * lock held until commit, committed pending events move to `job_events` and get the next
 * gap-free `seq` numbers, in insertion order (which respects each job's causal order: a later
 * change to a job starts only after the earlier one committed, so its event was inserted later).
 */
import type { SqlTemplate } from "./names.js";

/** $1 lock key — serialises publishers until their transaction ends. PostgreSQL only. */
export const LOCK_EVENT_PUBLISHER: SqlTemplate = () => `SELECT pg_advisory_xact_lock($1::bigint)`;

/**
 * $1 limit — moves up to `limit` committed pending events into the published log, numbered after
 * the newest published one. Must run after LOCK_EVENT_PUBLISHER in the same transaction, in a
 * statement of its own (its snapshot must include the previous publisher's commit). PostgreSQL
 * only.
 */
export const PUBLISH_EVENTS: SqlTemplate = (t) => `
WITH moved AS (
  DELETE FROM ${t.pendingEvents}
  WHERE id IN (SELECT id FROM ${t.pendingEvents} ORDER BY id LIMIT $1::int)
  RETURNING *
), base AS (
  SELECT coalesce(max(seq), 0) AS last FROM ${t.events}
)
INSERT INTO ${t.events} (seq, at, name, job_id, tenant, queue, type, status, data)
SELECT base.last + row_number() OVER (ORDER BY moved.id), moved.at, moved.name, moved.job_id,
  moved.tenant, moved.queue, moved.type, moved.status, moved.data
FROM moved CROSS JOIN base`;

/**
 * Whether committed events wait to be published (index probe; the identity keeps insertion
 * order). Readers publish only then: a reader needs no lock, because publishers commit one after
 * another in `seq` order, so a snapshot that shows `seq` n shows everything before it too.
 */
const HAS_PENDING = (t: Parameters<SqlTemplate>[0]): string =>
  `(SELECT id FROM ${t.pendingEvents} ORDER BY id LIMIT 1) IS NOT NULL`;

/**
 * $1 after, $2 limit — the published events after `after`, plus (on every row, and on a row of
 * nulls when there are none) whether unpublished events exist. Divergence: the flag.
 */
export const SELECT_EVENTS: SqlTemplate = (t) => `
SELECT h.has_pending, e.seq, e.at, e.name, e.job_id, e.tenant, e.queue, e.type, e.status, e.data
FROM (SELECT ${HAS_PENDING(t)} AS has_pending) AS h
LEFT JOIN LATERAL (
  SELECT * FROM ${t.events} WHERE seq > $1::bigint ORDER BY seq LIMIT $2::int
) AS e ON true`;

/** The newest published seq (0 when none), and whether unpublished events exist. */
export const SELECT_LATEST_EVENT_SEQ: SqlTemplate = (t) => `
SELECT ${HAS_PENDING(t)} AS has_pending,
  (SELECT coalesce(max(seq), 0) FROM ${t.events}) AS seq`;

/** $1 keep */
export const PRUNE_EVENTS: SqlTemplate = (t) => `
DELETE FROM ${t.events} WHERE seq <= (SELECT coalesce(max(seq), 0) FROM ${t.events}) - $1::bigint`;

/** $1 id, $2 name, $3 prefix, $4 hash, $5 role, $6 tenant, $7 queues text[], $8 now */
export const INSERT_API_KEY: SqlTemplate = (t) => `
INSERT INTO ${t.apiKeys} (id, name, prefix, hash, role, tenant, queues, created_at)
VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text[], $8::bigint)
RETURNING *`;

/** $1 hash */
export const SELECT_API_KEY_BY_HASH: SqlTemplate = (t) =>
  `SELECT * FROM ${t.apiKeys} WHERE hash = $1::text`;

export const SELECT_API_KEYS: SqlTemplate = (t) =>
  `SELECT * FROM ${t.apiKeys} ORDER BY created_at DESC, id DESC`;

/** $1 id, $2 now */
export const REVOKE_API_KEY: SqlTemplate = (t) => `
UPDATE ${t.apiKeys} SET revoked_at = coalesce(revoked_at, $2::bigint) WHERE id = $1::text
RETURNING *`;
