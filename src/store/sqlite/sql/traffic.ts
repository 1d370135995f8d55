/**
 * Named SQLite statements for traffic control in the claim (SPEC §7): rate-limit state, running
 * jobs per concurrency key, and the ready-tenant rows of fair scheduling. The PostgreSQL store
 * runs the same steps inside its claim functions (sql/claim-function.ts,
 * sql/fair-claim-function.ts).
 */
import { CLAIM_COLUMNS } from "./jobs.js";

/** @queue — ready tenants of a queue, at most two (a claim only needs to know "more than one"). */
export const COUNT_READY_TENANTS = `
SELECT count(*) FROM (SELECT 1 FROM ready_tenants WHERE queue = @queue LIMIT 2)`;

/**
 * @queue @limit — the ready tenants with the lowest passes (ties by name), with their weight
 * (1 without a `tenants` row), read through ready_tenants_pass_idx.
 */
export const SELECT_READY_TENANTS = `
SELECT r.tenant, r.pass, COALESCE(t.weight, 1) AS weight
FROM ready_tenants AS r LEFT JOIN tenants AS t ON t.tenant = r.tenant
WHERE r.queue = @queue ORDER BY r.pass, r.tenant LIMIT @limit`;

/** @queue @tenant @served — moves a tenant's pass past the jobs it was just served. */
export const ADVANCE_TENANT_PASS = `
UPDATE ready_tenants
SET pass = pass + CAST(@served AS REAL) / COALESCE((SELECT weight FROM tenants WHERE tenant = @tenant), 1)
WHERE queue = @queue AND tenant = @tenant`;

/** @queue @tenant — forgets a ready tenant that has no queued job left in the queue. */
export const DELETE_IDLE_TENANT = `
DELETE FROM ready_tenants WHERE queue = @queue AND tenant = @tenant
  AND NOT EXISTS (SELECT 1 FROM jobs WHERE status = 'queued' AND queue = @queue AND tenant = @tenant)`;

/** @queue — running jobs per concurrency key (jobs_running_key_idx). */
export const COUNT_RUNNING_BY_KEY = `
SELECT concurrency_key AS key, count(*) AS running FROM jobs
WHERE status = 'running' AND queue = @queue AND concurrency_key IS NOT NULL
GROUP BY concurrency_key`;

/** @queue @key — running jobs of one concurrency key (waiting reasons). */
export const COUNT_RUNNING_OF_KEY = `
SELECT count(*) FROM jobs
WHERE status = 'running' AND queue = @queue AND concurrency_key = @key`;

/**
 * Filters shared by the candidate reads: @types (JSON array; null = any), @saturated (JSON
 * array of concurrency keys at their cap), @exclude (JSON array of rowids already picked).
 */
const CANDIDATE_FILTERS = `
  AND (@types IS NULL OR type IN (SELECT value FROM json_each(@types)))
  AND (concurrency_key IS NULL OR concurrency_key NOT IN (SELECT value FROM json_each(@saturated)))
  AND rowid NOT IN (SELECT value FROM json_each(@exclude))`;

/**
 * @queue @tenant @limit + CANDIDATE_FILTERS — one tenant's next queued jobs in claim order
 * (jobs_claim_tenant_idx).
 */
export const SELECT_TENANT_CANDIDATES = `
SELECT rowid, tenant, concurrency_key FROM jobs
WHERE status = 'queued' AND queue = @queue AND tenant = @tenant ${CANDIDATE_FILTERS}
ORDER BY priority DESC, run_at, id LIMIT @limit`;

/**
 * @queue @scope (a tenant; null = any) @limit + CANDIDATE_FILTERS — the queue's next queued jobs
 * in claim order (jobs_claim_idx), for keyed claims and for what a fair claim could not fill.
 */
export const SELECT_QUEUE_CANDIDATES = `
SELECT rowid, tenant, concurrency_key FROM jobs
WHERE status = 'queued' AND queue = @queue AND (@scope IS NULL OR tenant = @scope)
  ${CANDIDATE_FILTERS}
ORDER BY priority DESC, run_at, id LIMIT @limit`;

/**
 * @rowids (JSON array) @worker @lease_token @now @lease_ms @grace_ms — claims picked jobs, by
 * rowid only: they were read as queued in this same IMMEDIATE transaction (a `status = 'queued'`
 * term here made the planner walk every queued job through jobs_status_idx: 32 ms a claim at
 * 100,000 waiting).
 */
export const CLAIM_PICKED_JOBS = `
UPDATE jobs SET status = 'running', attempt = attempt + 1, worker = @worker,
  lease_token = @lease_token, started_at = @now,
  lease_expires_at = MIN(@now + @lease_ms, @now + timeout_ms + @grace_ms),
  progress = 0, progress_message = NULL, updated_at = @now
WHERE rowid IN (SELECT value FROM json_each(@rowids))
RETURNING ${CLAIM_COLUMNS.join(", ")}`;

/** @name @tat — the rate limit's bucket after a claim's starts. */
export const UPDATE_RATE_TAT = `UPDATE queues SET rate_tat = @tat WHERE name = @name`;

/**
 * @name @now @set_rate (0/1) @rate_limit @rate_period_ms @set_key (0/1) @key_concurrency — the
 * traffic settings of a queue (its row exists: UPSERT_QUEUE ran first). A new or cleared rate
 * limit starts with a full bucket.
 */
export const UPDATE_QUEUE_TRAFFIC = `
UPDATE queues SET
  rate_limit = CASE WHEN @set_rate = 1 THEN @rate_limit ELSE rate_limit END,
  rate_period_ms = CASE WHEN @set_rate = 1 THEN @rate_period_ms ELSE rate_period_ms END,
  rate_tat = CASE WHEN @set_rate = 1 THEN NULL ELSE rate_tat END,
  key_concurrency = CASE WHEN @set_key = 1 THEN @key_concurrency ELSE key_concurrency END,
  updated_at = @now
WHERE name = @name
RETURNING *`;
