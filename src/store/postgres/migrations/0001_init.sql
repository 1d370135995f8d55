-- Spool schema, version 1 (PostgreSQL). The migrator runs this file in one transaction with
-- `search_path` set to the target schema only, so the names below are unqualified on purpose.
--
-- Mirrors the SQLite schema (src/store/sqlite/migrations/0001_init.sql) column for column.
-- Divergences, each deliberate:
--   * times are BIGINT milliseconds since the Unix epoch (UTC), exactly as SQLite stores them:
--     every comparison is against the `now` the caller passes in, never the database clock, and a
--     bigint round-trips a millisecond exactly (docs/postgres.md explains the choice);
--   * `id` is UUID (16 bytes, byte order = the text order of lower-case UUIDv7, so ORDER BY id is
--     still FIFO); payload and result are JSON (stored verbatim, key order kept); error and
--     errors are JSONB (the error history is edited in place); tags is TEXT[] (GIN-indexable);
--     flags are BOOLEAN;
--   * a GIN index for tag filters, partial on tagged rows, so untagged jobs pay nothing for it.

CREATE TABLE jobs (
  id               UUID     PRIMARY KEY,
  tenant           TEXT     NOT NULL,
  queue            TEXT     NOT NULL,
  type             TEXT     NOT NULL,
  payload          JSON     NOT NULL,
  status           TEXT     NOT NULL
    CHECK (status IN ('scheduled', 'queued', 'running', 'retrying', 'completed', 'failed', 'cancelled')),
  priority         INTEGER  NOT NULL DEFAULT 0 CHECK (priority BETWEEN -1000 AND 1000),
  progress         SMALLINT NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  progress_message TEXT,
  attempt          INTEGER  NOT NULL DEFAULT 0,
  max_attempts     INTEGER  NOT NULL CHECK (max_attempts >= 1),
  run_at           BIGINT   NOT NULL,
  timeout_ms       BIGINT   NOT NULL CHECK (timeout_ms > 0),
  backoff_base_ms  BIGINT   NOT NULL,
  backoff_cap_ms   BIGINT   NOT NULL,
  unique_key       TEXT,
  tags             TEXT[]   NOT NULL DEFAULT '{}',
  result           JSON,
  error            JSONB,
  errors           JSONB    NOT NULL DEFAULT '[]',
  webhook_url      TEXT,
  worker           TEXT,
  lease_token      TEXT,
  lease_expires_at BIGINT,
  cancel_requested BOOLEAN  NOT NULL DEFAULT false,
  created_at       BIGINT   NOT NULL,
  started_at       BIGINT,
  completed_at     BIGINT,
  updated_at       BIGINT   NOT NULL,
  CHECK (attempt BETWEEN 0 AND max_attempts),
  -- completed_at is set exactly when the job is final
  CHECK ((completed_at IS NOT NULL) = (status IN ('completed', 'failed', 'cancelled'))),
  -- a lease exists exactly while the job runs
  CHECK ((lease_token IS NOT NULL) = (status = 'running')),
  CHECK ((lease_expires_at IS NOT NULL) = (status = 'running'))
);

-- Claim: the next queued jobs of a queue in claim order.
CREATE INDEX jobs_claim_idx ON jobs (queue, priority DESC, run_at, id) WHERE status = 'queued';
-- Promotion: scheduled and retrying jobs by due time.
CREATE INDEX jobs_due_idx ON jobs (run_at) WHERE status IN ('scheduled', 'retrying');
-- Rescue and per-queue concurrency: running jobs.
CREATE INDEX jobs_running_idx ON jobs (queue, lease_expires_at) WHERE status = 'running';
-- Pruning and finished-state listings.
CREATE INDEX jobs_finished_idx ON jobs (status, completed_at) WHERE completed_at IS NOT NULL;
-- Tenant listings, newest first (tenant and id never change).
CREATE INDEX jobs_tenant_idx ON jobs (tenant, id);
-- Unique jobs: one unfinished job per (tenant, queue, unique_key).
CREATE UNIQUE INDEX jobs_unique_idx ON jobs (tenant, queue, unique_key)
  WHERE unique_key IS NOT NULL AND status IN ('scheduled', 'queued', 'running', 'retrying');
-- Tag filters (`tags @> ARRAY[$tag] AND tags <> '{}'`); PostgreSQL only.
CREATE INDEX jobs_tags_idx ON jobs USING gin (tags) WHERE tags <> '{}';

CREATE TABLE queues (
  name            TEXT    PRIMARY KEY,
  paused          BOOLEAN NOT NULL DEFAULT false,
  concurrency     INTEGER CHECK (concurrency IS NULL OR concurrency >= 1),
  timeout_ms      BIGINT  CHECK (timeout_ms IS NULL OR timeout_ms > 0),
  max_attempts    INTEGER CHECK (max_attempts IS NULL OR max_attempts >= 1),
  backoff_base_ms BIGINT  CHECK (backoff_base_ms IS NULL OR backoff_base_ms >= 0),
  backoff_cap_ms  BIGINT  CHECK (backoff_cap_ms IS NULL OR backoff_cap_ms >= 0),
  updated_at      BIGINT  NOT NULL
);
