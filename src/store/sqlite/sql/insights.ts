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

/** @queue @priority @run_at @id @limit — queued jobs ahead of a job in claim order, at most @limit. */
export const COUNT_AHEAD = `
SELECT count(*) FROM (
  SELECT 1 FROM jobs
  WHERE status = 'queued' AND queue = @queue
    AND (priority > @priority OR (priority = @priority AND (run_at < @run_at OR (run_at = @run_at AND id < @id))))
  LIMIT @limit)`;
