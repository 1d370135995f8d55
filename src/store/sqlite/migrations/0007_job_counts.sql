-- Version 7: job counts by (tenant, queue, state), kept exact by triggers in the same
-- transaction as every change of a job's state, so that /stats, /queues, /metrics and the
-- dashboard read O(tenants × queues) rows instead of counting the jobs table.
--
-- Triggers rather than statements in each write path: every transition (submit, claim,
-- complete, fail, cancel, retry, rescue, promote, release, prune — and any added later) is
-- counted without its code having to remember to. SQLite has one writer at a time, so a
-- counter row is never contended; the cost is one small B-tree update per changed row
-- (docs/benchmarks.md). Rows that drop to 0 are kept (readers skip them): deleting them would
-- cost a statement per change for nothing.

CREATE TABLE job_counts (
  tenant TEXT    NOT NULL,
  queue  TEXT    NOT NULL,
  status TEXT    NOT NULL,
  n      INTEGER NOT NULL,
  PRIMARY KEY (tenant, queue, status)
) WITHOUT ROWID;

INSERT INTO job_counts (tenant, queue, status, n)
SELECT tenant, queue, status, count(*) FROM jobs GROUP BY tenant, queue, status;

CREATE TRIGGER job_counts_insert AFTER INSERT ON jobs BEGIN
  INSERT INTO job_counts (tenant, queue, status, n) VALUES (NEW.tenant, NEW.queue, NEW.status, 1)
  ON CONFLICT (tenant, queue, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER job_counts_delete AFTER DELETE ON jobs BEGIN
  UPDATE job_counts SET n = n - 1
  WHERE tenant = OLD.tenant AND queue = OLD.queue AND status = OLD.status;
END;

-- Only updates that move a job between counters; lease renewals and progress never fire it.
CREATE TRIGGER job_counts_update AFTER UPDATE OF status, tenant, queue ON jobs
WHEN OLD.status IS NOT NEW.status OR OLD.tenant IS NOT NEW.tenant OR OLD.queue IS NOT NEW.queue
BEGIN
  UPDATE job_counts SET n = n - 1
  WHERE tenant = OLD.tenant AND queue = OLD.queue AND status = OLD.status;
  INSERT INTO job_counts (tenant, queue, status, n) VALUES (NEW.tenant, NEW.queue, NEW.status, 1)
  ON CONFLICT (tenant, queue, status) DO UPDATE SET n = n + 1;
END;

-- Indexes for every filter of GET /jobs (newest first by id), with and without a tenant, so a
-- page is an index range read however many jobs are retained.
CREATE INDEX jobs_status_idx ON jobs (status, id);
CREATE INDEX jobs_tenant_status_idx ON jobs (tenant, status, id);
CREATE INDEX jobs_queue_idx ON jobs (queue, id);
CREATE INDEX jobs_tenant_queue_idx ON jobs (tenant, queue, id);
CREATE INDEX jobs_type_idx ON jobs (type, id);
CREATE INDEX jobs_tenant_type_idx ON jobs (tenant, type, id);

-- Tags are a JSON array in jobs.tags, which no index can look into; this table lists each tag
-- of each job (tags never change after submission), so a tag filter reads its own jobs only.
CREATE TABLE job_tags (
  tag    TEXT NOT NULL,
  job_id TEXT NOT NULL,
  PRIMARY KEY (tag, job_id)
) WITHOUT ROWID;

INSERT OR IGNORE INTO job_tags (tag, job_id)
SELECT t.value, jobs.id FROM jobs, json_each(jobs.tags) AS t WHERE jobs.tags <> '[]';

CREATE TRIGGER job_tags_insert AFTER INSERT ON jobs WHEN NEW.tags <> '[]' BEGIN
  INSERT OR IGNORE INTO job_tags (tag, job_id) SELECT value, NEW.id FROM json_each(NEW.tags);
END;

CREATE TRIGGER job_tags_delete AFTER DELETE ON jobs WHEN OLD.tags <> '[]' BEGIN
  DELETE FROM job_tags WHERE job_id = OLD.id AND tag IN (SELECT value FROM json_each(OLD.tags));
END;

-- Bounded claims: a claim promotes at most the due jobs it can take, oldest due first, of its
-- own queue; this index finds them without walking other queues' due jobs.
CREATE INDEX jobs_due_queue_idx ON jobs (queue, run_at) WHERE status IN ('scheduled', 'retrying');
