-- Version 12 (PostgreSQL): webhook subscriptions, their deliveries and the log of every
-- attempt; mirrors SQLite's 0010 (event lists are text[] here, JSON text there). Senders on
-- any number of API servers lease due deliveries with FOR UPDATE SKIP LOCKED.

CREATE TABLE webhooks (
  id         TEXT    PRIMARY KEY,
  tenant     TEXT    NOT NULL,
  url        TEXT    NOT NULL,
  events     TEXT[]  NOT NULL,
  secret     TEXT    NOT NULL,
  created_at BIGINT  NOT NULL
);
CREATE INDEX webhooks_tenant_idx ON webhooks (tenant, id);

CREATE TABLE webhook_deliveries (
  id                 TEXT    PRIMARY KEY,
  webhook_id         TEXT    NOT NULL,
  tenant             TEXT    NOT NULL,
  job_id             TEXT    NOT NULL,
  event              TEXT    NOT NULL,
  event_seq          BIGINT  NOT NULL,
  body               TEXT    NOT NULL,
  status             TEXT    NOT NULL
    CHECK (status IN ('pending', 'sending', 'succeeded', 'failed')),
  attempt            INTEGER NOT NULL DEFAULT 0,
  max_attempts       INTEGER NOT NULL CHECK (max_attempts >= 1),
  next_attempt_at    BIGINT,
  lease_token        TEXT,
  attempt_started_at BIGINT,
  created_at         BIGINT  NOT NULL,
  finished_at        BIGINT,
  UNIQUE (webhook_id, event_seq),
  CHECK ((status IN ('pending', 'sending')) = (next_attempt_at IS NOT NULL)),
  CHECK ((status = 'sending') = (lease_token IS NOT NULL))
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
  WHERE next_attempt_at IS NOT NULL;
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_job_idx ON webhook_deliveries (job_id, id);

CREATE TABLE webhook_attempts (
  delivery_id TEXT    NOT NULL,
  attempt     INTEGER NOT NULL,
  started_at  BIGINT  NOT NULL,
  duration_ms INTEGER NOT NULL,
  status_code INTEGER,
  error       TEXT,
  PRIMARY KEY (delivery_id, attempt)
);

CREATE TABLE webhook_cursor (
  name TEXT   PRIMARY KEY,
  seq  BIGINT NOT NULL
);
