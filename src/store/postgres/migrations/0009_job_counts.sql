-- Version 9 (PostgreSQL): job counts by (tenant, queue, state) kept exact in the same
-- transaction as every change of a job's state; mirrors SQLite's 0007 (same readers, same
-- answers), with a different write side, because PostgreSQL has many concurrent writers.
--
-- One counter row per (tenant, queue, state) updated in place would serialize every worker
-- completing jobs of one queue on that row's lock until commit. Instead each statement that
-- changes jobs appends its net change per (tenant, queue, state) to `job_count_deltas`
-- (statement-level triggers with transition tables: a claim or a batch of completions adds a
-- row or two, not one per job); an append never waits for anyone. Readers sum `job_counts`
-- and the deltas (one snapshot: exact); the counter folder (maintenance) moves the deltas into
-- `job_counts` in one transaction, so a reader sees each delta exactly once, before or after.
-- Transition tables forbid column lists (`UPDATE OF status`), so the update trigger sees every
-- update and writes only nonzero net changes (a lease renewal writes nothing).

CREATE TABLE job_counts (
  tenant TEXT   NOT NULL,
  queue  TEXT   NOT NULL,
  status TEXT   NOT NULL,
  n      BIGINT NOT NULL,
  PRIMARY KEY (tenant, queue, status)
);

-- Append-only between folds; no index (readers read all of it, the folder deletes all of it).
CREATE TABLE job_count_deltas (
  tenant TEXT   NOT NULL,
  queue  TEXT   NOT NULL,
  status TEXT   NOT NULL,
  n      BIGINT NOT NULL
);

INSERT INTO job_counts (tenant, queue, status, n)
SELECT tenant, queue, status, count(*) FROM jobs GROUP BY tenant, queue, status;

CREATE FUNCTION job_counts_inserted() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO job_count_deltas (tenant, queue, status, n)
  SELECT tenant, queue, status, count(*) FROM new_rows GROUP BY tenant, queue, status;
  RETURN NULL;
END
$$;

CREATE FUNCTION job_counts_deleted() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO job_count_deltas (tenant, queue, status, n)
  SELECT tenant, queue, status, -count(*) FROM old_rows GROUP BY tenant, queue, status;
  RETURN NULL;
END
$$;

CREATE FUNCTION job_counts_updated() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO job_count_deltas (tenant, queue, status, n)
  SELECT tenant, queue, status, sum(d) FROM (
    SELECT tenant, queue, status, 1 AS d FROM new_rows
    UNION ALL
    SELECT tenant, queue, status, -1 AS d FROM old_rows
  ) AS changes
  GROUP BY tenant, queue, status
  HAVING sum(d) <> 0;
  RETURN NULL;
END
$$;

CREATE TRIGGER job_counts_insert AFTER INSERT ON jobs
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION job_counts_inserted();
CREATE TRIGGER job_counts_delete AFTER DELETE ON jobs
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION job_counts_deleted();
CREATE TRIGGER job_counts_update AFTER UPDATE ON jobs
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION job_counts_updated();

-- Recounts from the jobs table (after a bulk load with triggers disabled, or to check the
-- counters). Locks jobs against writes meanwhile, so that no delta lands between the two steps.
CREATE FUNCTION recount_jobs() RETURNS void LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  LOCK TABLE jobs IN SHARE MODE;
  LOCK TABLE job_count_deltas IN EXCLUSIVE MODE;
  DELETE FROM job_count_deltas;
  DELETE FROM job_counts;
  INSERT INTO job_counts (tenant, queue, status, n)
  SELECT tenant, queue, status, count(*) FROM jobs GROUP BY tenant, queue, status;
END
$$;

-- Indexes for every filter of GET /jobs (newest first by id), with and without a tenant, so a
-- page is an index range read however many jobs are retained. Tags use jobs_tags_idx (0001).
CREATE INDEX jobs_status_idx ON jobs (status, id);
CREATE INDEX jobs_tenant_status_idx ON jobs (tenant, status, id);
CREATE INDEX jobs_queue_idx ON jobs (queue, id);
CREATE INDEX jobs_tenant_queue_idx ON jobs (tenant, queue, id);
CREATE INDEX jobs_type_idx ON jobs (type, id);
CREATE INDEX jobs_tenant_type_idx ON jobs (tenant, type, id);

-- Bounded claims: a claim promotes at most the due jobs it can take, oldest due first, of its
-- own queue (claim-function.ts); this index finds them without walking other queues' due jobs.
CREATE INDEX jobs_due_queue_idx ON jobs (queue, run_at) WHERE status IN ('scheduled', 'retrying');
