/**
 * Named PostgreSQL statements for jobs: each export is a template of the schema-qualified table
 * names (sql/names.ts) and uses the same name as its SQLite twin (src/store/sqlite/sql/jobs.ts).
 * Parameters are listed above each one as `$n name`; times are ms since the epoch (BIGINT).
 *
 * Divergences from SQLite, all for the same reason — one round trip per batch instead of one
 * per row, since every round trip costs a network hop here — are marked "Divergence:".
 * Every state change logs its job event in the same statement (a `logged` CTE, see
 * sql/fragments.ts) with the same names and data as SQLite's `appendJobEvents` calls, and
 * statements that make jobs ready `pg_notify` once per distinct queue, also in the statement, so
 * events and wake-ups commit (or roll back) with the write at no extra round trip.
 *
 * Divergence: statements that find a running job by id match its lease token and never say
 * `status = 'running'` (a token exists exactly while its job runs: a check of migration 0001).
 * With that condition the planner may read the job through jobs_running_idx instead of the
 * primary key — its statistics rarely see a running job, so the partial index looks like one
 * row — and then every statement costs a walk of every running row: measured at 20 ms per
 * failure and 0.9 s per completed batch with 58,000 expired leases waiting for the rescuer,
 * which each such statement slowed further (more leases expired: a spiral that stopped a
 * churn run). Through the primary key each costs the same whatever runs.
 */
import { CLAIM_COLUMNS } from "../../shared/job-columns.js";
import { MAX_ERROR_HISTORY } from "../../../core/transitions.js";
import { allCounts, logEvents, notifyDistinctQueues } from "./fragments.js";
import type { SqlTemplate } from "./names.js";

const UNFINISHED = "('scheduled', 'queued', 'running', 'retrying')";

/**
 * Lets the surrounding single-statement transaction commit without waiting for its WAL flush.
 * Only for writes whose loss in a database crash the lease machinery repairs (lease renewals;
 * claims do the same inside `claim_jobs`) — never for submissions or outcomes, which are
 * acknowledged as durable. Joined to a statement's result so that it is evaluated.
 */
const ASYNC_COMMIT = "SELECT set_config('synchronous_commit', 'off', true) AS setting";

/**
 * $1 ids uuid[], $2 tenants, $3 queues, $4 types, $5 payloads (JSON text), $6 statuses,
 * $7 priorities int[], $8 max_attempts int[], $9 run_ats bigint[], $10 timeout_ms bigint[],
 * $11 backoff_base_ms bigint[], $12 backoff_cap_ms bigint[], $13 unique_keys, $14 tags (array
 * literals), $15 webhook_urls, $16 nows bigint[] (created_at), $17 channel, $18 traceparents,
 * $19 tracestates, $20 concurrency_keys — returns the ids
 * inserted. Divergence: a whole batch in one statement (rows inserted in the order given, so a
 * duplicate unique key inside the batch loses to the earlier row), logging `job.queued` for
 * each inserted job and notifying each queue that got a `queued` job once.
 */
export const INSERT_JOB: SqlTemplate = (t) => `
WITH input AS (
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
    $7::int[], $8::int[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::text[],
    $14::text[], $15::text[], $16::bigint[], $18::text[], $19::text[], $20::text[])
    WITH ORDINALITY AS i(id, tenant, queue, type, payload, status, priority, max_attempts, run_at,
      timeout_ms, backoff_base_ms, backoff_cap_ms, unique_key, tags, webhook_url, now, traceparent,
      tracestate, concurrency_key, ord)
), inserted AS (
  INSERT INTO ${t.jobs} (id, tenant, queue, type, payload, status, priority, max_attempts, run_at,
    timeout_ms, backoff_base_ms, backoff_cap_ms, unique_key, tags, webhook_url, created_at, updated_at,
    traceparent, tracestate, concurrency_key)
  SELECT id, tenant, queue, type, payload::json, status, priority, max_attempts, run_at,
    timeout_ms, backoff_base_ms, backoff_cap_ms, unique_key, tags::text[], webhook_url, now, now,
    traceparent, tracestate, concurrency_key
  FROM input ORDER BY ord
  ON CONFLICT (tenant, queue, unique_key) WHERE unique_key IS NOT NULL AND status IN ${UNFINISHED}
  DO NOTHING
  RETURNING id, tenant, queue, type, status, run_at, created_at
), logged AS (
  ${logEvents(
    t,
    `SELECT created_at, 'job.queued', id, tenant, queue, type, status,
    json_build_object('runAt', run_at, 'reason', 'submitted') FROM inserted`,
  )}
), notified AS (${notifyDistinctQueues("inserted", "status = 'queued'", "$17::text")})
SELECT inserted.id FROM inserted CROSS JOIN notified`;

