/**
 * Named SQLite statements for dependencies and batches (migration 0012). The PostgreSQL store
 * uses the same names (postgres/sql/flows.ts). `@hold` is core/flows.ts DEPENDENCY_HOLD_RUN_AT.
 */

const FINAL = "('completed', 'failed', 'cancelled')";

/** @ids (JSON array) — tenant and state of the named jobs. */
export const SELECT_JOB_TENANTS = `
SELECT id, tenant, status FROM jobs WHERE id IN (SELECT value FROM json_each(@ids))`;

/** @job_id @position @parent_id */
export const INSERT_DEPENDENCY = `
INSERT INTO job_dependencies (job_id, position, parent_id) VALUES (@job_id, @position, @parent_id)`;

/** @job_id — the job names parents: claims say so, and workers read its `ctx.parents`. */
export const MARK_HAS_PARENTS = `UPDATE jobs SET has_parents = 1 WHERE id = @job_id`;

/** @job_id @tenant @now */
export const INSERT_DEPENDENCY_WAIT = `
INSERT OR IGNORE INTO job_dependency_waits (job_id, tenant, created_at) VALUES (@job_id, @tenant, @now)`;

/** @id @tenant @total @on_complete @now */
export const INSERT_BATCH = `
INSERT INTO batches (id, tenant, total, on_complete, created_at)
VALUES (@id, @tenant, @total, @on_complete, @now)`;

/** @batch_id @job_id */
export const INSERT_BATCH_JOB = `
INSERT OR IGNORE INTO batch_jobs (batch_id, job_id) VALUES (@batch_id, @job_id)`;

/**
 * @hold @limit — held jobs the resolver can act on: all parents completed, a parent final but
 * not completed (or pruned), or the child itself no longer held (cancelled by hand, pruned).
 * Reads only the waits and their edges (never the whole jobs table).
 */
export const SELECT_RESOLVABLE_WAITS = `
SELECT w.job_id AS job_id, c.id AS child_id, c.status AS child_status, c.run_at AS child_run_at,
  count(d.parent_id) AS total,
  sum(CASE WHEN p.status = 'completed' THEN 1 ELSE 0 END) AS completed,
  min(CASE WHEN p.id IS NULL OR p.status IN ('failed', 'cancelled') THEN d.parent_id END)
    AS failed_parent
FROM job_dependency_waits w
LEFT JOIN jobs c ON c.id = w.job_id
LEFT JOIN job_dependencies d ON d.job_id = w.job_id
LEFT JOIN jobs p ON p.id = d.parent_id
GROUP BY w.job_id
HAVING child_id IS NULL OR NOT (child_status = 'scheduled' AND child_run_at = @hold)
  OR completed = total OR failed_parent IS NOT NULL
LIMIT @limit`;

/** @id @now @hold — a held job whose parents all completed becomes queued. */
export const RELEASE_HELD_JOB = `
UPDATE jobs SET status = 'queued', run_at = @now, updated_at = @now
WHERE id = @id AND status = 'scheduled' AND run_at = @hold
RETURNING id, tenant, queue, type, status, attempt`;

/** @id @now @hold @error — a held job whose parent failed ends cancelled (DependencyFailed). */
export const CANCEL_HELD_JOB = `
UPDATE jobs SET status = 'cancelled', completed_at = @now, updated_at = @now, error = @error
WHERE id = @id AND status = 'scheduled' AND run_at = @hold
RETURNING id, tenant, queue, type, status, attempt`;

/** @job_id */
export const DELETE_DEPENDENCY_WAIT = `DELETE FROM job_dependency_waits WHERE job_id = @job_id`;

/** @limit — unfinished batches whose jobs are all final (pruned members count as final). */
export const SELECT_FINISHABLE_BATCHES = `
SELECT id, tenant, on_complete FROM batches b
WHERE finished_at IS NULL AND NOT EXISTS (
  SELECT 1 FROM batch_jobs bj JOIN jobs j ON j.id = bj.job_id
  WHERE bj.batch_id = b.id AND j.status NOT IN ${FINAL})
ORDER BY created_at LIMIT @limit`;

/**
 * @id @now @job_id — marks a batch finished; changes nothing when it already is, so only the
 * transaction that changed the row inserts the on_complete job.
 */
export const FINISH_BATCH = `
UPDATE batches SET finished_at = @now, on_complete_job_id = @job_id
WHERE id = @id AND finished_at IS NULL`;

/** @ids (JSON array) — the parents of each job, in order, with their outcome. */
export const SELECT_PARENT_RESULTS = `
SELECT d.job_id AS job_id, d.parent_id AS parent_id, p.type AS type, p.status AS status,
  p.result AS result
FROM job_dependencies d LEFT JOIN jobs p ON p.id = d.parent_id
WHERE d.job_id IN (SELECT value FROM json_each(@ids))
ORDER BY d.job_id, d.position`;

/** @id — the parents of one job, in order, with their state (null when pruned). */
export const SELECT_JOB_PARENTS = `
SELECT d.parent_id AS parent_id, p.status AS status
FROM job_dependencies d LEFT JOIN jobs p ON p.id = d.parent_id
WHERE d.job_id = @id ORDER BY d.position`;

/** @id */
export const SELECT_JOB_BATCH = `SELECT batch_id FROM batch_jobs WHERE job_id = @id LIMIT 1`;

/** @id — whether the job is still held. */
export const SELECT_DEPENDENCY_WAIT = `SELECT 1 FROM job_dependency_waits WHERE job_id = @id`;

/** @id */
export const SELECT_BATCH = `SELECT * FROM batches WHERE id = @id`;

/** @id — a batch's jobs by state. */
export const COUNT_BATCH_JOBS = `
SELECT j.status AS status, count(*) AS n FROM batch_jobs bj JOIN jobs j ON j.id = bj.job_id
WHERE bj.batch_id = @id GROUP BY j.status`;
