-- Version 5 (SQLite): the worker registry (SPEC §6 "Workers are visible"). One presence row per
-- running worker, refreshed by heartbeats; a row whose `expires_at` has passed belongs to a dead
-- worker (not listed, pruned by maintenance, its name free again). Lists are JSON text.

CREATE TABLE workers (
  id             TEXT    PRIMARY KEY,
  name           TEXT    NOT NULL,
  host           TEXT    NOT NULL,
  pid            INTEGER,
  kind           TEXT    NOT NULL CHECK (kind IN ('local', 'remote')),
  tenant         TEXT,
  queues         TEXT    NOT NULL DEFAULT '[]',
  types          TEXT    NOT NULL DEFAULT '["*"]',
  concurrency    INTEGER NOT NULL CHECK (concurrency >= 0),
  running        INTEGER NOT NULL DEFAULT 0 CHECK (running >= 0),
  version        TEXT    NOT NULL,
  stale_after_ms INTEGER NOT NULL CHECK (stale_after_ms > 0),
  started_at     INTEGER NOT NULL,
  last_seen_at   INTEGER NOT NULL,
  expires_at     INTEGER NOT NULL,
  CHECK (expires_at = last_seen_at + stale_after_ms)
);

-- One row per name within a tenant scope (local workers and admin-key remote workers share the
-- unscoped one): registration replaces a dead worker's row and refuses a live one's.
CREATE UNIQUE INDEX workers_name_idx ON workers (COALESCE(tenant, ''), name);
-- Listing live workers and pruning dead ones.
CREATE INDEX workers_expires_idx ON workers (expires_at);
