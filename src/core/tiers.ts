/**
 * Subscription tiers (SPEC §7, seed 004): named sets of credit limits from configuration, a
 * tenant's tier (its own, else the configured default), a per-tenant quota that overrides the
 * tier's limits field by field, and the credits that result. Pure: no I/O, `now` passed in.
 *
 * Decisions (docs/design.md "Tiers and credits"):
 * - effective limit = the quota's field ?? the tier's field (null in a quota = no override);
 * - a tenant is *metered* (its usage counted) when it has a tier or a quota; a tenant with
 *   neither is unlimited and costs the submission path nothing;
 * - a stored tier that the configuration no longer names allows nothing (limits 0/0): a
 *   renamed or removed tier must not silently become unlimited.
 */
import { z } from "zod";
import { SpoolValidationError } from "./errors.js";
import { quotaPeriods, type TenantCredits } from "./quota.js";
import { toValidationError } from "./schema-errors.js";

/** A tier's (or a quota's) limits: jobs per UTC day and per UTC month; null = unlimited. */
export interface TierLimits {
  dailyLimit: number | null;
  monthlyLimit: number | null;
}

/** The configured tiers and the tier of tenants that have none of their own. */
export interface TierPolicy {
  tiers: Readonly<Record<string, TierLimits>>;
  /** Tier of tenants without one; null: such tenants have no tier (unlimited unless a quota). */
  defaultTier: string | null;
}

/** Seed 004's table, plus `unlimited` (SPEC §7). */
export const DEFAULT_TIERS: Readonly<Record<string, TierLimits>> = Object.freeze({
  free: { dailyLimit: 1, monthlyLimit: 30 },
  pro: { dailyLimit: 10, monthlyLimit: 100 },
  elite: { dailyLimit: 20, monthlyLimit: 500 },
  unlimited: { dailyLimit: null, monthlyLimit: null },
});

/** The policy when nothing is configured: the default tiers, no default tier. */
export const DEFAULT_TIER_POLICY: TierPolicy = Object.freeze({
  tiers: DEFAULT_TIERS,
  defaultTier: null,
});

/** Tier names: lower-case letters, digits, `_ . -`; 1–64 characters. */
export const TIER_NAME_RE = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

/** Largest limit a tier or quota may set (the HTTP quota route's bound). */
export const MAX_CREDIT_LIMIT = 1_000_000_000;

/** Fair-scheduling weight bounds (the `tenants.weight` CHECK constraint). */
export const MIN_TENANT_WEIGHT = 1;
export const MAX_TENANT_WEIGHT = 1000;

const limitSchema = z.number().int().min(0).max(MAX_CREDIT_LIMIT).nullable().default(null);
const tierName = z.string().regex(TIER_NAME_RE, "must match [a-z0-9][a-z0-9_.-]{0,63}");

/** The library's camelCase tier options (`Spool.open({ tiers, defaultTier })`). */
export const tierOptionsSchema = z
  .object({
    tiers: z
      .record(tierName, z.strictObject({ dailyLimit: limitSchema, monthlyLimit: limitSchema }))
      .optional(),
    defaultTier: tierName.nullable().optional(),
  })
  .strict();

/** Tier options as `Spool.open` takes them. */
export interface TierOptions {
  /** The tiers by name (replaces the defaults; omitted limits are unlimited). */
  tiers?: Record<string, Partial<TierLimits>>;
  /** Tier of tenants that have none of their own. Default null (none). */
  defaultTier?: string | null;
}

/**
 * Resolves tier options into a policy: `tiers` replaces the defaults as a whole (the
 * configuration is the full list, so a tier can be removed); `defaultTier` must name one.
 */
export function resolveTierPolicy(options: TierOptions = {}): TierPolicy {
  const named = (options as { tiers?: unknown } | null)?.tiers;
  if (typeof named === "object" && named !== null) {
    for (const name of Object.keys(named)) {
      if (!TIER_NAME_RE.test(name))
        throw new SpoolValidationError(
          `tiers.${name}`,
          "tier names match [a-z0-9][a-z0-9_.-]{0,63}",
        );
    }
  }
  const parsed = tierOptionsSchema.safeParse(options);
  if (!parsed.success) throw toValidationError(parsed.error, "tiers");
  const tiers: Record<string, TierLimits> =
    parsed.data.tiers === undefined ? { ...DEFAULT_TIERS } : { ...parsed.data.tiers };
  const defaultTier = parsed.data.defaultTier ?? null;
  if (defaultTier !== null && !Object.hasOwn(tiers, defaultTier)) {
    throw new SpoolValidationError("defaultTier", `names no configured tier (${listTiers(tiers)})`);
  }
  return { tiers: Object.freeze(tiers), defaultTier };
}

