/**
 * Named SQLite statements of webhook subscriptions, deliveries and their attempt log (the same
 * names as PostgreSQL's). Event lists are JSON text. `@tenant` NULL means every tenant.
 */

/** @id @tenant @url @events (JSON) @secret @created_at — a new subscription. */
export const INSERT_WEBHOOK = `
INSERT INTO webhooks (id, tenant, url, events, secret, created_at)
VALUES (@id, @tenant, @url, @events, @secret, @created_at)
RETURNING *`;

/** @tenant — subscriptions, oldest first. */
export const SELECT_WEBHOOKS = `
SELECT * FROM webhooks WHERE (@tenant IS NULL OR tenant = @tenant) ORDER BY created_at, id`;

/** @id @tenant — one subscription. */
export const SELECT_WEBHOOK = `
SELECT * FROM webhooks WHERE id = @id AND (@tenant IS NULL OR tenant = @tenant)`;

/** @webhook_id — the attempt log of a subscription's deliveries (before deleting it). */
export const DELETE_WEBHOOK_ATTEMPTS = `
DELETE FROM webhook_attempts
WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE webhook_id = @webhook_id)`;

/** @webhook_id — a subscription's deliveries (before deleting it). */
export const DELETE_WEBHOOK_DELIVERIES = `
DELETE FROM webhook_deliveries WHERE webhook_id = @webhook_id`;

/** @id @tenant — deletes a subscription, returning it. */
export const DELETE_WEBHOOK = `
DELETE FROM webhooks WHERE id = @id AND (@tenant IS NULL OR tenant = @tenant) RETURNING *`;

/** (none) — how far the event log has been fanned out into deliveries. */
export const SELECT_WEBHOOK_CURSOR = `
SELECT seq FROM webhook_cursor WHERE name = 'fanout'`;

/** @seq — moves the fan-out cursor forward (never back). */
export const UPSERT_WEBHOOK_CURSOR = `
INSERT INTO webhook_cursor (name, seq) VALUES ('fanout', @seq)
ON CONFLICT (name) DO UPDATE SET seq = max(seq, excluded.seq)`;

/**
 * @id @webhook_id @tenant @job_id @event @event_seq @body @max_attempts @now — a new pending
 * delivery, due at once; nothing when the subscription already has one for this event or was
 * deleted meanwhile.
 */
export const INSERT_WEBHOOK_DELIVERY = `
INSERT INTO webhook_deliveries (id, webhook_id, tenant, job_id, event, event_seq, body, status,
  attempt, max_attempts, next_attempt_at, created_at)
SELECT @id, @webhook_id, @tenant, @job_id, @event, @event_seq, @body, 'pending', 0,
  @max_attempts, @now, @now
WHERE EXISTS (SELECT 1 FROM webhooks WHERE id = @webhook_id)
ON CONFLICT (webhook_id, event_seq) DO NOTHING`;

/**
 * @now — logs every expired lease (a sender that stopped before reporting) as an interrupted
 * attempt. Divergence: PostgreSQL does this inside CLAIM_WEBHOOK_DELIVERIES, on the rows it
 * locked; here three statements share one IMMEDIATE transaction.
 */
export const LOG_INTERRUPTED_WEBHOOK_ATTEMPTS = `
INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, status_code, error)
SELECT id, attempt, attempt_started_at, @now - attempt_started_at, NULL,
  'interrupted: the sender stopped before reporting (lease expired)'
FROM webhook_deliveries
WHERE status = 'sending' AND next_attempt_at <= @now
ON CONFLICT (delivery_id, attempt) DO NOTHING`;

/** @now — an expired lease on the last attempt fails the delivery. */
export const FAIL_EXHAUSTED_WEBHOOK_DELIVERIES = `
UPDATE webhook_deliveries
SET status = 'failed', next_attempt_at = NULL, lease_token = NULL, finished_at = @now
WHERE status = 'sending' AND next_attempt_at <= @now AND attempt >= max_attempts`;

/**
 * @now @limit @lease_token @lease_until — leases the due deliveries (pending and due, or with
 * an expired lease), oldest due first, counting an attempt.
 */
export const CLAIM_WEBHOOK_DELIVERIES = `
UPDATE webhook_deliveries
SET status = 'sending', attempt = attempt + 1, lease_token = @lease_token,
  next_attempt_at = @lease_until, attempt_started_at = @now
WHERE id IN (
  SELECT id FROM webhook_deliveries
  WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= @now
  ORDER BY next_attempt_at, id LIMIT @limit)
RETURNING *`;

/**
 * @id @lease_token @status @next_attempt_at @now — ends an attempt while its lease holds:
 * pending again (due at @next_attempt_at), succeeded or failed. Returns the attempt's number.
 */
export const FINISH_WEBHOOK_ATTEMPT = `
UPDATE webhook_deliveries
SET status = @status, next_attempt_at = @next_attempt_at, lease_token = NULL,
  finished_at = CASE WHEN @status = 'pending' THEN NULL ELSE @now END
WHERE id = @id AND lease_token = @lease_token
RETURNING attempt, attempt_started_at`;

/** @delivery_id @attempt @started_at @duration_ms @status_code @error — one logged attempt. */
export const INSERT_WEBHOOK_ATTEMPT = `
INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, status_code, error)
VALUES (@delivery_id, @attempt, @started_at, @duration_ms, @status_code, @error)
ON CONFLICT (delivery_id, attempt) DO NOTHING`;

/**
 * @webhook_id @job_id @tenant (each NULL = any) @before (id cursor, NULL = first page) @limit —
 * deliveries newest first.
 */
export const SELECT_WEBHOOK_DELIVERIES = `
SELECT * FROM webhook_deliveries
WHERE (@webhook_id IS NULL OR webhook_id = @webhook_id)
  AND (@job_id IS NULL OR job_id = @job_id)
  AND (@tenant IS NULL OR tenant = @tenant)
  AND (@before IS NULL OR id < @before)
ORDER BY id DESC LIMIT @limit`;

/** @ids (JSON array) — the attempts of these deliveries, oldest first. */
export const SELECT_WEBHOOK_ATTEMPTS = `
SELECT * FROM webhook_attempts
WHERE delivery_id IN (SELECT value FROM json_each(@ids))
ORDER BY delivery_id, attempt`;

/** @id @webhook_id @tenant — one delivery. */
export const SELECT_WEBHOOK_DELIVERY = `
SELECT * FROM webhook_deliveries
WHERE id = @id AND webhook_id = @webhook_id AND (@tenant IS NULL OR tenant = @tenant)`;

/**
 * @id @webhook_id @tenant @max_attempts @now — queues a finished delivery again, due now, with
 * @max_attempts more attempts (attempt numbers keep counting, so the log stays one sequence).
 */
export const REDELIVER_WEBHOOK_DELIVERY = `
UPDATE webhook_deliveries
SET status = 'pending', max_attempts = attempt + @max_attempts, next_attempt_at = @now,
  finished_at = NULL
WHERE id = @id AND webhook_id = @webhook_id AND (@tenant IS NULL OR tenant = @tenant)
  AND status IN ('succeeded', 'failed')
RETURNING *`;
