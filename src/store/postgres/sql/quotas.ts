/** Named PostgreSQL statements for tenant quotas (the same names as SQLite's where they match). */
import type { SqlTemplate } from "./names.js";

/** $1 tenant, $2 daily_limit, $3 monthly_limit, $4 now */
export const UPSERT_QUOTA: SqlTemplate = (t) => `
INSERT INTO ${t.tenantQuotas} (tenant, daily_limit, monthly_limit, updated_at)
VALUES ($1, $2, $3, $4)
ON CONFLICT (tenant) DO UPDATE SET daily_limit = excluded.daily_limit,
  monthly_limit = excluded.monthly_limit, updated_at = excluded.updated_at`;

/**
 * $1 tenants text[] (sorted: racing submissions lock usage rows in one order), $2 new-job
 * counts int[] (one per tenant), $3 day period, $4 month period, $5 whether a default tier
 * applies (every tenant is metered) — adds each count to the day's and month's usage of the
 * metered tenants (a tier of their own, a quota, or $5); returns their tier, quota override
 * and new totals (the caller checks the limits and rolls back when over). The usage upsert
 * takes each row's lock until commit, so racing submitters in any process count exactly.
 * Divergence from SQLite's per-tenant CHARGE_USAGE: one statement for all tenants of a
 * (group-committed) submission.
 */
export const CHARGE_QUOTAS: SqlTemplate = (t) => `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::int8[]) WITH ORDINALITY AS i(tenant, n, ord)
), metered AS (
  SELECT i.tenant, i.n, i.ord, s.tier, (q.tenant IS NOT NULL) AS has_quota,
    q.daily_limit, q.monthly_limit
  FROM input AS i
  LEFT JOIN ${t.tenants} AS s ON s.tenant = i.tenant
  LEFT JOIN ${t.tenantQuotas} AS q ON q.tenant = i.tenant
  WHERE q.tenant IS NOT NULL OR s.tier IS NOT NULL OR $5::boolean
), charged AS (
  INSERT INTO ${t.tenantUsage} AS u (tenant, period, used)
  SELECT m.tenant, p.period, m.n FROM metered AS m
  CROSS JOIN (VALUES (1, $3::text), (2, $4::text)) AS p(k, period)
  ORDER BY m.ord, p.k
  ON CONFLICT (tenant, period) DO UPDATE SET used = u.used + excluded.used
  RETURNING tenant, period, used
)
SELECT m.tenant, m.tier, m.has_quota, m.daily_limit::int8, m.monthly_limit::int8,
  max(c.used) FILTER (WHERE c.period = $3)::int8 AS daily_used,
  max(c.used) FILTER (WHERE c.period = $4)::int8 AS monthly_used
FROM metered AS m JOIN charged AS c ON c.tenant = m.tenant
GROUP BY m.tenant, m.tier, m.has_quota, m.daily_limit, m.monthly_limit`;

/** $1 tenant — removes a tenant's quota override (its tier's limits apply again). */
export const DELETE_QUOTA: SqlTemplate = (t) => `DELETE FROM ${t.tenantQuotas} WHERE tenant = $1`;
