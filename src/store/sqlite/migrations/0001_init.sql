-- Spool schema, version 1 (SQLite). Times are INTEGER milliseconds since the Unix epoch (UTC);
-- JSON columns are TEXT. Invariants of the state machine are mirrored as CHECK constraints.

CREATE TABLE jobs (
  id               TEXT    PRIMARY KEY,
  tenant           TEXT    NOT NULL,
  queue            TEXT    NOT NULL,
  type             TEXT    NOT NULL,
  payload          TEXT    NOT NULL,
  status           TEXT    NOT NULL
    CHECK (status IN ('scheduled', 'queued', 'running', 'retrying', 'completed', 'failed', 'cancelled')),
  priority         INTEGER NOT NULL DEFAULT 0 CHECK (priority BETWEEN -1000 AND 1000),
  progress         INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  progress_message TEXT,
  attempt          INTEGER NOT NULL DEFAULT 0,
  max_attempts     INTEGER NOT NULL CHECK (max_attempts >= 1),
  run_at           INTEGER NOT NULL,
  timeout_ms       INTEGER NOT NULL CHECK (timeout_ms > 0),
  backoff_base_ms  INTEGER NOT NULL,
  backoff_cap_ms   INTEGER NOT NULL,
  unique_key       TEXT,
  tags             TEXT    NOT NULL DEFAULT '[]',
  result           TEXT,
  error            TEXT,
  errors           TEXT    NOT NULL DEFAULT '[]',
  webhook_url      TEXT,
  worker           TEXT,
  lease_token      TEXT,
  lease_expires_at INTEGER,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  created_at       INTEGER NOT NULL,
  started_at       INTEGER,
  completed_at     INTEGER,
  updated_at       INTEGER NOT NULL,
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
-- Tenant listings, newest first (tenant and id never change, so updates never touch it).
CREATE INDEX jobs_tenant_idx ON jobs (tenant, id);
-- Unique jobs: one unfinished job per (tenant, queue, unique_key).
CREATE UNIQUE INDEX jobs_unique_idx ON jobs (tenant, queue, unique_key)
  WHERE unique_key IS NOT NULL AND status IN ('scheduled', 'queued', 'running', 'retrying');

CREATE TABLE queues (
  name            TEXT    PRIMARY KEY,
  paused          INTEGER NOT NULL DEFAULT 0,
  concurrency     INTEGER CHECK (concurrency IS NULL OR concurrency >= 1),
  timeout_ms      INTEGER CHECK (timeout_ms IS NULL OR timeout_ms > 0),
  max_attempts    INTEGER CHECK (max_attempts IS NULL OR max_attempts >= 1),
  backoff_base_ms INTEGER CHECK (backoff_base_ms IS NULL OR backoff_base_ms >= 0),
  backoff_cap_ms  INTEGER CHECK (backoff_cap_ms IS NULL OR backoff_cap_ms >= 0),
  updated_at      INTEGER NOT NULL
);
