/** Named PostgreSQL statements for tenant quotas (the same names as SQLite's where they match). */
import type { SqlTemplate } from "./names.js";

/** $1 tenant */
export const SELECT_QUOTA: SqlTemplate = (t) =>
  `SELECT daily_limit::int8, monthly_limit::int8 FROM ${t.tenantQuotas} WHERE tenant = $1`;

/** $1 tenant, $2 daily_limit, $3 monthly_limit, $4 now */
export const UPSERT_QUOTA: SqlTemplate = (t) => `
INSERT INTO ${t.tenantQuotas} (tenant, daily_limit, monthly_limit, updated_at)
VALUES ($1, $2, $3, $4)
ON CONFLICT (tenant) DO UPDATE SET daily_limit = excluded.daily_limit,
  monthly_limit = excluded.monthly_limit, updated_at = excluded.updated_at`;

/** $1 tenant, $2 day period, $3 month period */
export const SELECT_USAGE: SqlTemplate = (t) => `
SELECT coalesce(max(used) FILTER (WHERE period = $2), 0)::int8 AS daily_used,
  coalesce(max(used) FILTER (WHERE period = $3), 0)::int8 AS monthly_used
FROM ${t.tenantUsage} WHERE tenant = $1 AND period IN ($2, $3)`;

/**
 * $1 tenants text[], $2 new-job counts int[] (one per tenant), $3 day period, $4 month period —
 * adds each count to the day's and month's usage of tenants that have a quota; returns their
 * limits and new totals. Divergence from SQLite's per-tenant CHARGE_USAGE: one statement for
 * all tenants of a (group-committed) submission.
 */
export const CHARGE_QUOTAS: SqlTemplate = (t) => `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::int8[]) AS i(tenant, n)
), quota AS (
  SELECT q.tenant, q.daily_limit, q.monthly_limit, i.n
  FROM ${t.tenantQuotas} AS q JOIN input AS i ON i.tenant = q.tenant
), charged AS (
  INSERT INTO ${t.tenantUsage} AS u (tenant, period, used)
  SELECT quota.tenant, p.period, quota.n FROM quota CROSS JOIN (VALUES ($3::text), ($4::text)) AS p(period)
  ON CONFLICT (tenant, period) DO UPDATE SET used = u.used + excluded.used
  RETURNING tenant, period, used
)
SELECT quota.tenant, quota.daily_limit::int8, quota.monthly_limit::int8,
  max(charged.used) FILTER (WHERE charged.period = $3)::int8 AS daily_used,
  max(charged.used) FILTER (WHERE charged.period = $4)::int8 AS monthly_used
FROM quota JOIN charged ON charged.tenant = quota.tenant
GROUP BY quota.tenant, quota.daily_limit, quota.monthly_limit`;
