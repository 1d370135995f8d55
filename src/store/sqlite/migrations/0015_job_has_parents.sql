-- Version 15 (SQLite): whether a job names parents (`dependsOn`), set when its dependencies are
-- written and returned by claims, so a worker reads `ctx.parents` only for jobs that have some
-- (issue 15: the read cost a round trip per claimed batch on PostgreSQL). Mirrors PostgreSQL's
-- 0018. Existing jobs with dependencies are marked from job_dependencies.
ALTER TABLE jobs ADD COLUMN has_parents INTEGER NOT NULL DEFAULT 0;
UPDATE jobs SET has_parents = 1 WHERE id IN (SELECT job_id FROM job_dependencies);
