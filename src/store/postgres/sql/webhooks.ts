/**
 * Named PostgreSQL statements of webhook subscriptions, deliveries and their attempt log (the
 * same names as SQLite's). Event lists are text[]. A NULL tenant means every tenant.
 */
import type { SqlTemplate } from "./names.js";

/** $1 id, $2 tenant, $3 url, $4 events text[], $5 secret, $6 created_at — a new subscription. */
export const INSERT_WEBHOOK: SqlTemplate = (t) => `
INSERT INTO ${t.webhooks} (id, tenant, url, events, secret, created_at)
VALUES ($1, $2, $3, $4::text[], $5, $6::int8)
RETURNING *`;

/** $1 tenant — subscriptions, oldest first. */
export const SELECT_WEBHOOKS: SqlTemplate = (t) => `
SELECT * FROM ${t.webhooks} WHERE ($1::text IS NULL OR tenant = $1) ORDER BY created_at, id`;

/** $1 id, $2 tenant — one subscription. */
export const SELECT_WEBHOOK: SqlTemplate = (t) => `
SELECT * FROM ${t.webhooks} WHERE id = $1 AND ($2::text IS NULL OR tenant = $2)`;

/** $1 webhook_id — the attempt log of a subscription's deliveries (before deleting it). */
export const DELETE_WEBHOOK_ATTEMPTS: SqlTemplate = (t) => `
DELETE FROM ${t.webhookAttempts}
WHERE delivery_id IN (SELECT id FROM ${t.webhookDeliveries} WHERE webhook_id = $1)`;

/** $1 webhook_id — a subscription's deliveries (before deleting it). */
export const DELETE_WEBHOOK_DELIVERIES: SqlTemplate = (t) => `
DELETE FROM ${t.webhookDeliveries} WHERE webhook_id = $1`;

/** $1 id, $2 tenant — deletes a subscription, returning it. */
export const DELETE_WEBHOOK: SqlTemplate = (t) => `
DELETE FROM ${t.webhooks} WHERE id = $1 AND ($2::text IS NULL OR tenant = $2) RETURNING *`;

/** (none) — how far the event log has been fanned out into deliveries. */
export const SELECT_WEBHOOK_CURSOR: SqlTemplate = (t) => `
SELECT seq FROM ${t.webhookCursor} WHERE name = 'fanout'`;

/** $1 seq — moves the fan-out cursor forward (never back). Divergence: GREATEST (SQLite: max). */
export const UPSERT_WEBHOOK_CURSOR: SqlTemplate = (t) => `
INSERT INTO ${t.webhookCursor} AS c (name, seq) VALUES ('fanout', $1::int8)
ON CONFLICT (name) DO UPDATE SET seq = GREATEST(c.seq, excluded.seq)`;

/**
 * $1 id, $2 webhook_id, $3 tenant, $4 job_id, $5 event, $6 event_seq, $7 body, $8 max_attempts,
 * $9 now — a new pending delivery, due at once; nothing when the subscription already has one
 * for this event (another API server fanned it out first) or was deleted meanwhile.
 */
export const INSERT_WEBHOOK_DELIVERY: SqlTemplate = (t) => `
INSERT INTO ${t.webhookDeliveries} (id, webhook_id, tenant, job_id, event, event_seq, body,
  status, attempt, max_attempts, next_attempt_at, created_at)
SELECT $1, $2, $3, $4, $5, $6::int8, $7, 'pending', 0, $8::int4, $9::int8, $9::int8
WHERE EXISTS (SELECT 1 FROM ${t.webhooks} WHERE id = $2)
ON CONFLICT (webhook_id, event_seq) DO NOTHING`;

/**
 * $1 now, $2 limit, $3 lease_token, $4 lease_until — leases the due deliveries (pending and due,
 * or with an expired lease), oldest due first, counting an attempt, and returns them with their
 * subscription's url and secret. Locked rows are skipped, so API servers claiming at once get
 * disjoint deliveries. Divergence: one statement (SQLite: three in one IMMEDIATE transaction)
 * that also logs each expired lease as an interrupted attempt and fails those whose last
 * attempt it was — on the rows it locked, so concurrent claimers never wait for each other.
 */
