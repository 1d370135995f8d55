-- Version 8: per-tenant settings (SPEC §7): the tenant's tier (seed 004's subscription tiers,
-- named in configuration; NULL = no tier) and its weight in fair scheduling (a tenant of
-- weight 2 is started twice as often as one of weight 1 while both have ready jobs). A tenant
-- without a row has no tier and weight 1. Per-tenant quota overrides stay in tenant_quotas.

CREATE TABLE tenants (
  tenant     TEXT    PRIMARY KEY,
  tier       TEXT,
  weight     INTEGER NOT NULL DEFAULT 1 CHECK (weight BETWEEN 1 AND 1000),
  updated_at INTEGER NOT NULL
);
