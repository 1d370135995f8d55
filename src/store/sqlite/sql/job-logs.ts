/**
 * Named SQLite statements of job logs (the same names as PostgreSQL's). Lines of one job are
 * numbered by `seq` (1, 2, …, never reused); see migration 0013.
 */

/** @id @lease_token — the running job's attempt when the token still holds its lease. */
export const SELECT_LOG_LEASE = `
SELECT attempt FROM jobs WHERE id = @id AND status = 'running' AND lease_token = @lease_token`;

/** @id — the job's newest line number (0 before its first line). */
export const SELECT_LAST_LOG_SEQ = `
SELECT coalesce(max(seq), 0) FROM job_logs WHERE job_id = @id`;

/**
 * @id @first_seq @attempt @lines (JSON array of {level, message, at}) — the lines, numbered
 * from `first_seq`. Divergence: the lines travel as one JSON array (PostgreSQL: three arrays).
 */
export const INSERT_LOG_LINES = `
INSERT INTO job_logs (job_id, seq, attempt, level, message, logged_at)
SELECT @id, @first_seq + key, @attempt, value ->> '$.level', value ->> '$.message',
  value ->> '$.at'
FROM json_each(@lines)`;

/** @id @before — drops the job's lines up to `before` (the cap keeps the newest). */
export const DELETE_OLD_LOG_LINES = `
DELETE FROM job_logs WHERE job_id = @id AND seq <= @before`;

/** @id — the job's tenant with its log's newest line number and line count. */
export const SELECT_LOG_SUMMARY = `
SELECT j.tenant AS tenant,
  (SELECT coalesce(max(seq), 0) FROM job_logs WHERE job_id = j.id) AS last_seq,
  (SELECT count(*) FROM job_logs WHERE job_id = j.id) AS lines
FROM jobs j WHERE j.id = @id`;

/** @id @after @attempt (null: any) @limit — lines after `after`, oldest first. */
export const SELECT_LOG_LINES = `
SELECT seq, attempt, level, message, logged_at FROM job_logs
WHERE job_id = @id AND seq > @after AND (@attempt IS NULL OR attempt = @attempt)
ORDER BY seq LIMIT @limit`;
