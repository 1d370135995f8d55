-- Version 14 (PostgreSQL): dependencies between jobs ("flows") and batches; mirrors SQLite's
-- 0012 (see there). Divergences: ids are UUID, times BIGINT ms, on_complete JSON.
CREATE TABLE job_dependencies (
  job_id    UUID    NOT NULL,
  position  INTEGER NOT NULL,
  parent_id UUID    NOT NULL,
  PRIMARY KEY (job_id, position)
);

-- Retention never prunes a parent of a held job (PRUNE_FINISHED looks its children up here).
CREATE INDEX job_dependencies_parent_idx ON job_dependencies (parent_id);

CREATE TABLE job_dependency_waits (
  job_id     UUID   PRIMARY KEY,
  tenant     TEXT   NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE batches (
  id                 UUID    PRIMARY KEY,
  tenant             TEXT    NOT NULL,
  total              INTEGER NOT NULL CHECK (total >= 0),
  on_complete        JSON,
  on_complete_job_id UUID,
  created_at         BIGINT  NOT NULL,
  finished_at        BIGINT,
  CHECK (on_complete_job_id IS NULL OR finished_at IS NOT NULL)
);
CREATE INDEX batches_unfinished_idx ON batches (created_at) WHERE finished_at IS NULL;

CREATE TABLE batch_jobs (
  batch_id UUID NOT NULL,
  job_id   UUID NOT NULL,
  PRIMARY KEY (batch_id, job_id)
);
CREATE INDEX batch_jobs_job_idx ON batch_jobs (job_id);
