-- Version 15 (PostgreSQL): job logs (SPEC §8); mirrors SQLite's 0013. One row per line a
-- handler or remote worker wrote under the job's lease; `seq` numbers a job's lines from 1
-- across all its attempts and is never reused (the newest 1,000 are kept, older ones deleted,
-- so `max(seq) - count(*)` is how many were dropped).
-- Divergences: job_id is a UUID with a foreign key that deletes the lines with their job
-- (SQLite: a trigger); times are BIGINT milliseconds, as everywhere in this schema.

CREATE TABLE job_logs (
  job_id    UUID    NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  seq       INTEGER NOT NULL CHECK (seq >= 1),
  attempt   INTEGER NOT NULL CHECK (attempt >= 1),
  level     TEXT    NOT NULL CHECK (level IN ('debug', 'info', 'warn', 'error')),
  message   TEXT    NOT NULL,
  logged_at BIGINT  NOT NULL,
  PRIMARY KEY (job_id, seq)
);
