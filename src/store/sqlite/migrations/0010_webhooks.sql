-- Version 10: webhook subscriptions (seed 002), their deliveries and the log of every attempt.
-- A delivery is one job event for one subscription (unique per subscription and event seq, so
-- API servers fanning out the same events create it once); senders lease due deliveries the
-- way workers lease jobs. `webhook_cursor` records how far the event log has been fanned out.
-- No foreign keys (SQLite enforces them only per connection, when asked): deleting a
-- subscription deletes its deliveries and attempts in the same transaction.

CREATE TABLE webhooks (
  id         TEXT    PRIMARY KEY,
  tenant     TEXT    NOT NULL,
  url        TEXT    NOT NULL,
  events     TEXT    NOT NULL,            -- JSON array of event names, or ["*"]
  secret     TEXT    NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX webhooks_tenant_idx ON webhooks (tenant, id);

CREATE TABLE webhook_deliveries (
  id               TEXT    PRIMARY KEY,
  webhook_id       TEXT    NOT NULL,
  tenant           TEXT    NOT NULL,
  job_id           TEXT    NOT NULL,
  event            TEXT    NOT NULL,
  event_seq        INTEGER NOT NULL,
  body             TEXT    NOT NULL,
  status           TEXT    NOT NULL
    CHECK (status IN ('pending', 'sending', 'succeeded', 'failed')),
  attempt          INTEGER NOT NULL DEFAULT 0,
  max_attempts     INTEGER NOT NULL CHECK (max_attempts >= 1),
  -- Due time while pending; lease end while sending; NULL once finished.
  next_attempt_at  INTEGER,
  lease_token      TEXT,
  attempt_started_at INTEGER,
  created_at       INTEGER NOT NULL,
  finished_at      INTEGER,
  UNIQUE (webhook_id, event_seq),
  CHECK ((status IN ('pending', 'sending')) = (next_attempt_at IS NOT NULL)),
  CHECK ((status = 'sending') = (lease_token IS NOT NULL))
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
  WHERE next_attempt_at IS NOT NULL;
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_job_idx ON webhook_deliveries (job_id, id);

CREATE TABLE webhook_attempts (
  delivery_id  TEXT    NOT NULL,
  attempt      INTEGER NOT NULL,
  started_at   INTEGER NOT NULL,
  duration_ms  INTEGER NOT NULL,
  status_code  INTEGER,
  error        TEXT,
  PRIMARY KEY (delivery_id, attempt)
);

CREATE TABLE webhook_cursor (
  name TEXT    PRIMARY KEY,
  seq  INTEGER NOT NULL
);
