-- Version 6 (PostgreSQL): the worker registry; mirrors SQLite's 0005. Divergences: lists are
-- TEXT[] (SQLite: JSON text); times are BIGINT milliseconds, as everywhere in this schema.

CREATE TABLE workers (
  id             TEXT    PRIMARY KEY,
  name           TEXT    NOT NULL,
  host           TEXT    NOT NULL,
  pid            INTEGER,
  kind           TEXT    NOT NULL CHECK (kind IN ('local', 'remote')),
  tenant         TEXT,
  queues         TEXT[]  NOT NULL DEFAULT '{}',
  types          TEXT[]  NOT NULL DEFAULT '{*}',
  concurrency    INTEGER NOT NULL CHECK (concurrency >= 0),
  running        INTEGER NOT NULL DEFAULT 0 CHECK (running >= 0),
  version        TEXT    NOT NULL,
  stale_after_ms BIGINT  NOT NULL CHECK (stale_after_ms > 0),
  started_at     BIGINT  NOT NULL,
  last_seen_at   BIGINT  NOT NULL,
  expires_at     BIGINT  NOT NULL,
  CHECK (expires_at = last_seen_at + stale_after_ms)
);

-- One row per name within a tenant scope (local workers and admin-key remote workers share the
-- unscoped one): registration replaces a dead worker's row and refuses a live one's. The index
-- also settles two registrations of one name racing on different hosts.
CREATE UNIQUE INDEX workers_name_idx ON workers (COALESCE(tenant, ''), name);
-- Listing live workers and pruning dead ones.
CREATE INDEX workers_expires_idx ON workers (expires_at);