/** Throws `SpoolValidationError(field)` unless `tier` is null or a configured tier. */
export function assertKnownTier(
  policy: TierPolicy,
  tier: unknown,
  field = "tier",
): asserts tier is string | null {
  if (tier === null) return;
  if (typeof tier !== "string" || !Object.hasOwn(policy.tiers, tier)) {
    throw new SpoolValidationError(
      field,
      `must be one of ${listTiers(policy.tiers)} (or null for none)`,
    );
  }
}

/** Throws `SpoolValidationError(field)` unless `weight` is an integer in 1…1000. */
export function assertWeight(weight: unknown, field = "weight"): asserts weight is number {
  if (
    typeof weight !== "number" ||
    !Number.isInteger(weight) ||
    weight < MIN_TENANT_WEIGHT ||
    weight > MAX_TENANT_WEIGHT
  ) {
    throw new SpoolValidationError(
      field,
      `must be an integer from ${MIN_TENANT_WEIGHT} to ${MAX_TENANT_WEIGHT}`,
    );
  }
}

function listTiers(tiers: Readonly<Record<string, TierLimits>>): string {
  const names = Object.keys(tiers).sort();
  return names.length === 0 ? "no tiers are configured" : names.join(", ");
}

/** What the store keeps about a tenant (rows of `tenants`, `tenant_quotas`, `tenant_usage`). */
export interface TenantFacts {
  tenant: string;
  /** The tenant's own tier; null: none (the policy's default tier applies). */
  tier: string | null;
  /** Fair-scheduling weight, 1–1000 (1 without a row). */
  weight: number;
  /** The per-tenant quota (override); null when none is set. */
  quota: TierLimits | null;
  /** Jobs charged in the UTC day / month containing the read's `now`. */
  dailyUsed: number;
  monthlyUsed: number;
  /** Last change of the tenant's tier or weight; null when it has no row. */
  updatedAt: Date | null;
}

/** The tier that applies to a tenant: its own, else the default; null when neither. */
export function effectiveTier(ownTier: string | null, policy: TierPolicy): string | null {
  return ownTier ?? policy.defaultTier;
}

/** Whether a tenant's submissions are counted: it has a tier (own or default) or a quota. */
export function isMetered(ownTier: string | null, hasQuota: boolean, policy: TierPolicy): boolean {
  return hasQuota || effectiveTier(ownTier, policy) !== null;
}

/** The limits a tenant submits under: each quota field, else the tier's (see module header). */
export function effectiveLimits(
  ownTier: string | null,
  quota: TierLimits | null,
  policy: TierPolicy,
): TierLimits {
  const tier = effectiveTier(ownTier, policy);
  const tierLimits: TierLimits =
    tier === null
      ? { dailyLimit: null, monthlyLimit: null }
      : (policy.tiers[tier] ?? { dailyLimit: 0, monthlyLimit: 0 });
  return {
    dailyLimit: quota?.dailyLimit ?? tierLimits.dailyLimit,
    monthlyLimit: quota?.monthlyLimit ?? tierLimits.monthlyLimit,
  };
}

/** A tenant's credits at `now` from its stored facts and the policy. */
export function creditsOf(facts: TenantFacts, policy: TierPolicy, now: number): TenantCredits {
  const periods = quotaPeriods(now);
  const limits = effectiveLimits(facts.tier, facts.quota, policy);
  return {
    tenant: facts.tenant,
    tier: effectiveTier(facts.tier, policy),
    dailyLimit: limits.dailyLimit,
    dailyUsed: facts.dailyUsed,
    dailyResetsAt: new Date(periods.dayResetsAt),
    monthlyLimit: limits.monthlyLimit,
    monthlyUsed: facts.monthlyUsed,
    monthlyResetsAt: new Date(periods.monthResetsAt),
  };
}

/** A tenant as the library shows it: tier, weight, quota override and credits. */
export interface TenantSettings {
  tenant: string;
  /** The tenant's own tier (null: none, the default applies). */
  ownTier: string | null;
  /** The tier that applies (own or default); null when none. */
  tier: string | null;
  weight: number;
  /** The per-tenant quota override, null when none. */
  quota: TierLimits | null;
  credits: TenantCredits;
  updatedAt: Date | null;
}

/** The library view of a tenant from its facts. */
export function tenantSettingsOf(
  facts: TenantFacts,
  policy: TierPolicy,
  now: number,
): TenantSettings {
  const credits = creditsOf(facts, policy, now);
  return {
    tenant: facts.tenant,
    ownTier: facts.tier,
    tier: credits.tier,
    weight: facts.weight,
    quota: facts.quota,
    credits,
    updatedAt: facts.updatedAt,
  };
}
