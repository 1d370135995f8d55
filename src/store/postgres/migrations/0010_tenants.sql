-- Version 10 (PostgreSQL): per-tenant settings (tier, fair-scheduling weight); mirrors SQLite's
-- 0008.

CREATE TABLE tenants (
  tenant     TEXT    PRIMARY KEY,
  tier       TEXT,
  weight     INTEGER NOT NULL DEFAULT 1 CHECK (weight BETWEEN 1 AND 1000),
  updated_at BIGINT  NOT NULL
);
