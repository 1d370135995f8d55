/** The JSON of a tenant's credits: `GET /credits`, the tenant routes and the credits 429. */
import { z } from "zod";
import type { TenantCredits } from "../../core/quota.js";
import { CreditsInfo } from "../contracts.js";

/** One credit period. */
export const PeriodResource = z.object({
  limit: z.number().nullable().describe("Jobs per period; null = unlimited"),
  used: z.number(),
  remaining: z.number().nullable(),
  resets_at: z.string(),
});

/** A tenant's credits. */
export const CreditsResource = z.object({
  tenant: z.string(),
  daily: PeriodResource,
  monthly: PeriodResource,
  credits_info: CreditsInfo.describe("The same facts in seed 004's shape"),
});

/**
 * Seed 004's `credits_info`. `tier` is the tenant's tier (own or default, SPEC §7); a tenant
 * without one but with a quota is on `custom`, one with neither has none (null). `resets_at` is
 * the reset of `period` (the one that refused a submission), else of the day.
 */
export function toCreditsInfo(
  credits: TenantCredits,
  period: "daily" | "monthly" = "daily",
): z.infer<typeof CreditsInfo> {
  const limited = credits.dailyLimit !== null || credits.monthlyLimit !== null;
  return {
    tier: credits.tier ?? (limited ? "custom" : null),
    daily_limit: credits.dailyLimit,
    daily_used: credits.dailyUsed,
    monthly_limit: credits.monthlyLimit,
    monthly_used: credits.monthlyUsed,
    resets_at: (period === "monthly"
      ? credits.monthlyResetsAt
      : credits.dailyResetsAt
    ).toISOString(),
  };
}

/** The JSON of a tenant's credits. */
export function toCreditsResource(credits: TenantCredits): z.infer<typeof CreditsResource> {
  const period = (
    limit: number | null,
    used: number,
    resetsAt: Date,
  ): z.infer<typeof PeriodResource> => ({
    limit,
    used,
    remaining: limit === null ? null : Math.max(0, limit - used),
    resets_at: resetsAt.toISOString(),
  });
  return {
    tenant: credits.tenant,
    daily: period(credits.dailyLimit, credits.dailyUsed, credits.dailyResetsAt),
    monthly: period(credits.monthlyLimit, credits.monthlyUsed, credits.monthlyResetsAt),
    credits_info: toCreditsInfo(credits),
  };
}
