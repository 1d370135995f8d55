/**
 * Named PostgreSQL statements for traffic control (SPEC §7); same names as
 * src/store/sqlite/sql/traffic.ts. Divergence: the claim-side steps (the token bucket, running
 * counts per key, ready tenants) run inside claim_jobs and claim_fair_candidates
 * (sql/claim-function.ts, sql/fair-claim-function.ts), not as statements of their own.
 */
import type { SqlTemplate } from "./names.js";

/**
 * $1 name, $2 now, $3 set_rate, $4 rate_limit, $5 rate_period_ms, $6 set_key, $7 key_concurrency
 * — the traffic settings of a queue (its row exists: UPSERT_QUEUE ran first). A new or cleared
 * rate limit starts with a full bucket.
 */
export const UPDATE_QUEUE_TRAFFIC: SqlTemplate = (t) => `
UPDATE ${t.queues} SET
  rate_limit = CASE WHEN $3::boolean THEN $4::int ELSE rate_limit END,
  rate_period_ms = CASE WHEN $3::boolean THEN $5::bigint ELSE rate_period_ms END,
  rate_tat = CASE WHEN $3::boolean THEN NULL ELSE rate_tat END,
  key_concurrency = CASE WHEN $6::boolean THEN $7::int ELSE key_concurrency END,
  updated_at = $2::bigint
WHERE name = $1::text
RETURNING *`;

/**
 * $1 queue, $2 key (null: none) — the queue's traffic settings and bucket, and the running jobs
 * of one concurrency key (waiting reasons).
 */
export const SELECT_QUEUE_TRAFFIC: SqlTemplate = (t) => `
SELECT q.rate_limit, q.rate_period_ms, q.rate_tat, q.key_concurrency,
  CASE WHEN q.key_concurrency IS NULL OR $2::text IS NULL THEN 0
  ELSE (SELECT count(*)::int FROM ${t.jobs}
        WHERE status = 'running' AND queue = $1::text AND concurrency_key = $2::text) END AS key_running
FROM ${t.queues} AS q WHERE q.name = $1::text`;
