-- Version 2 (PostgreSQL): the job-event log and API keys (hashes only); mirrors SQLite's 0002.
--
-- Divergence: events are written to `job_events_pending` by the statement that makes each
-- change, and readers publish them into `job_events` with gap-free `seq` numbers in commit-safe
-- order (see src/store/postgres/sql/events.ts for why). The pending table's identity must keep
-- the default CACHE 1, so that ids follow insertion order across sessions.

CREATE TABLE job_events (
  seq    BIGINT PRIMARY KEY,
  at     BIGINT NOT NULL,
  name   TEXT   NOT NULL,
  job_id UUID   NOT NULL,
  tenant TEXT   NOT NULL,
  queue  TEXT   NOT NULL,
  type   TEXT   NOT NULL,
  status TEXT   NOT NULL,
  data   JSON   NOT NULL DEFAULT '{}'
);

CREATE TABLE job_events_pending (
  id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at     BIGINT NOT NULL,
  name   TEXT   NOT NULL,
  job_id UUID   NOT NULL,
  tenant TEXT   NOT NULL,
  queue  TEXT   NOT NULL,
  type   TEXT   NOT NULL,
  status TEXT   NOT NULL,
  data   JSON   NOT NULL DEFAULT '{}'
);

CREATE TABLE api_keys (
  id         TEXT   PRIMARY KEY,
  name       TEXT,
  prefix     TEXT   NOT NULL,
  hash       TEXT   NOT NULL UNIQUE,
  role       TEXT   NOT NULL CHECK (role IN ('admin', 'producer', 'worker')),
  tenant     TEXT   NOT NULL,
  queues     TEXT[],
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
