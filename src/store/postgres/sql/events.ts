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
 *
 * Both tables hold events in rows of parallel arrays (migration 0020): a writing statement logs
 * all its events as one pending row, and publication copies each pending row into one published
 * row numbered first_seq … last_seq. A 500-job completion is then one row written twice, not
 * 1,000 rows and their index entries; readers unnest the rows they need, in seq order.
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
 * Moves every committed, unpublished pending row into the published log — each as one row
 * holding its events, numbered after the newest published one in insertion order (pending id,
 * then position in the row) — and stores this statement's snapshot as the published one, in one
 * statement, so the snapshot is exactly the one the rows were read with. Returns how many events
 * moved, the newest seq after it, and the slot state (for rotation). Must run after
 * LOCK_EVENT_PUBLISHER in the same transaction, in a statement of its own (its snapshot must
 * include the previous publisher's commit). PostgreSQL only.
 */
export const PUBLISH_EVENTS: SqlTemplate = (t) => `
WITH batch AS MATERIALIZED (
  SELECT p.id, cardinality(p.name) AS n, p.at, p.name, p.job_id, p.tenant, p.queue, p.type,
    p.status, p.data
  FROM ${t.pendingEvents} AS p
  WHERE (p.xid >= ${PUBLISHED_XMAX(t)} OR p.xid = ANY (${PUBLISHED_XIP(t)}))
    AND NOT pg_visible_in_snapshot(p.xid, (SELECT published FROM ${t.eventPublisher}))
), base AS (
  SELECT coalesce(max(last_seq), 0) AS last FROM ${t.events}
), numbered AS (
  SELECT b.*, base.last + sum(b.n) OVER (ORDER BY b.id) AS last_seq
  FROM batch AS b CROSS JOIN base
), moved AS (
  INSERT INTO ${t.events} (last_seq, first_seq, at_max, at, name, job_id, tenant, queue, type,
    status, data)
  SELECT last_seq, last_seq - n + 1, (SELECT max(a) FROM unnest(at) AS a), at, name, job_id,
    tenant, queue, type, status, data
  FROM numbered
  RETURNING last_seq - first_seq + 1 AS n
), advanced AS (
  UPDATE ${t.eventPublisher} SET published = pg_current_snapshot() RETURNING 1
)
SELECT (SELECT coalesce(sum(n), 0) FROM moved)::int AS moved,
  (SELECT last FROM base) + (SELECT coalesce(sum(n), 0) FROM moved)::bigint AS newest,
  s.slot, s.rotated_after, s.draining, (SELECT count(*) FROM advanced)::int AS advanced
FROM ${t.eventSlot} AS s`;

/**
 * $1 slot, $2 rotated_after (the newest seq now) — writers append to `slot` from now on; the
 * other slot is to be emptied once every event in it is published. PostgreSQL only.
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

/** How many of a row's events come after `after`. */
const AVAILABLE = (after: string): string =>
  `CASE WHEN first_seq > ${after} THEN last_seq - first_seq + 1 ELSE last_seq - ${after} END`;

/**
 * The published rows after `after` that hold the next `budget` events, each with `before_n`,
 * how many events after `after` the rows before it hold. First the bound: the newest row needed
 * (one whose `before_n` is under the budget), from the seqs of at most `budget` rows (an init
 * plan, reading no arrays); then the rows up to it, whole, by a range of the primary key — so a
 * reader far behind copies the rows it unnests, not `budget` rows of arrays.
 */
const ROWS_AFTER = (t: SchemaNames, after: string, budget: string): string => `
SELECT r.*, sum(r.avail) OVER (ORDER BY r.last_seq) - r.avail AS before_n
FROM (
  SELECT e.*, ${AVAILABLE(after)} AS avail
  FROM ${t.events} AS e
  WHERE e.last_seq > ${after} AND e.last_seq <= (
    SELECT coalesce(max(h.last_seq), ${after}) FROM (
      SELECT last_seq, sum(avail) OVER (ORDER BY last_seq) - avail AS before_n
      FROM (
        SELECT last_seq, ${AVAILABLE(after)} AS avail FROM ${t.events}
        WHERE last_seq > ${after} ORDER BY last_seq LIMIT ${budget}
      ) AS seqs
    ) AS h WHERE h.before_n < ${budget})
  ORDER BY e.last_seq
) AS r`;

/** The events of the rows of CTE `log_rows`, with their seq (`first_seq` + position - 1). */
const UNNESTED = `
SELECT c.first_seq + u.ord - 1 AS seq, u.at, u.name, u.job_id, u.tenant, u.queue, u.type,
  u.status, u.data
FROM log_rows AS c CROSS JOIN LATERAL unnest(c.at, c.name, c.job_id, c.tenant, c.queue, c.type,
  c.status, c.data) WITH ORDINALITY AS u(at, name, job_id, tenant, queue, type, status, data, ord)`;

/** The newest published seq (0 when none). */
const NEWEST_SEQ = (t: SchemaNames): string =>
  `(SELECT coalesce(max(last_seq), 0) FROM ${t.events})`;

/**
 * $1 after, $2 limit — the published events after `after` (at most `limit`), plus (on every
 * row, and on a row of nulls when there are none) whether unpublished events exist. Divergence:
 * the flag, and the rows of events (migration 0020).
 */
export const SELECT_EVENTS: SqlTemplate = (t) => `
WITH log_rows AS MATERIALIZED (${ROWS_AFTER(t, "$1::bigint", "$2::int")})
SELECT h.has_pending, e.seq, e.at, e.name, e.job_id, e.tenant, e.queue, e.type, e.status, e.data
FROM (SELECT ${HAS_PENDING(t)} AS has_pending) AS h
LEFT JOIN LATERAL (
  SELECT * FROM (${UNNESTED} WHERE c.before_n < $2::int) AS x
  WHERE x.seq > $1::bigint ORDER BY x.seq LIMIT $2::int
) AS e ON true`;

/**
 * $1 after, $2 limit, $3 names text[], $4 budget — like SELECT_EVENTS, only the events named in
 * $3 among the next $4 events (a read of names that few events have stops there rather than
 * unnest the whole log), and on every row the newest published seq and `scanned_to`, the last
 * seq those $4 covered (the same snapshot). Divergence: the flags and the budget.
 */
export const SELECT_NAMED_EVENTS: SqlTemplate = (t) => `
WITH log_rows AS MATERIALIZED (${ROWS_AFTER(t, "$1::bigint", "$4::int")})
SELECT h.has_pending, h.newest, h.scanned_to, e.seq, e.at, e.name, e.job_id, e.tenant, e.queue,
  e.type, e.status, e.data
FROM (SELECT ${HAS_PENDING(t)} AS has_pending, ${NEWEST_SEQ(t)} AS newest,
  (SELECT max(last_seq) FROM log_rows WHERE before_n < $4::int) AS scanned_to) AS h
LEFT JOIN LATERAL (
  SELECT * FROM (${UNNESTED} WHERE c.before_n < $4::int AND u.name = ANY($3::text[])) AS x
  WHERE x.seq > $1::bigint ORDER BY x.seq LIMIT $2::int
) AS e ON true`;

/** The newest published seq (0 when none), and whether unpublished events exist. */
export const SELECT_LATEST_EVENT_SEQ: SqlTemplate = (t) => `
SELECT ${HAS_PENDING(t)} AS has_pending, ${NEWEST_SEQ(t)} AS seq`;

/**
 * $1 keep, $2 before (ms; null: any age) — the rows whose events are all but the newest $1, and
 * all before $2; returns how many events went. The newest row always stays: publication numbers
 * after the newest seq, which an empty log would hand out again. Divergence: whole rows go, so
 * up to a row's worth more than $1 may stay.
 */
export const PRUNE_EVENTS: SqlTemplate = (t) => `
WITH gone AS (
  DELETE FROM ${t.events} WHERE last_seq <= ${NEWEST_SEQ(t)} - greatest($1::bigint, 1)
    AND ($2::bigint IS NULL OR at_max < $2::bigint)
  RETURNING last_seq - first_seq + 1 AS n
)
SELECT coalesce(sum(n), 0)::bigint AS deleted FROM gone`;

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
