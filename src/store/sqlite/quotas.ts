/** Tenant quotas on SQLite: charged inside the submit transaction, so a refusal writes nothing. */
import { assertWithinQuota, quotaPeriods, type TenantCredits } from "../../core/quota.js";
import type { SqliteConnection } from "./connection.js";
import * as quotasSql from "./sql/quotas.js";

interface QuotaRow {
  daily_limit: number | null;
  monthly_limit: number | null;
}

/** Charges new jobs to their tenants' quotas (inside a write transaction); throws when over. */
export function chargeQuotas(
  db: SqliteConnection,
  newJobsByTenant: ReadonlyMap<string, number>,
  now: number,
): void {
  const periods = quotaPeriods(now);
  for (const [tenant, n] of newJobsByTenant) {
    const quota = db.stmt(quotasSql.SELECT_QUOTA).get({ tenant }) as QuotaRow | undefined;
    if (quota === undefined || n === 0) continue;
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
      { dailyLimit: quota.daily_limit, monthlyLimit: quota.monthly_limit },
      now,
    );
  }
}

/** A tenant's credits now. */
export function tenantCredits(db: SqliteConnection, tenant: string, now: number): TenantCredits {
  return db.guard(() => {
    const periods = quotaPeriods(now);
    const quota = db.stmt(quotasSql.SELECT_QUOTA).get({ tenant }) as QuotaRow | undefined;
    const used = (period: string): number =>
      (db.stmt(quotasSql.SELECT_USAGE).pluck().get({ tenant, period }) as number | undefined) ?? 0;
    return {
      tenant,
      dailyLimit: quota?.daily_limit ?? null,
      dailyUsed: used(periods.day),
      dailyResetsAt: new Date(periods.dayResetsAt),
      monthlyLimit: quota?.monthly_limit ?? null,
      monthlyUsed: used(periods.month),
      monthlyResetsAt: new Date(periods.monthResetsAt),
    };
  });
}

/** Sets (or clears, with nulls) a tenant's quota. */
export function setTenantQuota(
  db: SqliteConnection,
  params: { tenant: string; dailyLimit: number | null; monthlyLimit: number | null; now: number },
): TenantCredits {
  db.write(() =>
    db.stmt(quotasSql.UPSERT_QUOTA).run({
      tenant: params.tenant,
      daily_limit: params.dailyLimit,
      monthly_limit: params.monthlyLimit,
      now: params.now,
    }),
  );
  return tenantCredits(db, params.tenant, params.now);
}