/**
 * $1 tenants, $2 queues, $3 unique_keys — the unfinished jobs holding these keys.
 * Divergence: looks up every duplicate of a batch at once.
 */
export const SELECT_UNIQUE_HOLDER: SqlTemplate = (t) => `
SELECT j.* FROM ${t.jobs} AS j
JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(tenant, queue, unique_key)
  ON j.tenant = k.tenant AND j.queue = k.queue AND j.unique_key = k.unique_key
WHERE j.unique_key IS NOT NULL AND j.status IN ${UNFINISHED}`;

export { CLAIM_COLUMNS };

/**
 * $1 queues text[] (in precedence order), $2 limit, $3 worker, $4 lease_token, $5 now,
 * $6 lease_ms, $7 grace_ms, $8 tenant (null: any), $9 channel, $10 types text[] (null: any) —
 * the claimed jobs, queue by queue. Divergence: the whole claim — SQLite's SELECT_QUEUE,
 * COUNT_RUNNING_IN_QUEUE, PROMOTE_DUE_IN_QUEUE and CLAIM_JOBS or CLAIM_JOBS_OF_TYPES for each
 * queue — runs in the server-side function `claim_jobs` (sql/claim-function.ts): one round
 * trip and one transaction.
 */
export const CLAIM_JOBS: SqlTemplate = (t) => `
SELECT ${CLAIM_COLUMNS.join(", ")}
FROM ${t.schema}.claim_jobs($1::text[], $2::int, $3::text, $4::text, $5::bigint, $6::bigint,
  $7::bigint, $8::text, $9::text, $10::text[])`;

/**
 * $1 ids uuid[], $2 lease_tokens, $3 progress int[] (null: keep), $4 set_message bool[],
 * $5 messages, $6 now, $7 lease_ms, $8 grace_ms. The lease end is `now + lease_ms`, never past
 * the attempt's deadline plus grace; logs `job.progress` for each renewal that carried progress.
 * Divergence: renews a whole batch in one statement, committed without waiting for the WAL
 * flush (a renewal lost in a crash only shortens a lease).
 */
export const EXTEND_LEASE: SqlTemplate = (t) => `
WITH renewed AS (
  UPDATE ${t.jobs} AS j SET
    lease_expires_at = LEAST($6::bigint + $7::bigint, j.started_at + j.timeout_ms + $8::bigint),
    progress = COALESCE(r.progress, j.progress),
    progress_message = CASE WHEN r.set_message THEN r.message ELSE j.progress_message END,
    updated_at = $6::bigint
  FROM unnest($1::uuid[], $2::text[], $3::int[], $4::boolean[], $5::text[])
    AS r(id, lease_token, progress, set_message, message)
  WHERE j.id = r.id AND j.lease_token = r.lease_token
  RETURNING j.id, j.tenant, j.queue, j.type, j.lease_expires_at, j.cancel_requested,
    r.progress AS reported_progress, r.message AS reported_message
), logged AS (
  ${logEvents(
    t,
    `SELECT $6::bigint, 'job.progress', id, tenant, queue, type, 'running',
    json_build_object('progress', reported_progress, 'progressMessage', reported_message)
    FROM renewed WHERE reported_progress IS NOT NULL`,
  )}
), relaxed AS (${ASYNC_COMMIT})
SELECT id, lease_expires_at, cancel_requested FROM renewed CROSS JOIN relaxed`;

