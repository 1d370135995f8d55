-- Version 7 (PostgreSQL only): a hot path whose cost does not grow with churn (issue 15), so
-- that nothing in the steady state depends on autovacuum having run recently.
--
-- 1. The pending-event table no longer has rows inserted and then deleted one by one. Before, a
--    reader first probed `ORDER BY id LIMIT 1` and a publisher deleted from the front, and both
--    walked every dead entry left by earlier deletes (1.18 million after 1 million jobs with
--    autovacuum off). Now:
--      * each pending event records the transaction that wrote it (`xid`);
--      * `job_event_publisher.published` holds the snapshot of the last publication: an event is
--        published exactly when its transaction is visible in that snapshot. Publishing moves the
--        committed events that are not, in id order, and stores the publishing statement's own
--        snapshot — no DELETE. Readers look for such events by `xid` (at or above the snapshot's
--        xmax, or among its in-progress xids): index probes at the right edge of the xid index;
--      * the table is partitioned in two slots written alternately (`job_event_slot`); a
--        publisher switches slots every so many events and empties the previous one with
--        TRUNCATE once every event in it is published (event-log.ts). Nothing is ever dead in it.
--    Writers name the slot in their statement (sql/fragments.ts); a writer that does not (the
--    claim function's INSERT) gets it from the column default.
-- 2. `jobs` leaves room on its pages (fillfactor 70) so that an updated row can stay on its page,
--    and lease renewals no longer change an indexed column: the running-jobs index no longer
--    holds `lease_expires_at` (the rescuer filters the running rows, which concurrency bounds),
--    so a heartbeat is a HOT update that adds no index entry and is pruned in place.

-- Publish what the old table still holds (committed rows; writers wait for this transaction's
-- lock on it), then replace it.
INSERT INTO job_events (seq, at, name, job_id, tenant, queue, type, status, data)
SELECT (SELECT coalesce(max(seq), 0) FROM job_events) + row_number() OVER (ORDER BY id),
  at, name, job_id, tenant, queue, type, status, data
FROM job_events_pending;
DROP TABLE job_events_pending;

-- The slot writers append to; `rotated_after` is the last pending id before the switch, and
-- `draining` says the other slot may still hold events and is to be emptied.
CREATE TABLE job_event_slot (
  singleton     BOOLEAN  PRIMARY KEY DEFAULT true CHECK (singleton),
  slot          SMALLINT NOT NULL CHECK (slot IN (0, 1)),
  rotated_after BIGINT   NOT NULL,
  draining      BOOLEAN  NOT NULL
);
INSERT INTO job_event_slot (slot, rotated_after, draining) VALUES (0, 0, false);

-- The column default for writers that do not name the slot. The body names the schema (fixed
-- here, when the migration runs) instead of pinning search_path, which would cost a
-- configuration change per call.
DO $do$
BEGIN
  EXECUTE format(
    'CREATE FUNCTION current_event_slot() RETURNS SMALLINT LANGUAGE sql STABLE '
    'AS $f$ SELECT slot FROM %I.job_event_slot $f$', current_schema());
END
$do$;

-- The identity keeps CACHE 1, so ids follow insertion order across sessions (a later change to
-- a job is inserted after the earlier one committed, so ids respect each job's causal order).
CREATE TABLE job_events_pending (
  id     BIGINT   GENERATED ALWAYS AS IDENTITY,
  slot   SMALLINT NOT NULL DEFAULT current_event_slot(),
  xid    XID8     NOT NULL DEFAULT pg_current_xact_id(),
  at     BIGINT   NOT NULL,
  name   TEXT     NOT NULL,
  job_id UUID     NOT NULL,
  tenant TEXT     NOT NULL,
  queue  TEXT     NOT NULL,
  type   TEXT     NOT NULL,
  status TEXT     NOT NULL,
  data   JSON     NOT NULL DEFAULT '{}'
) PARTITION BY LIST (slot);
CREATE TABLE job_events_pending_0 PARTITION OF job_events_pending FOR VALUES IN (0);
CREATE TABLE job_events_pending_1 PARTITION OF job_events_pending FOR VALUES IN (1);
CREATE INDEX job_events_pending_xid_idx ON job_events_pending (xid);

-- The snapshot of the last publication. Everything pending now is in the old table, published
-- above, so this transaction's snapshot is a correct start: a transaction still running now is in
-- its in-progress list (or above its xmax), and its events count as unpublished.
CREATE TABLE job_event_publisher (
  singleton BOOLEAN     PRIMARY KEY DEFAULT true CHECK (singleton),
  published pg_snapshot NOT NULL
);
INSERT INTO job_event_publisher (published) VALUES (pg_current_snapshot());

ALTER TABLE jobs SET (fillfactor = 70);
DROP INDEX jobs_running_idx;
-- Rescue and per-queue concurrency: running jobs (the lease end is filtered, not indexed).
CREATE INDEX jobs_running_idx ON jobs (queue) WHERE status = 'running';

-- 3. The claim must walk the claim index in order, never sort the queue. With statistics that
--    predate a bulk load (autovacuum off: no ANALYZE ever ran, so the planner believes the table
--    empty), the plan cached for the function's claim statement — generic over LIMIT — read all
--    990,000 queued rows and sorted them on disk, 1.5 s per claim (measured; the "160 jobs/s" of
--    issue 15). The table vacuumer keeps statistics fresh; this makes the plan safe without.
--    Every overload of the function in this schema, whatever its signature by now.
DO $do$
DECLARE
  f REGPROCEDURE;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc AS p
           WHERE p.proname = 'claim_jobs' AND p.pronamespace = current_schema()::regnamespace LOOP
    EXECUTE format('ALTER FUNCTION %s SET enable_sort = off', f);
  END LOOP;
END
$do$;
