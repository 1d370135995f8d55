-- Version 20 (PostgreSQL only): the event log holds a row per batch of events, not per event
-- (issue 15).
--
-- Every claim and completion of a deep-backlog drain writes an event per job, and each event was
-- a row twice: once in the pending log, once more when published. Row and index upkeep for those
-- two rows was about a third of the database's CPU per job (measured: 16 µs of 58 per job to
-- publish, 3 µs per pending row). Now a writing statement logs all its events as one pending row
-- of parallel arrays, and the publisher copies each pending row into one published row that holds
-- the events numbered first_seq … last_seq (dense within a row), in the order they were logged.
-- Readers unnest the rows they need (sql/events.ts). Nothing else changes: publication still
-- goes by snapshots, the two pending slots are still emptied with TRUNCATE, and `seq` numbers are
-- what they were.

-- No writer or publisher may work while the log changes shape; old processes' statements fail
-- from now on (stop them before upgrading, as for every migration).
LOCK TABLE job_events_pending, job_events, job_event_publisher IN ACCESS EXCLUSIVE MODE;

-- Publish what the pending log still holds: with the lock held, every event in it is committed,
-- and the ones the last publication's snapshot does not show are unpublished.
INSERT INTO job_events (seq, at, name, job_id, tenant, queue, type, status, data)
SELECT (SELECT coalesce(max(seq), 0) FROM job_events) + row_number() OVER (ORDER BY p.id),
  p.at, p.name, p.job_id, p.tenant, p.queue, p.type, p.status, p.data
FROM job_events_pending AS p
WHERE NOT pg_visible_in_snapshot(p.xid, (SELECT published FROM job_event_publisher));

DROP TABLE job_events_pending;
DROP FUNCTION current_event_slot();

ALTER TABLE job_events RENAME TO job_events_by_row;
ALTER INDEX job_events_pkey RENAME TO job_events_by_row_pkey;

-- One row per published batch: events first_seq … last_seq, element i of each array being event
-- first_seq + i - 1. `at_max` is the newest event's time (pruning by age goes by it).
CREATE TABLE job_events (
  last_seq  BIGINT   PRIMARY KEY,
  first_seq BIGINT   NOT NULL CHECK (first_seq <= last_seq),
  at_max    BIGINT   NOT NULL,
  at        BIGINT[] NOT NULL,
  name      TEXT[]   NOT NULL,
  job_id    UUID[]   NOT NULL,
  tenant    TEXT[]   NOT NULL,
  queue     TEXT[]   NOT NULL,
  type      TEXT[]   NOT NULL,
  status    TEXT[]   NOT NULL,
  data      JSON[]   NOT NULL,
  CHECK (cardinality(name) = last_seq - first_seq + 1)
);

-- The events published so far, a row each (their seq numbers need not be dense).
INSERT INTO job_events (last_seq, first_seq, at_max, at, name, job_id, tenant, queue, type,
  status, data)
SELECT seq, seq, at, ARRAY[at], ARRAY[name], ARRAY[job_id], ARRAY[tenant], ARRAY[queue],
  ARRAY[type], ARRAY[status], ARRAY[data]
FROM job_events_by_row;
DROP TABLE job_events_by_row;

-- A writing statement's events, in the order it logged them. The identity keeps CACHE 1, so ids
-- follow insertion order across sessions (a later change to a job is logged after the earlier
-- one committed, so ids respect each job's causal order).
CREATE TABLE job_events_pending (
  id     BIGINT   GENERATED ALWAYS AS IDENTITY,
  slot   SMALLINT NOT NULL,
  xid    XID8     NOT NULL DEFAULT pg_current_xact_id(),
  at     BIGINT[] NOT NULL,
  name   TEXT[]   NOT NULL,
  job_id UUID[]   NOT NULL,
  tenant TEXT[]   NOT NULL,
  queue  TEXT[]   NOT NULL,
  type   TEXT[]   NOT NULL,
  status TEXT[]   NOT NULL,
  data   JSON[]   NOT NULL
) PARTITION BY LIST (slot);
CREATE TABLE job_events_pending_0 PARTITION OF job_events_pending FOR VALUES IN (0);
CREATE TABLE job_events_pending_1 PARTITION OF job_events_pending FOR VALUES IN (1);
CREATE INDEX job_events_pending_xid_idx ON job_events_pending (xid);

-- Writers start in slot 0; a slot is rotated after so many published events (`rotated_after` is
-- now the newest seq at the switch). Everything pending was published above, so this
-- transaction's snapshot is a correct start.
UPDATE job_event_slot SET slot = 0, draining = false,
  rotated_after = (SELECT coalesce(max(last_seq), 0) FROM job_events);
UPDATE job_event_publisher SET published = pg_current_snapshot();
