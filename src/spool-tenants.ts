/**
 * The tenant operations of the library facade (SPEC §7): tiers and weights, quota overrides,
 * credits. `Spool` keeps one-line methods; the checks and the store calls live here.
 */
import { SpoolValidationError } from "./core/errors.js";
import { assertInteger, assertTenant } from "./core/options.js";
import type { TenantCredits } from "./core/quota.js";
import {
  MAX_CREDIT_LIMIT,
  assertKnownTier,
  assertWeight,
  tenantSettingsOf,
  type TenantSettings,
  type TierLimits,
  type TierPolicy,
} from "./core/tiers.js";
import type { Store } from "./store/store.js";

/** What `spool.setTenant` changes; an omitted field keeps its value. */
export interface TenantSettingsPatch {
  /** A configured tier, or null for none (the default tier applies). */
  tier?: string | null;
  /** Fair-scheduling weight, 1–1000 (default 1). */
  weight?: number;
}

/** A quota override: jobs per UTC day / month; a null field falls back to the tier's. */
export type QuotaLimits = TierLimits;

/** Options of `spool.tenants()`. */
export interface ListTenantsOptions {
  /** Only tenants named after this one (keyset paging). */
  after?: string;
  /** 1–1000. Default 100. */
  limit?: number;
}

/** The store, the tier policy and the time a tenant operation runs with. */
export interface TenantContext {
  store: Store;
  tiers: TierPolicy;
  now: number;
}

/** Checks and applies a tier/weight change; returns the tenant's settings after it. */
export async function setTenantSettings(
  ctx: TenantContext,
  tenant: string,
  patch: TenantSettingsPatch,
): Promise<TenantSettings> {
  assertTenant(tenant);
  if (typeof patch !== "object" || patch === null || Array.isArray(patch))
    throw new SpoolValidationError("settings", "must be an object");
  for (const key of Object.keys(patch)) {
    if (key !== "tier" && key !== "weight")
      throw new SpoolValidationError(key, "is not a known option");
  }
  if (patch.tier !== undefined) assertKnownTier(ctx.tiers, patch.tier);
  if (patch.weight !== undefined) assertWeight(patch.weight);
  const facts = await ctx.store.putTenant({
    tenant,
    ...(patch.tier === undefined ? {} : { tier: patch.tier }),
    ...(patch.weight === undefined ? {} : { weight: patch.weight }),
    now: ctx.now,
  });
  return tenantSettingsOf(facts, ctx.tiers, ctx.now);
}

/** A tenant's tier, weight, override and credits (defaults for a tenant never configured). */
export async function readTenantSettings(
  ctx: TenantContext,
  tenant: string,
): Promise<TenantSettings> {
  assertTenant(tenant);
  const facts = await ctx.store.getTenant({ tenant, now: ctx.now });
  return tenantSettingsOf(facts, ctx.tiers, ctx.now);
}

/** Tenants that have a tier/weight or a quota, by name. */
export async function listTenantSettings(
  ctx: TenantContext,
  options: ListTenantsOptions = {},
): Promise<TenantSettings[]> {
  const limit = options.limit ?? 100;
  assertInteger(limit, "limit", 1, 1000);
  if (options.after !== undefined) assertTenant(options.after, "after");
  const facts = await ctx.store.listTenants({
    now: ctx.now,
    limit,
    ...(options.after === undefined ? {} : { after: options.after }),
  });
  return facts.map((one) => tenantSettingsOf(one, ctx.tiers, ctx.now));
}

/** Checks and sets a tenant's quota override (a null field: the tier's limit). */
export async function setQuotaOverride(
  ctx: TenantContext,
  tenant: string,
  limits: TierLimits,
): Promise<TenantCredits> {
  assertTenant(tenant);
  if (typeof limits !== "object" || limits === null)
    throw new SpoolValidationError("limits", "must be an object");
  for (const field of ["dailyLimit", "monthlyLimit"] as const) {
    const value = limits[field];
    if (value !== null) assertInteger(value, field, 0, MAX_CREDIT_LIMIT);
  }
  return ctx.store.setTenantQuota({
    tenant,
    dailyLimit: limits.dailyLimit,
    monthlyLimit: limits.monthlyLimit,
    now: ctx.now,
    tiers: ctx.tiers,
  });
}

/** A tenant's credits: effective limits and usage today and this month. */
export async function readCredits(ctx: TenantContext, tenant: string): Promise<TenantCredits> {
  assertTenant(tenant);
  return ctx.store.tenantCredits({ tenant, now: ctx.now, tiers: ctx.tiers });
}