export const CLAIM_WEBHOOK_DELIVERIES: SqlTemplate = (t) => `
WITH due AS (
  SELECT id, status, attempt, max_attempts, attempt_started_at FROM ${t.webhookDeliveries}
  WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= $1::int8
  ORDER BY next_attempt_at, id LIMIT $2
  FOR UPDATE SKIP LOCKED
), interrupted AS (
  INSERT INTO ${t.webhookAttempts} (delivery_id, attempt, started_at, duration_ms, status_code,
    error)
  SELECT id, attempt, attempt_started_at, ($1::int8 - attempt_started_at)::int4, NULL,
    'interrupted: the sender stopped before reporting (lease expired)'
  FROM due WHERE status = 'sending'
  ON CONFLICT (delivery_id, attempt) DO NOTHING
), exhausted AS (
  UPDATE ${t.webhookDeliveries} d
  SET status = 'failed', next_attempt_at = NULL, lease_token = NULL, finished_at = $1::int8
  FROM due WHERE d.id = due.id AND due.status = 'sending' AND due.attempt >= due.max_attempts
)
UPDATE ${t.webhookDeliveries} d
SET status = 'sending', attempt = d.attempt + 1, lease_token = $3,
  next_attempt_at = $4::int8, attempt_started_at = $1::int8
FROM due, ${t.webhooks} w
WHERE d.id = due.id AND NOT (due.status = 'sending' AND due.attempt >= due.max_attempts)
  AND w.id = d.webhook_id
RETURNING d.*, w.url AS webhook_url, w.secret AS webhook_secret`;

/**
 * $1 id, $2 lease_token, $3 status, $4 next_attempt_at, $5 now, $6 duration_ms, $7 status_code,
 * $8 error — ends an attempt while its lease holds (pending again, succeeded or failed) and logs
 * it. Returns one row when the lease held. Divergence: one statement (SQLite: two).
 */
export const FINISH_WEBHOOK_ATTEMPT: SqlTemplate = (t) => `
WITH finished AS (
  UPDATE ${t.webhookDeliveries}
  SET status = $3, next_attempt_at = $4::int8, lease_token = NULL,
    finished_at = CASE WHEN $3 = 'pending' THEN NULL ELSE $5::int8 END
  WHERE id = $1 AND lease_token = $2
  RETURNING id, attempt, attempt_started_at
), logged AS (
  INSERT INTO ${t.webhookAttempts} (delivery_id, attempt, started_at, duration_ms, status_code,
    error)
  SELECT id, attempt, COALESCE(attempt_started_at, $5::int8 - $6::int8), $6::int4, $7::int4, $8
  FROM finished
  ON CONFLICT (delivery_id, attempt) DO NOTHING
)
SELECT id FROM finished`;

/**
 * $1 webhook_id, $2 job_id, $3 tenant (each NULL = any), $4 before (id cursor, NULL = first
 * page), $5 limit — deliveries newest first.
 */
export const SELECT_WEBHOOK_DELIVERIES: SqlTemplate = (t) => `
SELECT * FROM ${t.webhookDeliveries}
WHERE ($1::text IS NULL OR webhook_id = $1)
  AND ($2::text IS NULL OR job_id = $2)
  AND ($3::text IS NULL OR tenant = $3)
  AND ($4::text IS NULL OR id < $4)
ORDER BY id DESC LIMIT $5`;

/** $1 ids text[] — the attempts of these deliveries, oldest first. */
export const SELECT_WEBHOOK_ATTEMPTS: SqlTemplate = (t) => `
SELECT * FROM ${t.webhookAttempts} WHERE delivery_id = ANY($1::text[])
ORDER BY delivery_id, attempt`;

/** $1 id, $2 webhook_id, $3 tenant — one delivery. */
export const SELECT_WEBHOOK_DELIVERY: SqlTemplate = (t) => `
SELECT * FROM ${t.webhookDeliveries}
WHERE id = $1 AND webhook_id = $2 AND ($3::text IS NULL OR tenant = $3)`;

/**
 * $1 id, $2 webhook_id, $3 tenant, $4 max_attempts, $5 now — queues a finished delivery again,
 * due now, with $4 more attempts (attempt numbers keep counting).
 */
export const REDELIVER_WEBHOOK_DELIVERY: SqlTemplate = (t) => `
UPDATE ${t.webhookDeliveries}
SET status = 'pending', max_attempts = attempt + $4::int4, next_attempt_at = $5::int8,
  finished_at = NULL
WHERE id = $1 AND webhook_id = $2 AND ($3::text IS NULL OR tenant = $3)
  AND status IN ('succeeded', 'failed')
RETURNING *`;
