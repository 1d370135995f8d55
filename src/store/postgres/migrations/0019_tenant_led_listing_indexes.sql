-- Version 19 (PostgreSQL only): three listing indexes instead of seven (issue 15).
--
-- A completion writes a new row version, which takes an entry in every index whose predicate it
-- matches: before this migration the primary key, jobs_finished_idx and seven listing indexes,
-- and each listing index cost about 10 ms of database CPU per 1,000 jobs of a deep-backlog drain
-- (measured: 172 ms with all seven, 103 ms with none). The four without a leading tenant go:
-- a tenant's listing reads (tenant, status, id) one state at a time, and an operator's listing
-- across tenants reads each tenant's range, the tenants found by a loose index scan
-- (postgres/job-listing.ts). What stays holds no running jobs (migration 0017).
DROP INDEX jobs_tenant_idx;
DROP INDEX jobs_status_idx;
DROP INDEX jobs_queue_idx;
DROP INDEX jobs_type_idx;
