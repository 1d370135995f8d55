/** Named SQLite statements for per-tenant settings (tier, weight; SPEC §7). */

/** @tenant — the tenant's row (tier, weight, updated_at), if any. */
export const SELECT_TENANT_SETTINGS = `SELECT tier, weight, updated_at FROM tenants WHERE tenant = @tenant`;

/**
 * @tenant @tier @set_tier (0/1) @weight @set_weight (0/1) @now — creates or changes a tenant's
 * row; a field whose `set_` flag is 0 keeps its stored value (or the default on insert).
 */
export const UPSERT_TENANT_SETTINGS = `
INSERT INTO tenants (tenant, tier, weight, updated_at)
VALUES (@tenant, CASE WHEN @set_tier = 1 THEN @tier END,
  CASE WHEN @set_weight = 1 THEN @weight ELSE 1 END, @now)
ON CONFLICT (tenant) DO UPDATE SET
  tier = CASE WHEN @set_tier = 1 THEN excluded.tier ELSE tier END,
  weight = CASE WHEN @set_weight = 1 THEN excluded.weight ELSE weight END,
  updated_at = excluded.updated_at`;

/**
 * @after @limit — names of tenants that have settings or a quota, after `after` in name
 * order (keyset paging).
 */
export const SELECT_TENANT_NAMES = `
SELECT tenant FROM (SELECT tenant FROM tenants UNION SELECT tenant FROM tenant_quotas)
WHERE tenant > @after ORDER BY tenant LIMIT @limit`;
