/** Named PostgreSQL statements for per-tenant settings (tier, weight; SPEC §7). */
import type { SqlTemplate } from "./names.js";

/**
 * $1 tenants text[], $2 day period, $3 month period — per tenant: its settings row (tier,
 * weight, updated_at; NULLs without one), its quota override and its usage in both periods.
 * Divergence from SQLite (three lookups per tenant): one statement for any number of tenants.
 */
export const SELECT_TENANT_FACTS: SqlTemplate = (t) => `
SELECT i.tenant, s.tier, coalesce(s.weight, 1)::int4 AS weight, s.updated_at::int8,
  (q.tenant IS NOT NULL) AS has_quota, q.daily_limit::int8, q.monthly_limit::int8,
  coalesce((SELECT u.used FROM ${t.tenantUsage} AS u WHERE u.tenant = i.tenant AND u.period = $2), 0)::int8 AS daily_used,
  coalesce((SELECT u.used FROM ${t.tenantUsage} AS u WHERE u.tenant = i.tenant AND u.period = $3), 0)::int8 AS monthly_used
FROM unnest($1::text[]) WITH ORDINALITY AS i(tenant, ord)
LEFT JOIN ${t.tenants} AS s ON s.tenant = i.tenant
LEFT JOIN ${t.tenantQuotas} AS q ON q.tenant = i.tenant
ORDER BY i.ord`;

/**
 * $1 tenant, $2 tier, $3 set tier (boolean), $4 weight, $5 set weight (boolean), $6 now —
 * creates or changes a tenant's row; a field whose flag is false keeps its stored value (or
 * the default on insert).
 */
export const UPSERT_TENANT_SETTINGS: SqlTemplate = (t) => `
INSERT INTO ${t.tenants} AS s (tenant, tier, weight, updated_at)
VALUES ($1, CASE WHEN $3::boolean THEN $2::text END,
  CASE WHEN $5::boolean THEN $4::int4 ELSE 1 END, $6)
ON CONFLICT (tenant) DO UPDATE SET
  tier = CASE WHEN $3::boolean THEN excluded.tier ELSE s.tier END,
  weight = CASE WHEN $5::boolean THEN excluded.weight ELSE s.weight END,
  updated_at = excluded.updated_at`;

/** $1 after, $2 limit — names of tenants with settings or a quota, after $1, by name. */
export const SELECT_TENANT_NAMES: SqlTemplate = (t) => `
SELECT tenant FROM (SELECT tenant FROM ${t.tenants} UNION SELECT tenant FROM ${t.tenantQuotas}) AS n
WHERE tenant > $1 ORDER BY tenant LIMIT $2`;
