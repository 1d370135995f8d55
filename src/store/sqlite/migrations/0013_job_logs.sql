-- Version 13: job logs (SPEC §8). One row per line a handler or remote worker wrote under the
-- job's lease. `seq` numbers a job's lines from 1 across all its attempts (it is never reused:
-- the newest 1,000 are kept and older ones deleted, so `max(seq) - count(*)` is how many were
-- dropped); `attempt` is the job's attempt when the line was written.
CREATE TABLE job_logs (
  job_id    TEXT    NOT NULL,
  seq       INTEGER NOT NULL CHECK (seq >= 1),
  attempt   INTEGER NOT NULL CHECK (attempt >= 1),
  level     TEXT    NOT NULL CHECK (level IN ('debug', 'info', 'warn', 'error')),
  message   TEXT    NOT NULL,
  logged_at INTEGER NOT NULL,
  PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;

-- Logs go with their job, whatever deletes it (retention, an operator): a trigger rather than
-- a foreign key, because the store does not turn SQLite's foreign-key enforcement on.
CREATE TRIGGER job_logs_delete_with_job AFTER DELETE ON jobs
BEGIN
  DELETE FROM job_logs WHERE job_id = OLD.id;
END;
