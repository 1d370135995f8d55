/**
 * Named PostgreSQL statements for the job-event log and API keys; same names as
 * src/store/sqlite/sql/events.ts where a twin exists.
 *
 * Divergence: SQLite appends events straight into `job_events`, whose rowid order is commit
 * order because SQLite commits one transaction at a time. PostgreSQL commits concurrently, so a
 * number taken at insert time is not commit order (a reader could see event 11 and move past
 * event 10 before 10 commits). Writers therefore log into `job_events_pending` (each writing
 * statement does it in a CTE: sql/fragments.ts), and readers first publish: under an advisory
 * lock held until commit, committed pending events get the next `seq` numbers in `job_events`,
 * in insertion order (which respects each job's causal order: a later change to a job starts
 * only after the earlier one committed, so its event was inserted later).
 *
 * Which pending events are published is decided by snapshots, not by deleting them (migration
 * 0007; the idea is PgQ's): each row carries its writer's transaction id, and the publisher
 * stores the snapshot its publishing statement ran with. A committed event is published exactly
 * when its transaction is visible in that stored snapshot, i.e. unless its xid is at or above
 * the snapshot's xmax or in its in-progress list — two index probes at the recent end of the xid
 * index, whatever the history. Publishing therefore leaves no dead rows behind, and readers never
 * walk any; the publisher empties old slots with TRUNCATE (event-log.ts).
 */
import type { SchemaNames, SqlTemplate } from "./names.js";

/** $1 lock key — serialises publishers until their transaction ends. PostgreSQL only. */
export const LOCK_EVENT_PUBLISHER: SqlTemplate = () => `SELECT pg_advisory_xact_lock($1::bigint)`;

/** The xids the last publication saw in progress, as an array (an init plan: evaluated once). */
const PUBLISHED_XIP = (t: SchemaNames): string =>
  `(SELECT array_agg(x) FROM ${t.eventPublisher}, pg_snapshot_xip(published) AS x)::xid8[]`;

/** The first xid the last publication did not see at all. */
const PUBLISHED_XMAX = (t: SchemaNames): string =>
  `(SELECT pg_snapshot_xmax(published) FROM ${t.eventPublisher})`;

/**
 * Moves every committed, unpublished pending event into the published log, numbered after the
 * newest published one in insertion order, and stores this statement's snapshot as the
 * published one — in one statement, so the snapshot is exactly the one the rows were read with.
 * Returns how many moved, the highest pending id moved, and the slot state (for rotation). Must
 * run after LOCK_EVENT_PUBLISHER in the same transaction, in a statement of its own (its
 * snapshot must include the previous publisher's commit). PostgreSQL only.
 */
export const PUBLISH_EVENTS: SqlTemplate = (t) => `
WITH batch AS MATERIALIZED (
  SELECT p.id, p.at, p.name, p.job_id, p.tenant, p.queue, p.type, p.status, p.data
  FROM ${t.pendingEvents} AS p
  WHERE (p.xid >= ${PUBLISHED_XMAX(t)} OR p.xid = ANY (${PUBLISHED_XIP(t)}))
    AND NOT pg_visible_in_snapshot(p.xid, (SELECT published FROM ${t.eventPublisher}))
), base AS (
  SELECT coalesce(max(seq), 0) AS last FROM ${t.events}
), moved AS (
  INSERT INTO ${t.events} (seq, at, name, job_id, tenant, queue, type, status, data)
  SELECT base.last + row_number() OVER (ORDER BY b.id), b.at, b.name, b.job_id, b.tenant,
    b.queue, b.type, b.status, b.data
  FROM batch AS b CROSS JOIN base
  RETURNING 1
), advanced AS (
  UPDATE ${t.eventPublisher} SET published = pg_current_snapshot() RETURNING 1
)
SELECT (SELECT count(*) FROM moved)::int AS moved, (SELECT max(id) FROM batch) AS max_id,
  s.slot, s.rotated_after, s.draining, (SELECT count(*) FROM advanced)::int AS advanced
FROM ${t.eventSlot} AS s`;