/**
 * $1 ids uuid[], $2 lease_tokens, $3 results (JSON text or null), $4 now — one statement for a
 * whole batch of acknowledgements; a cancellation asked for meanwhile wins and drops the result.
 * Logs `job.completed` (or `job.cancelled`) for each.
 */
export const COMPLETE_JOBS: SqlTemplate = (t) => `
WITH done AS (
  UPDATE ${t.jobs} AS j SET
    status = CASE WHEN j.cancel_requested THEN 'cancelled' ELSE 'completed' END,
    result = CASE WHEN j.cancel_requested THEN NULL ELSE c.result::json END,
    progress = CASE WHEN j.cancel_requested THEN j.progress ELSE 100 END,
    completed_at = $4::bigint, updated_at = $4::bigint, lease_token = NULL, lease_expires_at = NULL
  FROM unnest($1::uuid[], $2::text[], $3::text[]) AS c(id, lease_token, result)
  WHERE j.id = c.id AND j.lease_token = c.lease_token
  RETURNING j.id, j.status, j.tenant, j.queue, j.type, j.attempt, j.started_at
), logged AS (
  ${logEvents(
    t,
    `SELECT $4::bigint,
    CASE WHEN status = 'completed' THEN 'job.completed' ELSE 'job.cancelled' END,
    id, tenant, queue, type, status,
    json_build_object('attempt', attempt, 'runMs', greatest(0, $4::bigint - started_at)) FROM done`,
  )}
)
SELECT id, status FROM done`;

/**
 * $1 id, $2 lease_token, $3 status ('retrying'|'failed'), $4 run_at (null unless retrying),
 * $5 error (JSON, as stored), $6 now, $7 the error as logged (JSON, without `at` and stack).
 * Appends the error to `errors`, keeping the newest `MAX_ERROR_HISTORY` (25), and logs `job.retrying`, `job.failed`
 * or (when cancellation was asked for) `job.cancelled`.
 */
export const FAIL_JOB: SqlTemplate = (t) => `
WITH failed AS (
  UPDATE ${t.jobs} SET
    status = CASE WHEN cancel_requested THEN 'cancelled' ELSE $3::text END,
    run_at = CASE WHEN NOT cancel_requested AND $3::text = 'retrying' THEN $4::bigint ELSE run_at END,
    completed_at = CASE WHEN cancel_requested OR $3::text = 'failed' THEN $6::bigint ELSE NULL END,
    error = $5::jsonb,
    errors = CASE WHEN jsonb_array_length(errors) >= ${MAX_ERROR_HISTORY}
      THEN (errors - 0) || jsonb_build_array($5::jsonb)
      ELSE errors || jsonb_build_array($5::jsonb) END,
    lease_token = NULL, lease_expires_at = NULL, updated_at = $6::bigint
  WHERE id = $1::uuid AND lease_token = $2::text
  RETURNING id, status, run_at, tenant, queue, type, attempt
), logged AS (
  ${logEvents(
    t,
    `SELECT $6::bigint, 'job.' || status, id, tenant, queue, type, status,
    CASE WHEN status = 'retrying'
      THEN json_build_object('attempt', attempt, 'error', $7::json, 'runAt', run_at)
      ELSE json_build_object('attempt', attempt, 'error', $7::json) END
    FROM failed`,
  )}
)
SELECT status, run_at, tenant, queue, type, attempt FROM failed`;

/**
 * $1 ids uuid[], $2 lease_tokens, $3 now, $4 channel — gives jobs back uncounted; a requested
 * cancellation ends a job instead; logs `job.queued` (or `job.cancelled`). Returns each released
 * job's queue. Divergence: a whole batch in one statement, notifying each queue that got a job
 * back.
 */
