/**
 * Named PostgreSQL statements for dependencies and batches (migration 0014), under the names of
 * the SQLite statements (sqlite/sql/flows.ts). Divergences: lists travel as arrays (`unnest`)
 * instead of one statement per row, and releases/cancellations log their events and send their
 * wake-ups in the same statement (fragments.ts).
 */
import { logEvents, notifyDistinctQueues } from "./fragments.js";
import type { SqlTemplate } from "./names.js";

const FINAL = "('completed', 'failed', 'cancelled')";

/**
 * $1 ids uuid[] — tenant and state of the named jobs. Divergence: FOR KEY SHARE keeps them from
 * being pruned (deleted) before the submitting transaction commits its edges.
 */
export const SELECT_JOB_TENANTS: SqlTemplate = (t) => `
SELECT id, tenant, status FROM ${t.jobs} WHERE id = ANY($1::uuid[]) FOR KEY SHARE`;

/**
 * $1 job ids, $2 positions, $3 parent ids — the edges, and each child marked as having parents
 * (claims say so, and workers read `ctx.parents` only then). Divergence: one statement for every
 * edge.
 */
export const INSERT_DEPENDENCY: SqlTemplate = (t) => `
WITH edges AS (
  INSERT INTO ${t.jobDependencies} (job_id, position, parent_id)
  SELECT * FROM unnest($1::uuid[], $2::int[], $3::uuid[])
  RETURNING job_id
)
UPDATE ${t.jobs} SET has_parents = true WHERE id IN (SELECT job_id FROM edges)`;

/** $1 job ids, $2 tenants, $3 now. Divergence: one statement for every held job. */
export const INSERT_DEPENDENCY_WAIT: SqlTemplate = (t) => `
INSERT INTO ${t.jobDependencyWaits} (job_id, tenant, created_at)
SELECT job_id, tenant, $3::bigint FROM unnest($1::uuid[], $2::text[]) AS w(job_id, tenant)
ON CONFLICT DO NOTHING`;

/** $1 id, $2 tenant, $3 total, $4 on_complete (JSON text or null), $5 now */
export const INSERT_BATCH: SqlTemplate = (t) => `
INSERT INTO ${t.batches} (id, tenant, total, on_complete, created_at)
VALUES ($1::uuid, $2::text, $3::int, $4::json, $5::bigint)`;

/** $1 batch id, $2 job ids uuid[]. Divergence: one statement for every member. */
export const INSERT_BATCH_JOB: SqlTemplate = (t) => `
INSERT INTO ${t.batchJobs} (batch_id, job_id) SELECT $1::uuid, unnest($2::uuid[])
ON CONFLICT DO NOTHING`;

/** $1 hold, $2 limit — see the SQLite statement of the same name. */
export const SELECT_RESOLVABLE_WAITS: SqlTemplate = (t) => `
SELECT w.job_id, c.id AS child_id, c.status AS child_status, c.run_at AS child_run_at,
  count(d.parent_id)::int AS total,
  count(*) FILTER (WHERE p.status = 'completed')::int AS completed,
  min(d.parent_id::text) FILTER (WHERE p.id IS NULL OR p.status IN ('failed', 'cancelled'))
    AS failed_parent
FROM ${t.jobDependencyWaits} w
LEFT JOIN ${t.jobs} c ON c.id = w.job_id
LEFT JOIN ${t.jobDependencies} d ON d.job_id = w.job_id
LEFT JOIN ${t.jobs} p ON p.id = d.parent_id
GROUP BY w.job_id, c.id
HAVING c.id IS NULL OR NOT (c.status = 'scheduled' AND c.run_at = $1::bigint)
  OR count(*) FILTER (WHERE p.status = 'completed') = count(d.parent_id)
  OR count(*) FILTER (WHERE p.id IS NULL OR p.status IN ('failed', 'cancelled')) > 0
LIMIT $2::int`;

/**
 * $1 ids uuid[], $2 now, $3 hold, $4 channel — held jobs whose parents all completed become
 * queued; logs `job.queued` and wakes their queues. Divergence: many jobs per statement.
 */
export const RELEASE_HELD_JOB: SqlTemplate = (t) => `
WITH released AS (
  UPDATE ${t.jobs} SET status = 'queued', run_at = $2::bigint, updated_at = $2::bigint
  WHERE id = ANY($1::uuid[]) AND status = 'scheduled' AND run_at = $3::bigint
  RETURNING id, tenant, queue, type, status, attempt
), logged AS (
  ${logEvents(
    t,
    `SELECT $2::bigint, 'job.queued', id, tenant, queue, type, status,
    json_build_object('runAt', $2::bigint, 'reason', 'dependencies') FROM released`,
  )}
), notified AS (${notifyDistinctQueues("released", "true", "$4::text")})
SELECT released.* FROM released CROSS JOIN notified`;