/**
 * $1 slot, $2 rotated_after — writers append to `slot` from now on; the other slot is to be
 * emptied once every event in it is published. PostgreSQL only.
 */
export const SWITCH_EVENT_SLOT: SqlTemplate = (t) => `
UPDATE ${t.eventSlot} SET slot = $1::smallint, rotated_after = $2::bigint, draining = true`;

/**
 * Locks a slot against every writer and reader, without waiting (fails with 55P03 if any is at
 * work in it): once held, every event in the slot is committed and visible to the next
 * statement. PostgreSQL only.
 */
export const LOCK_EVENT_SLOT_0: SqlTemplate = (t) =>
  `LOCK TABLE ${t.pendingEventSlots[0]} IN ACCESS EXCLUSIVE MODE NOWAIT`;
export const LOCK_EVENT_SLOT_1: SqlTemplate = (t) =>
  `LOCK TABLE ${t.pendingEventSlots[1]} IN ACCESS EXCLUSIVE MODE NOWAIT`;

/** Empties a drained slot (every event in it published, under LOCK_EVENT_SLOT_n). */
export const TRUNCATE_EVENT_SLOT_0: SqlTemplate = (t) => `
TRUNCATE ${t.pendingEventSlots[0]}`;
export const TRUNCATE_EVENT_SLOT_1: SqlTemplate = (t) => `
TRUNCATE ${t.pendingEventSlots[1]}`;

/** Marks the other slot emptied. PostgreSQL only. */
export const END_EVENT_SLOT_DRAIN: SqlTemplate = (t) => `
UPDATE ${t.eventSlot} SET draining = false`;

/**
 * Whether committed events wait to be published: an event the reader can see whose xid the last
 * publication did not see committed (two probes of the xid index, at its recent end). Readers
 * publish only then: a reader needs no lock, because publishers commit one after another in
 * `seq` order, so a snapshot that shows `seq` n shows everything before it too.
 */
const HAS_PENDING = (t: SchemaNames): string =>
  `(EXISTS (SELECT 1 FROM ${t.pendingEvents} WHERE xid >= ${PUBLISHED_XMAX(t)})
    OR EXISTS (SELECT 1 FROM ${t.pendingEvents} WHERE xid = ANY (${PUBLISHED_XIP(t)})))`;

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

/**
 * $1 after, $2 limit, $3 names text[] — like SELECT_EVENTS, only the events named in $3, and on
 * every row the newest published seq (how far a short answer read: the same snapshot).
 * Divergence: both flags.
 */
export const SELECT_NAMED_EVENTS: SqlTemplate = (t) => `
SELECT h.has_pending, h.newest, e.seq, e.at, e.name, e.job_id, e.tenant, e.queue, e.type,
  e.status, e.data
FROM (SELECT ${HAS_PENDING(t)} AS has_pending,
  (SELECT coalesce(max(seq), 0) FROM ${t.events}) AS newest) AS h
LEFT JOIN LATERAL (
  SELECT * FROM ${t.events} WHERE seq > $1::bigint AND name = ANY($3::text[])
  ORDER BY seq LIMIT $2::int
) AS e ON true`;

/** The newest published seq (0 when none), and whether unpublished events exist. */
export const SELECT_LATEST_EVENT_SEQ: SqlTemplate = (t) => `
SELECT ${HAS_PENDING(t)} AS has_pending,
  (SELECT coalesce(max(seq), 0) FROM ${t.events}) AS seq`;

/** $1 keep, $2 before (ms; null: any age) — all but the newest $1 events, of those before $2 */
export const PRUNE_EVENTS: SqlTemplate = (t) => `
DELETE FROM ${t.events} WHERE seq <= (SELECT coalesce(max(seq), 0) FROM ${t.events}) - $1::bigint
  AND ($2::bigint IS NULL OR at < $2::bigint)`;

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
