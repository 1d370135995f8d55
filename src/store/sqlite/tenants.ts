/**
 * Per-tenant settings on SQLite (SPEC §7): the tenant's tier and fair-scheduling weight in
 * `tenants`, read together with its quota override and usage as one `TenantFacts`.
 */
import { quotaPeriods } from "../../core/quota.js";
import type { TenantFacts, TierLimits } from "../../core/tiers.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import * as quotasSql from "./sql/quotas.js";
import * as tenantsSql from "./sql/tenants.js";

interface TenantRow {
  tier: string | null;
  weight: number;
  updated_at: number;
}

interface QuotaRow {
  daily_limit: number | null;
  monthly_limit: number | null;
}

/** The tenant's own tier (or null) and its quota override (or null), inside any transaction. */
export function readTenantLimits(
  db: SqliteConnection,
  tenant: string,
): { tier: string | null; quota: TierLimits | null } {
  const row = db.stmt(tenantsSql.SELECT_TENANT_SETTINGS).get({ tenant }) as TenantRow | undefined;
  return { tier: row?.tier ?? null, quota: readQuota(db, tenant) };
}

function readQuota(db: SqliteConnection, tenant: string): TierLimits | null {
  const quota = db.stmt(quotasSql.SELECT_QUOTA).get({ tenant }) as QuotaRow | undefined;
  return quota === undefined
    ? null
    : { dailyLimit: quota.daily_limit, monthlyLimit: quota.monthly_limit };
}

function readFacts(db: SqliteConnection, tenant: string, now: number): TenantFacts {
  const periods = quotaPeriods(now);
  const row = db.stmt(tenantsSql.SELECT_TENANT_SETTINGS).get({ tenant }) as TenantRow | undefined;
  const used = (period: string): number =>
    (db.stmt(quotasSql.SELECT_USAGE).pluck().get({ tenant, period }) as number | undefined) ?? 0;
  return {
    tenant,
    tier: row?.tier ?? null,
    weight: row?.weight ?? 1,
    quota: readQuota(db, tenant),
    dailyUsed: used(periods.day),
    monthlyUsed: used(periods.month),
    updatedAt: row === undefined ? null : new Date(row.updated_at),
  };
}

/** A tenant's stored facts at `now` (defaults for a tenant never configured). */
export function getTenant(db: SqliteConnection, tenant: string, now: number): TenantFacts {
  return db.guard(() => readFacts(db, tenant, now));
}

/** Sets a tenant's tier and/or weight (undefined leaves a field alone); returns its facts. */
export function putTenant(
  db: SqliteConnection,
  params: { tenant: string; tier?: string | null; weight?: number; now: number },
): TenantFacts {
  return db.write(() => {
    db.stmt(tenantsSql.UPSERT_TENANT_SETTINGS).run({
      tenant: params.tenant,
      tier: params.tier ?? null,
      set_tier: params.tier === undefined ? 0 : 1,
      weight: params.weight ?? 1,
      set_weight: params.weight === undefined ? 0 : 1,
      now: params.now,
    });
    return readFacts(db, params.tenant, params.now);
  });
}

/** Tenants with settings or a quota, by name, after `after`; at most `limit`. */
export function listTenants(
  db: SqliteConnection,
  params: { now: number; limit: number; after?: string },
): TenantFacts[] {
  return db.guard(() => {
    const names = db
      .stmt(tenantsSql.SELECT_TENANT_NAMES)
      .pluck()
      .all({ after: params.after ?? "", limit: params.limit }) as string[];
    return names.map((tenant) => readFacts(db, tenant, params.now));
  });
}
