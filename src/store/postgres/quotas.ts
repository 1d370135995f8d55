/** Tenant quotas on PostgreSQL: charged inside the submit transaction, so a refusal writes nothing. */
import { assertWithinQuota, quotaPeriods, type TenantCredits } from "../../core/quota.js";
import { runStatement, type Queryable, type Statements } from "./postgres-pool.js";

/** Charges new jobs to their tenants' quotas (inside the submit transaction); throws when over. */
export async function chargeQuotas(
  on: Queryable,
  statements: Statements,
  newJobsByTenant: ReadonlyMap<string, number>,
  now: number,
): Promise<void> {
  if (newJobsByTenant.size === 0) return;
  const periods = quotaPeriods(now);
  const result = await runStatement<{
    tenant: string;
    daily_limit: number | null;
    monthly_limit: number | null;
    daily_used: number;
    monthly_used: number;
  }>(on, statements.CHARGE_QUOTAS, [
    [...newJobsByTenant.keys()],
    [...newJobsByTenant.values()],
    periods.day,
    periods.month,
  ]);
  for (const row of result.rows) {
    assertWithinQuota(
      row.tenant,
      { dailyUsed: row.daily_used, monthlyUsed: row.monthly_used },
      { dailyLimit: row.daily_limit, monthlyLimit: row.monthly_limit },
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
): Promise<TenantCredits> {
  const periods = quotaPeriods(now);
  const [quota, usage] = await Promise.all([
    runStatement<{ daily_limit: number | null; monthly_limit: number | null }>(
      on,
      statements.SELECT_QUOTA,
      [tenant],
    ),
    runStatement<{ daily_used: number; monthly_used: number }>(on, statements.SELECT_USAGE, [
      tenant,
      periods.day,
      periods.month,
    ]),
  ]);
  return {
    tenant,
    dailyLimit: quota.rows[0]?.daily_limit ?? null,
    dailyUsed: usage.rows[0]?.daily_used ?? 0,
    dailyResetsAt: new Date(periods.dayResetsAt),
    monthlyLimit: quota.rows[0]?.monthly_limit ?? null,
    monthlyUsed: usage.rows[0]?.monthly_used ?? 0,
    monthlyResetsAt: new Date(periods.monthResetsAt),
  };
}

/** Sets (or clears, with nulls) a tenant's quota. */
export async function setTenantQuota(
  on: Queryable,
  statements: Statements,
  params: { tenant: string; dailyLimit: number | null; monthlyLimit: number | null; now: number },
): Promise<TenantCredits> {
  await runStatement(on, statements.UPSERT_QUOTA, [
    params.tenant,
    params.dailyLimit,
    params.monthlyLimit,
    params.now,
  ]);
  return tenantCredits(on, statements, params.tenant, params.now);
}
