-- Version 2: the job-event log (written in the same transaction as each state change, so any
-- process can follow every job's events in commit order) and API keys (hashes only).

CREATE TABLE job_events (
  seq    INTEGER PRIMARY KEY,
  at     INTEGER NOT NULL,
  name   TEXT    NOT NULL,
  job_id TEXT    NOT NULL,
  tenant TEXT    NOT NULL,
  queue  TEXT    NOT NULL,
  type   TEXT    NOT NULL,
  status TEXT    NOT NULL,
  data   TEXT    NOT NULL DEFAULT '{}'
);

CREATE TABLE api_keys (
  id         TEXT    PRIMARY KEY,
  name       TEXT,
  prefix     TEXT    NOT NULL,
  hash       TEXT    NOT NULL UNIQUE,
  role       TEXT    NOT NULL CHECK (role IN ('admin', 'producer', 'worker')),
  tenant     TEXT    NOT NULL,
  queues     TEXT,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
