/** Named SQLite statements for queue statistics and positions. */

/**
 * @tenant (null: all) — job counts per queue and state, from the maintained counts
 * (O(tenants × queues) rows, never the jobs table).
 */
export const COUNT_BY_QUEUE_AND_STATE = `
SELECT queue, status, sum(n) AS n FROM job_counts
WHERE @tenant IS NULL OR tenant = @tenant
GROUP BY queue, status
HAVING sum(n) <> 0`;

/**
 * @since @tenant @limit — wait and run times of the newest completions (newest first): a
 * range of jobs_finished_idx in completed_at order, at most @limit rows however many jobs
 * are retained.
 */
export const SELECT_RECENT_DURATIONS = `
SELECT queue, started_at - run_at AS wait_ms, completed_at - started_at AS run_ms
FROM jobs
WHERE status = 'completed' AND completed_at >= @since AND (@tenant IS NULL OR tenant = @tenant)
ORDER BY completed_at DESC LIMIT @limit`;

/**
 * @since @tenant — jobs completed since @since, per queue: the time range of
 * jobs_finished_idx (the last minute's completions only).
 */
export const COUNT_COMPLETED_SINCE = `
SELECT queue, count(*) AS n FROM jobs
WHERE status = 'completed' AND completed_at >= @since AND (@tenant IS NULL OR tenant = @tenant)
GROUP BY queue`;

/**
 * @queue @priority @run_at @id @limit @tenant (null: all) — queued jobs ahead of a job in claim
 * order, among the next @limit of the queue (a bounded index range), counting only @tenant's.
 */
export const COUNT_AHEAD = `
SELECT count(*) FROM (
  SELECT tenant FROM jobs
  WHERE status = 'queued' AND queue = @queue
    AND (priority > @priority OR (priority = @priority AND (run_at < @run_at OR (run_at = @run_at AND id < @id))))
  LIMIT @limit)
WHERE @tenant IS NULL OR tenant = @tenant`;

/**
 * @queue — run_at of the oldest queued job. A skip scan of jobs_claim_idx (queue, priority DESC,
 * run_at, id): one seek per distinct priority finds the next priority, one more its earliest
 * run_at, so the cost is (priorities in the queue) × log(jobs), whatever the backlog.
 */
export const OLDEST_QUEUED_RUN_AT = `
WITH RECURSIVE levels(priority) AS (
  SELECT (SELECT priority FROM jobs INDEXED BY jobs_claim_idx
          WHERE status = 'queued' AND queue = @queue ORDER BY priority DESC LIMIT 1)
  UNION ALL
  SELECT (SELECT priority FROM jobs INDEXED BY jobs_claim_idx
          WHERE status = 'queued' AND queue = @queue AND priority < levels.priority
          ORDER BY priority DESC LIMIT 1)
  FROM levels WHERE levels.priority IS NOT NULL
)
SELECT min((SELECT run_at FROM jobs INDEXED BY jobs_claim_idx
            WHERE status = 'queued' AND queue = @queue AND priority = levels.priority
            ORDER BY run_at LIMIT 1)) AS run_at
FROM levels WHERE levels.priority IS NOT NULL`;
