/**
 * Part of the store contract (`Store`, store.ts, states the conventions).
 * Tenants, their tiers and quotas.
 */
import type { TenantCredits } from "../../core/quota.js";
import type { TenantFacts, TierPolicy } from "../../core/tiers.js";

/** Tenants, their tiers and quotas. */
export interface TenantStore {
  /**
   * Sets a tenant's quota override (a null field: the tier's limit; both null: no override);
   * returns its credits now under `tiers`.
   */
  setTenantQuota(params: {
    tenant: string;
    dailyLimit: number | null;
    monthlyLimit: number | null;
    now: number;
    tiers?: TierPolicy;
  }): Promise<TenantCredits>;
  /** A tenant's limits (override, else tier) and usage in the current periods. */
  tenantCredits(params: {
    tenant: string;
    now: number;
    tiers?: TierPolicy;
  }): Promise<TenantCredits>;
  /**
   * Sets a tenant's tier (null: none) and/or fair-scheduling weight (1–1000); an undefined
   * field keeps its value. Tier names are not checked here (the caller knows the policy).
   */
  putTenant(params: {
    tenant: string;
    tier?: string | null;
    weight?: number;
    now: number;
  }): Promise<TenantFacts>;
  /** A tenant's tier, weight, quota override and usage at `now` (defaults when unknown). */
  getTenant(params: { tenant: string; now: number }): Promise<TenantFacts>;
  /** Tenants with a tier/weight row or a quota, by name after `after`; at most `limit`. */
  listTenants(params: { now: number; limit: number; after?: string }): Promise<TenantFacts[]>;
}
