-- Version 17 (PostgreSQL only): the listing indexes no longer hold running jobs (issue 15).
--
-- A claim (queued → running) and a completion (running → completed) each write a new row
-- version, and PostgreSQL adds an entry for it to every index whose predicate it matches:
-- before this migration, to the seven full listing indexes of migrations 0001 and 0009 at both
-- steps. Those entries were half of the database's CPU per job on a deep-backlog drain (194 →
-- 103 ms per 1,000 jobs with them dropped). Running jobs are few — at most the workers'
-- concurrency — so the listing reads them from jobs_running_idx instead and merges them in
-- (postgres/job-queries.ts), and the claim adds entries to jobs_pkey and jobs_running_idx only.
DROP INDEX jobs_tenant_idx;
DROP INDEX jobs_status_idx;
DROP INDEX jobs_tenant_status_idx;
DROP INDEX jobs_queue_idx;
DROP INDEX jobs_tenant_queue_idx;
DROP INDEX jobs_type_idx;
DROP INDEX jobs_tenant_type_idx;
CREATE INDEX jobs_tenant_idx ON jobs (tenant, id) WHERE status <> 'running';
CREATE INDEX jobs_status_idx ON jobs (status, id) WHERE status <> 'running';
CREATE INDEX jobs_tenant_status_idx ON jobs (tenant, status, id) WHERE status <> 'running';
CREATE INDEX jobs_queue_idx ON jobs (queue, id) WHERE status <> 'running';
CREATE INDEX jobs_tenant_queue_idx ON jobs (tenant, queue, id) WHERE status <> 'running';
CREATE INDEX jobs_type_idx ON jobs (type, id) WHERE status <> 'running';
CREATE INDEX jobs_tenant_type_idx ON jobs (tenant, type, id) WHERE status <> 'running';
