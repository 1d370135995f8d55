/**
 * Per-tenant settings on PostgreSQL (SPEC §7): the tenant's tier and fair-scheduling weight in
 * `tenants`, read together with its quota override and usage as `TenantFacts` in one statement.
 */
import { quotaPeriods } from "../../core/quota.js";
import type { TenantFacts } from "../../core/tiers.js";
import { runStatement, type Queryable, type Statements } from "./postgres-pool.js";

interface FactsRow {
  tenant: string;
  tier: string | null;
  weight: number;
  updated_at: number | null;
  has_quota: boolean;
  daily_limit: number | null;
  monthly_limit: number | null;
  daily_used: number;
  monthly_used: number;
}

function rowToFacts(row: FactsRow): TenantFacts {
  return {
    tenant: row.tenant,
    tier: row.tier,
    weight: row.weight,
    quota: row.has_quota ? { dailyLimit: row.daily_limit, monthlyLimit: row.monthly_limit } : null,
    dailyUsed: row.daily_used,
    monthlyUsed: row.monthly_used,
    updatedAt: row.updated_at === null ? null : new Date(row.updated_at),
  };
}

/** The stored facts of `tenants` at `now`, in the order given. */
export async function readTenantFacts(
  on: Queryable,
  statements: Statements,
  tenants: readonly string[],
  now: number,
): Promise<TenantFacts[]> {
  if (tenants.length === 0) return [];
  const periods = quotaPeriods(now);
  const result = await runStatement<FactsRow>(on, statements.SELECT_TENANT_FACTS, [
    tenants,
    periods.day,
    periods.month,
  ]);
  return result.rows.map(rowToFacts);
}

/** A tenant's stored facts at `now` (defaults for a tenant never configured). */
export async function getTenant(
  on: Queryable,
  statements: Statements,
  tenant: string,
  now: number,
): Promise<TenantFacts> {
  const [facts] = await readTenantFacts(on, statements, [tenant], now);
  return facts!;
}

/** Sets a tenant's tier and/or weight (undefined leaves a field alone); returns its facts. */
export async function putTenant(
  on: Queryable,
  statements: Statements,
  params: { tenant: string; tier?: string | null; weight?: number; now: number },
): Promise<TenantFacts> {
  await runStatement(on, statements.UPSERT_TENANT_SETTINGS, [
    params.tenant,
    params.tier ?? null,
    params.tier !== undefined,
    params.weight ?? 1,
    params.weight !== undefined,
    params.now,
  ]);
  return getTenant(on, statements, params.tenant, params.now);
}

/** Tenants with settings or a quota, by name, after `after`; at most `limit`. */
export async function listTenants(
  on: Queryable,
  statements: Statements,
  params: { now: number; limit: number; after?: string },
): Promise<TenantFacts[]> {
  const names = await runStatement<{ tenant: string }>(on, statements.SELECT_TENANT_NAMES, [
    params.after ?? "",
    params.limit,
  ]);
  return readTenantFacts(
    on,
    statements,
    names.rows.map((row) => row.tenant),
    params.now,
  );
}