/**
 * $1 ids uuid[], $2 errors jsonb[] (one per id), $3 now, $4 hold — held jobs whose parent did
 * not complete end cancelled with their DependencyFailed error; logs `job.cancelled`.
 */
export const CANCEL_HELD_JOB: SqlTemplate = (t) => `
WITH cancelled AS (
  UPDATE ${t.jobs} j SET status = 'cancelled', completed_at = $3::bigint,
    updated_at = $3::bigint, error = u.error
  FROM unnest($1::uuid[], $2::jsonb[]) AS u(id, error)
  WHERE j.id = u.id AND j.status = 'scheduled' AND j.run_at = $4::bigint
  RETURNING j.id, j.tenant, j.queue, j.type, j.status, j.attempt, j.error
), logged AS (
  ${logEvents(
    t,
    `SELECT $3::bigint, 'job.cancelled', id, tenant, queue, type, status,
    json_build_object('error', json_build_object('message', error->>'message',
      'type', error->>'type', 'attempt', (error->>'attempt')::int)) FROM cancelled`,
  )}
)
SELECT id, tenant, queue, type, status, attempt FROM cancelled`;

/** $1 job ids uuid[] */
export const DELETE_DEPENDENCY_WAIT: SqlTemplate = (t) => `
DELETE FROM ${t.jobDependencyWaits} WHERE job_id = ANY($1::uuid[])`;

/** $1 limit — unfinished batches whose jobs are all final (pruned members count as final). */
export const SELECT_FINISHABLE_BATCHES: SqlTemplate = (t) => `
SELECT id, tenant, on_complete FROM ${t.batches} b
WHERE finished_at IS NULL AND NOT EXISTS (
  SELECT 1 FROM ${t.batchJobs} bj JOIN ${t.jobs} j ON j.id = bj.job_id
  WHERE bj.batch_id = b.id AND j.status NOT IN ${FINAL})
ORDER BY created_at LIMIT $1::int`;

/**
 * $1 id, $2 now, $3 on_complete job id or null — marks a batch finished. A racing transaction
 * waits for the row lock, then re-checks `finished_at IS NULL` and changes nothing, so only one
 * transaction ever inserts the on_complete job.
 */
export const FINISH_BATCH: SqlTemplate = (t) => `
UPDATE ${t.batches} SET finished_at = $2::bigint, on_complete_job_id = $3::uuid
WHERE id = $1::uuid AND finished_at IS NULL RETURNING id`;

/** $1 ids uuid[] — the parents of each job, in order, with their outcome. */
export const SELECT_PARENT_RESULTS: SqlTemplate = (t) => `
SELECT d.job_id, d.parent_id, p.type, p.status, p.result
FROM ${t.jobDependencies} d LEFT JOIN ${t.jobs} p ON p.id = d.parent_id
WHERE d.job_id = ANY($1::uuid[])
ORDER BY d.job_id, d.position`;

/** $1 id — the parents of one job with their state, whether it is held, and its batch. */
export const SELECT_JOB_LINKS: SqlTemplate = (t) => `
SELECT
  (SELECT batch_id FROM ${t.batchJobs} WHERE job_id = $1::uuid LIMIT 1) AS batch_id,
  EXISTS (SELECT 1 FROM ${t.jobDependencyWaits} WHERE job_id = $1::uuid) AS held,
  coalesce((SELECT array_agg(d.parent_id::text ORDER BY d.position)
    FROM ${t.jobDependencies} d WHERE d.job_id = $1::uuid), '{}') AS parents,
  (SELECT count(*)::int FROM ${t.jobDependencies} d LEFT JOIN ${t.jobs} p ON p.id = d.parent_id
    WHERE d.job_id = $1::uuid AND p.status IS DISTINCT FROM 'completed') AS unfinished`;

/** $1 id */
export const SELECT_BATCH: SqlTemplate = (t) => `SELECT * FROM ${t.batches} WHERE id = $1::uuid`;

/** $1 id — a batch's jobs by state. */
export const COUNT_BATCH_JOBS: SqlTemplate = (t) => `
SELECT j.status, count(*)::int AS n FROM ${t.batchJobs} bj JOIN ${t.jobs} j ON j.id = bj.job_id
WHERE bj.batch_id = $1::uuid GROUP BY j.status`;
