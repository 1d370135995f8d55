-- Version 12 (SQLite): dependencies between jobs ("flows") and batches (SPEC §8; docs/design.md
-- "Dependencies and batches").
--
-- job_dependencies: the parents of each job, in the order given (kept while the job is, so a
-- handler sees its parents' results). job_dependency_waits: one row per job still held until its
-- parents are final — the only rows the dependency resolver looks at. A held job is `scheduled`
-- with run_at = 9999-12-31 (core/flows.ts DEPENDENCY_HOLD_RUN_AT), so neither claims nor the
-- promoter ever see it: the hot paths are unchanged.
CREATE TABLE job_dependencies (
  job_id    TEXT    NOT NULL,
  position  INTEGER NOT NULL,
  parent_id TEXT    NOT NULL,
  PRIMARY KEY (job_id, position)
) WITHOUT ROWID;

-- Retention never prunes a parent of a held job (PRUNE_FINISHED looks its children up here).
CREATE INDEX job_dependencies_parent_idx ON job_dependencies (parent_id);

CREATE TABLE job_dependency_waits (
  job_id     TEXT    PRIMARY KEY,
  tenant     TEXT    NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;

-- batches: one row per submitted batch. `on_complete` is the validated job to enqueue once every
-- member is final (JSON, NULL for none); `finished_at` and `on_complete_job_id` are set by one
-- conditional UPDATE (… WHERE finished_at IS NULL) in the transaction that inserts that job, so
-- it is enqueued exactly once whoever gets there first.
CREATE TABLE batches (
  id                 TEXT    PRIMARY KEY,
  tenant             TEXT    NOT NULL,
  total              INTEGER NOT NULL CHECK (total >= 0),
  on_complete        TEXT,
  on_complete_job_id TEXT,
  created_at         INTEGER NOT NULL,
  finished_at        INTEGER,
  CHECK (on_complete_job_id IS NULL OR finished_at IS NOT NULL)
);
CREATE INDEX batches_unfinished_idx ON batches (created_at) WHERE finished_at IS NULL;

CREATE TABLE batch_jobs (
  batch_id TEXT NOT NULL,
  job_id   TEXT NOT NULL,
  PRIMARY KEY (batch_id, job_id)
) WITHOUT ROWID;
CREATE INDEX batch_jobs_job_idx ON batch_jobs (job_id);
