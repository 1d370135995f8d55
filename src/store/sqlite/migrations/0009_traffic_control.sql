-- Version 9: traffic control in the claim (SPEC §7; docs/design.md "Traffic control").
--
-- Queue rate limits: at most rate_limit starts per rate_period_ms, a token bucket kept as one
-- GCRA timestamp (rate_tat: when the bucket would be full again), moved by each claim inside
-- its transaction. Keyed concurrency: at most key_concurrency running jobs per concurrency_key
-- in the queue, counted through jobs_running_key_idx.
ALTER TABLE queues ADD COLUMN rate_limit INTEGER CHECK (rate_limit IS NULL OR rate_limit >= 1);
ALTER TABLE queues ADD COLUMN rate_period_ms INTEGER
  CHECK (rate_period_ms IS NULL OR rate_period_ms >= 1);
ALTER TABLE queues ADD COLUMN rate_tat REAL;
ALTER TABLE queues ADD COLUMN key_concurrency INTEGER
  CHECK (key_concurrency IS NULL OR key_concurrency >= 1);

ALTER TABLE jobs ADD COLUMN concurrency_key TEXT;
CREATE INDEX jobs_running_key_idx ON jobs (queue, concurrency_key)
  WHERE status = 'running' AND concurrency_key IS NOT NULL;

-- Fair scheduling by tenant: one row per (queue, tenant) that may have queued jobs, with its
-- stride-scheduling pass. A claim of a queue with two or more ready tenants reads the lowest
-- passes and probes each of those tenants' next jobs through jobs_claim_tenant_idx; it deletes a
-- tenant's row once the tenant has no queued job left. The triggers add the row when a job of a
-- tenant without one becomes queued (submitted, promoted, retried, released), at the lowest
-- pass already in the queue (its virtual time). SQLite has one writer: the check and the insert
-- cannot race a claim.
CREATE TABLE ready_tenants (
  queue  TEXT NOT NULL,
  tenant TEXT NOT NULL,
  pass   REAL NOT NULL,
  PRIMARY KEY (queue, tenant)
) WITHOUT ROWID;
CREATE INDEX ready_tenants_pass_idx ON ready_tenants (queue, pass, tenant);
CREATE INDEX jobs_claim_tenant_idx ON jobs (queue, tenant, priority DESC, run_at, id)
  WHERE status = 'queued';

INSERT INTO ready_tenants (queue, tenant, pass)
SELECT DISTINCT queue, tenant, 0 FROM jobs WHERE status = 'queued';

CREATE TRIGGER ready_tenants_insert AFTER INSERT ON jobs
WHEN NEW.status = 'queued'
  AND NOT EXISTS (SELECT 1 FROM ready_tenants WHERE queue = NEW.queue AND tenant = NEW.tenant)
BEGIN
  INSERT INTO ready_tenants (queue, tenant, pass)
  VALUES (NEW.queue, NEW.tenant,
    COALESCE((SELECT min(pass) FROM ready_tenants WHERE queue = NEW.queue), 0));
END;

CREATE TRIGGER ready_tenants_update AFTER UPDATE OF status ON jobs
WHEN NEW.status = 'queued' AND OLD.status <> 'queued'
  AND NOT EXISTS (SELECT 1 FROM ready_tenants WHERE queue = NEW.queue AND tenant = NEW.tenant)
BEGIN
  INSERT INTO ready_tenants (queue, tenant, pass)
  VALUES (NEW.queue, NEW.tenant,
    COALESCE((SELECT min(pass) FROM ready_tenants WHERE queue = NEW.queue), 0));
END;
