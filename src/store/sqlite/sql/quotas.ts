/** Named SQLite statements for tenant quotas. */

/** @tenant */
export const SELECT_QUOTA = `SELECT daily_limit, monthly_limit FROM tenant_quotas WHERE tenant = @tenant`;

/** @tenant @daily_limit @monthly_limit @now */
export const UPSERT_QUOTA = `
INSERT INTO tenant_quotas (tenant, daily_limit, monthly_limit, updated_at)
VALUES (@tenant, @daily_limit, @monthly_limit, @now)
ON CONFLICT (tenant) DO UPDATE SET daily_limit = excluded.daily_limit,
  monthly_limit = excluded.monthly_limit, updated_at = excluded.updated_at`;

/** @tenant @period @n — adds `n` to a period's usage; returns the new total. */
export const CHARGE_USAGE = `
INSERT INTO tenant_usage (tenant, period, used) VALUES (@tenant, @period, @n)
ON CONFLICT (tenant, period) DO UPDATE SET used = used + excluded.used
RETURNING used`;

/** @tenant @period */
export const SELECT_USAGE = `SELECT used FROM tenant_usage WHERE tenant = @tenant AND period = @period`;

/** @tenant — removes a tenant's quota override (its tier's limits apply again). */
export const DELETE_QUOTA = `DELETE FROM tenant_quotas WHERE tenant = @tenant`;
