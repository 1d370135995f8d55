/**
 * Tenant credits on SQLite: charged inside the submit transaction, so a refusal writes
 * nothing. The limits are the tenant's quota override, else its tier's (core/tiers.ts); only
 * metered tenants (a tier or a quota) are counted.
 */
import { assertWithinQuota, quotaPeriods, type TenantCredits } from "../../core/quota.js";
import {
  DEFAULT_TIER_POLICY,
  creditsOf,
  effectiveLimits,
  isMetered,
  type TierPolicy,
} from "../../core/tiers.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import * as quotasSql from "./sql/quotas.js";
import { getTenant, readTenantLimits } from "./tenants.js";

/** Charges new jobs to their tenants' credits (inside a write transaction); throws when over. */
export function chargeQuotas(
  db: SqliteConnection,
  newJobsByTenant: ReadonlyMap<string, number>,
  now: number,
  policy: TierPolicy = DEFAULT_TIER_POLICY,
): void {
  const periods = quotaPeriods(now);
  for (const [tenant, n] of newJobsByTenant) {
    if (n === 0) continue;
    const { tier, quota } = readTenantLimits(db, tenant);
    if (!isMetered(tier, quota !== null, policy)) continue;
    const dailyUsed = db
      .stmt(quotasSql.CHARGE_USAGE)
      .pluck()
      .get({ tenant, period: periods.day, n }) as number;
    const monthlyUsed = db
      .stmt(quotasSql.CHARGE_USAGE)
      .pluck()
      .get({ tenant, period: periods.month, n }) as number;
    assertWithinQuota(
      tenant,
      { dailyUsed, monthlyUsed },
      effectiveLimits(tier, quota, policy),
      now,
    );
  }
}

/** A tenant's credits now. */
export function tenantCredits(
  db: SqliteConnection,
  tenant: string,
  now: number,
  policy: TierPolicy = DEFAULT_TIER_POLICY,
): TenantCredits {
  return creditsOf(getTenant(db, tenant, now), policy, now);
}

/** Sets (or clears, with nulls) a tenant's quota override. */
export function setTenantQuota(
  db: SqliteConnection,
  params: {
    tenant: string;
    dailyLimit: number | null;
    monthlyLimit: number | null;
    now: number;
    tiers?: TierPolicy;
  },
): TenantCredits {
  // Both null: no override left, so the row goes (the tenant is back on its tier's limits).
  const cleared = params.dailyLimit === null && params.monthlyLimit === null;
  db.write(() =>
    cleared
      ? db.stmt(quotasSql.DELETE_QUOTA).run({ tenant: params.tenant })
      : db.stmt(quotasSql.UPSERT_QUOTA).run({
          tenant: params.tenant,
          daily_limit: params.dailyLimit,
          monthly_limit: params.monthlyLimit,
          now: params.now,
        }),
  );
  return tenantCredits(db, params.tenant, params.now, params.tiers);
}
