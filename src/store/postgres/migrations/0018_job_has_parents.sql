-- Version 18 (PostgreSQL): whether a job names parents (`dependsOn`), set when its dependencies
-- are written and returned by claims, so a worker reads `ctx.parents` only for jobs that have
-- some: the read cost a round trip per claimed batch (issue 15). Mirrors SQLite's 0015. A
-- constant default adds the column without rewriting the table.
ALTER TABLE jobs ADD COLUMN has_parents BOOLEAN NOT NULL DEFAULT false;
UPDATE jobs SET has_parents = true WHERE id IN (SELECT job_id FROM job_dependencies);
