-- Version 11 (PostgreSQL): traffic control in the claim (SPEC §7); mirrors SQLite's 0009
-- (docs/design.md "Traffic control"). The trigger function that keeps ready_tenants and the
-- fair-claim function are routines (sql/ready-tenants.ts, sql/fair-claim-function.ts), applied
-- by checksum after the migrations like claim_jobs.
--
-- Queue rate limits: at most rate_limit starts per rate_period_ms, a token bucket kept as one
-- GCRA timestamp (rate_tat), moved by each claim under the queue row's lock. Keyed
-- concurrency: at most key_concurrency running jobs per concurrency_key in the queue.
ALTER TABLE queues
  ADD COLUMN rate_limit INTEGER CHECK (rate_limit IS NULL OR rate_limit >= 1),
  ADD COLUMN rate_period_ms BIGINT CHECK (rate_period_ms IS NULL OR rate_period_ms >= 1),
  ADD COLUMN rate_tat DOUBLE PRECISION,
  ADD COLUMN key_concurrency INTEGER CHECK (key_concurrency IS NULL OR key_concurrency >= 1);

ALTER TABLE jobs ADD COLUMN concurrency_key TEXT;
CREATE INDEX jobs_running_key_idx ON jobs (queue, concurrency_key)
  WHERE status = 'running' AND concurrency_key IS NOT NULL;

-- Fair scheduling by tenant: one row per (queue, tenant) that may have queued jobs, with its
-- stride-scheduling pass (see SQLite's 0009 for the algorithm; sql/ready-tenants.ts for how the
-- rows are added and removed without a race between submissions and claims).
CREATE TABLE ready_tenants (
  queue  TEXT             NOT NULL,
  tenant TEXT             NOT NULL,
  pass   DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (queue, tenant)
);
CREATE INDEX ready_tenants_pass_idx ON ready_tenants (queue, pass, tenant);
CREATE INDEX jobs_claim_tenant_idx ON jobs (queue, tenant, priority DESC, run_at, id)
  WHERE status = 'queued';

INSERT INTO ready_tenants (queue, tenant, pass)
SELECT DISTINCT queue, tenant, 0 FROM jobs WHERE status = 'queued';
