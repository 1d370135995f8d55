/**
 * Tenant credits on PostgreSQL: charged inside the submit transaction, so a refusal writes
 * nothing. The limits are the tenant's quota override, else its tier's (core/tiers.ts); only
 * metered tenants (a tier or a quota) are counted.
 */
import { assertWithinQuota, quotaPeriods, type TenantCredits } from "../../core/quota.js";
import {
  DEFAULT_TIER_POLICY,
  creditsOf,
  effectiveLimits,
  type TierPolicy,
} from "../../core/tiers.js";
import { runStatement, type Queryable, type Statements } from "./postgres-pool.js";
import { getTenant } from "./tenants.js";

/** Charges new jobs to their tenants' credits (inside the submit transaction); throws when over. */
export async function chargeQuotas(
  on: Queryable,
  statements: Statements,
  newJobsByTenant: ReadonlyMap<string, number>,
  now: number,
  policy: TierPolicy = DEFAULT_TIER_POLICY,
): Promise<void> {
  if (newJobsByTenant.size === 0) return;
  const periods = quotaPeriods(now);
  // Sorted: two submissions charging the same tenants lock their usage rows in one order.
  const tenants = [...newJobsByTenant.keys()].sort();
  const result = await runStatement<{
    tenant: string;
    tier: string | null;
    has_quota: boolean;
    daily_limit: number | null;
    monthly_limit: number | null;
    daily_used: number;
    monthly_used: number;
  }>(on, statements.CHARGE_QUOTAS, [
    tenants,
    tenants.map((tenant) => newJobsByTenant.get(tenant)!),
    periods.day,
    periods.month,
    policy.defaultTier !== null,
  ]);
  for (const row of result.rows) {
    const quota = row.has_quota
      ? { dailyLimit: row.daily_limit, monthlyLimit: row.monthly_limit }
      : null;
    assertWithinQuota(
      row.tenant,
      { dailyUsed: row.daily_used, monthlyUsed: row.monthly_used },
      effectiveLimits(row.tier, quota, policy),
      now,
    );
  }
}

/** A tenant's credits now. */
export async function tenantCredits(
  on: Queryable,
  statements: Statements,
  tenant: string,
  now: number,
  policy: TierPolicy = DEFAULT_TIER_POLICY,
): Promise<TenantCredits> {
  return creditsOf(await getTenant(on, statements, tenant, now), policy, now);
}

/** Sets (or clears, with nulls) a tenant's quota override. */
export async function setTenantQuota(
  on: Queryable,
  statements: Statements,
  params: {
    tenant: string;
    dailyLimit: number | null;
    monthlyLimit: number | null;
    now: number;
    tiers?: TierPolicy;
  },
): Promise<TenantCredits> {
  // Both null: no override left, so the row goes (the tenant is back on its tier's limits).
  if (params.dailyLimit === null && params.monthlyLimit === null) {
    await runStatement(on, statements.DELETE_QUOTA, [params.tenant]);
  } else {
    await runStatement(on, statements.UPSERT_QUOTA, [
      params.tenant,
      params.dailyLimit,
      params.monthlyLimit,
      params.now,
    ]);
  }
  return tenantCredits(on, statements, params.tenant, params.now, params.tiers);
}