export const RELEASE_JOB: SqlTemplate = (t) => `
WITH released AS (
  UPDATE ${t.jobs} AS j SET
    status = CASE WHEN j.cancel_requested THEN 'cancelled' ELSE 'queued' END,
    attempt = CASE WHEN j.cancel_requested THEN j.attempt ELSE j.attempt - 1 END,
    completed_at = CASE WHEN j.cancel_requested THEN $3::bigint ELSE NULL END,
    lease_token = NULL, lease_expires_at = NULL, updated_at = $3::bigint
  FROM unnest($1::uuid[], $2::text[]) AS r(id, lease_token)
  WHERE j.id = r.id AND j.lease_token = r.lease_token
  RETURNING j.id, j.status, j.run_at, j.tenant, j.queue, j.type
), logged AS (
  ${logEvents(
    t,
    `SELECT $3::bigint, 'job.' || status, id, tenant, queue, type, status,
    CASE WHEN status = 'queued' THEN json_build_object('runAt', run_at, 'reason', 'released')
    ELSE '{}'::json END
    FROM released`,
  )}
), notified AS (${notifyDistinctQueues("released", "status = 'queued'", "$4::text")})
SELECT released.queue FROM released CROSS JOIN notified`;

/** $1 ids uuid[] */
export const SELECT_CANCEL_REQUESTED: SqlTemplate = (t) => `
SELECT id FROM ${t.jobs} WHERE id = ANY($1::uuid[]) AND cancel_requested AND lease_token IS NOT NULL`;

/** $1 id */
export const SELECT_JOB: SqlTemplate = (t) => `SELECT * FROM ${t.jobs} WHERE id = $1::uuid`;

/** $1 ids uuid[] — the results of the completed jobs among them. */
export const SELECT_JOB_RESULTS: SqlTemplate = (t) => `
SELECT id, result FROM ${t.jobs} WHERE id = ANY($1::uuid[]) AND status = 'completed'`;

/**
 * $1 id — the job, locked until the transaction ends. PostgreSQL only: SQLite's BEGIN
 * IMMEDIATE already excludes every other writer.
 */
export const SELECT_JOB_FOR_UPDATE: SqlTemplate = (t) => `
SELECT * FROM ${t.jobs} WHERE id = $1::uuid FOR UPDATE`;

/** $1 id, $2 now. Divergence: RETURNING the row saves reading it back. */
export const REQUEST_CANCEL: SqlTemplate = (t) => `
UPDATE ${t.jobs} SET cancel_requested = true, updated_at = $2::bigint
WHERE id = $1::uuid AND lease_token IS NOT NULL
RETURNING *`;

/**
 * $1 id, $2 now — logs `job.cancelled`. Divergence: RETURNING the row saves reading it back.
 */
export const CANCEL_WAITING_JOB: SqlTemplate = (t) => `
WITH cancelled AS (
  UPDATE ${t.jobs} SET status = 'cancelled', completed_at = $2::bigint, updated_at = $2::bigint
  WHERE id = $1::uuid AND status IN ('scheduled', 'queued', 'retrying')
  RETURNING *
), logged AS (
  ${logEvents(
    t,
    `SELECT $2::bigint, 'job.cancelled', id, tenant, queue, type, status, '{}'::json
    FROM cancelled`,
  )}
)
SELECT * FROM cancelled`;

/**
 * $1 id, $2 now — the manual retry ("redrive"); keeps the error history; logs `job.queued`.
 * Divergence: RETURNING the row saves reading it back.
 */
export const RETRY_JOB: SqlTemplate = (t) => `
WITH retried AS (
  UPDATE ${t.jobs} SET status = 'queued', attempt = 0, run_at = $2::bigint, progress = 0,
    progress_message = NULL, result = NULL, error = NULL, cancel_requested = false,
    started_at = NULL, completed_at = NULL, updated_at = $2::bigint
  WHERE id = $1::uuid AND status IN ('failed', 'cancelled')
  RETURNING *
), logged AS (
  ${logEvents(
    t,
    `SELECT $2::bigint, 'job.queued', id, tenant, queue, type, status,
    json_build_object('runAt', run_at, 'reason', 'retried') FROM retried`,
  )}
)
SELECT * FROM retried`;

