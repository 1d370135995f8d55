/**
 * Named PostgreSQL statements of job logs (the same names as SQLite's). Lines of one job are
 * numbered by `seq` (1, 2, …, never reused); see migration 0015.
 */
import type { SqlTemplate } from "./names.js";

/**
 * $1 id, $2 lease_token — the running job's attempt when the token still holds its lease.
 * Divergence: the row is locked (FOR NO KEY UPDATE, which a foreign-key check does not wait
 * for) until the append commits, so appends to one job run one at a time and the next one's
 * `SELECT_LAST_LOG_SEQ` sees this one's lines; SQLite's BEGIN IMMEDIATE already serialises.
 */
export const SELECT_LOG_LEASE: SqlTemplate = (t) => `
SELECT attempt FROM ${t.jobs}
WHERE id = $1::uuid AND lease_token = $2::text
FOR NO KEY UPDATE`;

/** $1 id — the job's newest line number (0 before its first line). */
export const SELECT_LAST_LOG_SEQ: SqlTemplate = (t) => `
SELECT coalesce(max(seq), 0)::int8 AS seq FROM ${t.jobLogs} WHERE job_id = $1::uuid`;

/**
 * $1 id, $2 first_seq, $3 attempt, $4 levels text[], $5 messages text[], $6 ats int8[] — the
 * lines, numbered from `first_seq`. Divergence: three parallel arrays (SQLite: one JSON array).
 */
export const INSERT_LOG_LINES: SqlTemplate = (t) => `
INSERT INTO ${t.jobLogs} (job_id, seq, attempt, level, message, logged_at)
SELECT $1::uuid, $2::int4 + (l.ord - 1)::int4, $3::int4, l.level, l.message, l.at
FROM unnest($4::text[], $5::text[], $6::int8[]) WITH ORDINALITY AS l(level, message, at, ord)`;

/** $1 id, $2 before — drops the job's lines up to `before` (the cap keeps the newest). */
export const DELETE_OLD_LOG_LINES: SqlTemplate = (t) => `
DELETE FROM ${t.jobLogs} WHERE job_id = $1::uuid AND seq <= $2::int8`;

/** $1 id — the job's tenant with its log's newest line number and line count. */
export const SELECT_LOG_SUMMARY: SqlTemplate = (t) => `
SELECT j.tenant AS tenant,
  (SELECT coalesce(max(seq), 0)::int8 FROM ${t.jobLogs} WHERE job_id = j.id) AS last_seq,
  (SELECT count(*)::int8 FROM ${t.jobLogs} WHERE job_id = j.id) AS lines
FROM ${t.jobs} j WHERE j.id = $1::uuid`;

/** $1 id, $2 after, $3 attempt (null: any), $4 limit — lines after `after`, oldest first. */
export const SELECT_LOG_LINES: SqlTemplate = (t) => `
SELECT seq, attempt, level, message, logged_at FROM ${t.jobLogs}
WHERE job_id = $1::uuid AND seq > $2::int8 AND ($3::int4 IS NULL OR attempt = $3::int4)
ORDER BY seq LIMIT $4::int4`;
