/** Named PostgreSQL statements for queue statistics and positions; same names as SQLite's. */
import { allCounts } from "./fragments.js";
import type { SqlTemplate } from "./names.js";

/**
 * $1 tenant (null: all) — job counts per queue and state, from the maintained counts
 * (O(tenants × queues) rows, never the jobs table).
 */
export const COUNT_BY_QUEUE_AND_STATE: SqlTemplate = (t) => `
SELECT queue, status, sum(n)::int AS n FROM (${allCounts(t)}) AS counts
WHERE $1::text IS NULL OR tenant = $1::text
GROUP BY queue, status
HAVING sum(n) <> 0`;

/**
 * Moves every delta into the base counts, in one statement (so in one transaction): a reader
 * sees each delta exactly once. Racing folders are safe: a row deleted by another folder's
 * committed DELETE is skipped, and the base rows' upsert waits for the other's row locks.
 */
export const FOLD_JOB_COUNTS: SqlTemplate = (t) => `
WITH folded AS (
  DELETE FROM ${t.jobCountDeltas} RETURNING tenant, queue, status, n
), sums AS (
  SELECT tenant, queue, status, sum(n) AS n FROM folded GROUP BY tenant, queue, status
), merged AS (
  INSERT INTO ${t.jobCounts} AS c (tenant, queue, status, n)
  SELECT tenant, queue, status, n FROM sums WHERE n <> 0
  ON CONFLICT (tenant, queue, status) DO UPDATE SET n = c.n + excluded.n
  RETURNING 1
)
SELECT (SELECT count(*) FROM folded)::int AS folded, (SELECT count(*) FROM merged)::int AS merged`;

/**
 * $1 since, $2 tenant (null: all), $3 limit — wait and run times of the newest completions
 * (newest first): a range of jobs_finished_idx in completed_at order, at most $3 rows however
 * many jobs are retained.
 */
export const SELECT_RECENT_DURATIONS: SqlTemplate = (t) => `
SELECT queue, started_at - run_at AS wait_ms, completed_at - started_at AS run_ms
FROM ${t.jobs}
WHERE status = 'completed' AND completed_at >= $1::bigint
  AND ($2::text IS NULL OR tenant = $2::text)
ORDER BY completed_at DESC LIMIT $3::int`;

/**
 * $1 since, $2 tenant (null: all) — jobs completed since $1, per queue: the time range of
 * jobs_finished_idx (the last minute's completions only).
 */
export const COUNT_COMPLETED_SINCE: SqlTemplate = (t) => `
SELECT queue, count(*)::int AS n FROM ${t.jobs}
WHERE status = 'completed' AND completed_at >= $1::bigint
  AND ($2::text IS NULL OR tenant = $2::text)
GROUP BY queue`;

/**
 * $1 queue, $2 priority, $3 run_at, $4 id, $5 limit, $6 tenant (null: all) — queued jobs ahead of
 * a job in claim order, among the next $5 of the queue (a bounded index range), counting only
 * $6's.
 */
export const COUNT_AHEAD: SqlTemplate = (t) => `
SELECT count(*)::int AS n FROM (
  SELECT tenant FROM ${t.jobs}
  WHERE status = 'queued' AND queue = $1::text
    AND (priority > $2::int OR (priority = $2::int
      AND (run_at < $3::bigint OR (run_at = $3::bigint AND id < $4::uuid))))
  LIMIT $5::int) AS ahead
WHERE $6::text IS NULL OR ahead.tenant = $6::text`;

/**
 * $1 schema, $2 table names — live and dead row versions, and rows modified since the last
 * ANALYZE, from the statistics system (counted whether or not autovacuum runs). A table's
 * versions include its TOAST table's, which a VACUUM of the table reclaims too: `job_events`
 * keeps each batch's arrays there (migration 0020), so pruning a few thousand rows leaves
 * hundreds of thousands of dead chunks. PostgreSQL only.
 */
export const SELECT_TABLE_HEALTH: SqlTemplate = () => `
SELECT s.relname AS table, s.n_live_tup + coalesce(toast.n_live_tup, 0) AS live,
  s.n_dead_tup + coalesce(toast.n_dead_tup, 0) AS dead, s.n_mod_since_analyze AS modified
FROM pg_stat_user_tables AS s
JOIN pg_class AS c ON c.oid = s.relid
LEFT JOIN pg_stat_all_tables AS toast ON toast.relid = c.reltoastrelid
WHERE s.schemaname = $1::text AND s.relname = ANY ($2::text[])
ORDER BY s.relname`;

/** $1 lock key — the vacuumer's session lock, without waiting. PostgreSQL only. */
export const TRY_LOCK_VACUUM: SqlTemplate = () =>
  `SELECT pg_try_advisory_lock($1::bigint) AS locked`;

/** $1 lock key. PostgreSQL only. */
export const UNLOCK_VACUUM: SqlTemplate = () => `SELECT pg_advisory_unlock($1::bigint)`;

/**
 * $1 queue — run_at of the oldest queued job. A skip scan of jobs_claim_idx (queue, priority
 * DESC, run_at, id): one seek per distinct priority finds the next priority, one more its
 * earliest run_at, so the cost is (priorities in the queue) × log(jobs), whatever the backlog.
 */
export const OLDEST_QUEUED_RUN_AT: SqlTemplate = (t) => `
WITH RECURSIVE levels(priority) AS (
  SELECT (SELECT priority FROM ${t.jobs}
          WHERE status = 'queued' AND queue = $1::text ORDER BY priority DESC LIMIT 1)
  UNION ALL
  SELECT (SELECT priority FROM ${t.jobs}
          WHERE status = 'queued' AND queue = $1::text AND priority < levels.priority
          ORDER BY priority DESC LIMIT 1)
  FROM levels WHERE levels.priority IS NOT NULL
)
SELECT min((SELECT run_at FROM ${t.jobs}
            WHERE status = 'queued' AND queue = $1::text AND priority = levels.priority
            ORDER BY run_at LIMIT 1))::text AS run_at
FROM levels WHERE levels.priority IS NOT NULL`;