/**
 * $1 now, $2 limit — running jobs whose lease has ended. Divergence: locked with SKIP LOCKED, so
 * rescuers in several processes split the work instead of racing for the same rows.
 */
export const SELECT_EXPIRED_LEASES: SqlTemplate = (t) => `
SELECT id, queue, type, attempt, max_attempts, backoff_base_ms, backoff_cap_ms, started_at,
  timeout_ms, lease_token, cancel_requested
FROM ${t.jobs} WHERE status = 'running' AND lease_expires_at <= $1::bigint
ORDER BY lease_expires_at LIMIT $2::int
FOR UPDATE SKIP LOCKED`;

/**
 * $1 now, $2 limit, $3 channel. Divergence: rows locked with SKIP LOCKED (racing promoters split
 * the work), and each queue that got jobs is notified.
 */
export const PROMOTE_DUE_JOBS: SqlTemplate = (t) => `
WITH promoted AS (
  UPDATE ${t.jobs} SET status = 'queued', updated_at = $1::bigint
  WHERE id IN (
    SELECT id FROM ${t.jobs} WHERE status IN ('scheduled', 'retrying') AND run_at <= $1::bigint
    ORDER BY run_at LIMIT $2::int
    FOR UPDATE SKIP LOCKED)
  AND status IN ('scheduled', 'retrying')
  RETURNING id, queue, type, status, attempt
), notified AS (${notifyDistinctQueues("promoted", "true", "$3::text")})
SELECT promoted.* FROM promoted CROSS JOIN notified`;

/**
 * $1 status, $2 before, $3 limit. Divergence: SKIP LOCKED, so a prune never waits on (or
 * blocks) a worker's write of the same row; the bounded batch keeps each transaction short.
 * Never a parent of a job still held for it (migration 0014).
 */
export const PRUNE_FINISHED: SqlTemplate = (t) => `
DELETE FROM ${t.jobs} WHERE id IN (
  SELECT id FROM ${t.jobs} WHERE status = $1::text AND completed_at < $2::bigint
    AND NOT EXISTS (SELECT 1 FROM ${t.jobDependencies} d
      JOIN ${t.jobDependencyWaits} w ON w.job_id = d.job_id WHERE d.parent_id = ${t.jobs}.id)
  LIMIT $3::int
  FOR UPDATE SKIP LOCKED)`;

/**
 * Jobs by state, from the maintained counts (base rows plus deltas not yet folded: one
 * snapshot, so exact); the store appends a WHERE clause built from an allow-list, then GROUP BY.
 */
export const COUNT_BY_STATE: SqlTemplate = (t) =>
  `SELECT status, sum(n)::int AS n FROM (${allCounts(t)}) AS counts`;

/** Listing; the store appends a WHERE clause built from an allow-list, ORDER BY and LIMIT. */
export const LIST_JOBS: SqlTemplate = (t) => `SELECT * FROM ${t.jobs}`;

/**
 * Every tenant with jobs in the listing indexes, as the CTE `tenants(tenant)` (its last row is a
 * NULL): a loose index scan, one probe per tenant, for listings across tenants (job-listing.ts).
 * Not a statement on its own.
 */
export const LISTING_TENANTS: SqlTemplate = (t) => `WITH RECURSIVE tenants(tenant) AS (
  (SELECT tenant FROM ${t.jobs} WHERE status <> 'running' ORDER BY tenant LIMIT 1)
  UNION ALL
  SELECT (SELECT j.tenant FROM ${t.jobs} AS j
    WHERE j.tenant > tenants.tenant AND j.status <> 'running' ORDER BY j.tenant LIMIT 1)
  FROM tenants WHERE tenants.tenant IS NOT NULL
)`;

/**
 * $1 channel, $2 queues text[] — a wake-up per distinct queue, sent when the surrounding
 * transaction commits. PostgreSQL only.
 */
export const NOTIFY_QUEUES: SqlTemplate = () => `
SELECT count(pg_notify($1::text, queue)) AS notified
FROM (SELECT DISTINCT unnest($2::text[]) AS queue) AS distinct_queues`;
