/**
 * Credits (seed 004's usage limits): `GET /credits` shows a tenant its quota and what it used
 * today and this month; admins set quotas with `PUT /tenants/:tenant/quota`. A submission over
 * a quota answers 429 with `Retry-After` (seconds until the period resets).
 */
import { z } from "zod";
import { assertTenant } from "../../core/options.js";
import type { TenantCredits } from "../../core/quota.js";
import type { AppContext, ZodApp } from "../app-context.js";
import { requireRole, visibleTenant } from "../auth.js";
import { CreditsInfo, ErrorResponse, TenantName } from "../contracts.js";

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 503: ErrorResponse };

const PeriodResource = z.object({
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
 * Seed 004's `credits_info`. Tiers do not exist yet (SPEC §7): a tenant with a quota is on the
 * `custom` tier, one without has none (null). `resets_at` is the reset of `period` (the one that
 * refused a submission), else of the day.
 */
export function toCreditsInfo(
  credits: TenantCredits,
  period: "daily" | "monthly" = "daily",
): z.infer<typeof CreditsInfo> {
  const limited = credits.dailyLimit !== null || credits.monthlyLimit !== null;
  return {
    tier: limited ? "custom" : null,
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

function toCreditsResource(credits: TenantCredits): z.infer<typeof CreditsResource> {
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

/** Registers the credit routes. */
export function registerTenantRoutes(app: ZodApp, ctx: AppContext): void {
  app.get(
    "/credits",
    {
      schema: {
        summary: "Your tenant's quota and usage (admins: ?tenant=)",
        querystring: z.strictObject({ tenant: TenantName.optional() }),
        response: { 200: CreditsResource, ...errors },
      },
    },
    async (request) => {
      requireRole(request.principal, "admin", "producer");
      const requested = (request.query as { tenant?: string }).tenant;
      const tenant = visibleTenant(request.principal, requested) ?? request.principal.tenant;
      assertTenant(tenant);
      return toCreditsResource(await ctx.spool.credits(tenant));
    },
  );

  app.put(
    "/tenants/:tenant/quota",
    {
      schema: {
        summary: "Set a tenant's quota (admin); null = unlimited",
        params: z.strictObject({ tenant: TenantName }),
        body: z.strictObject({
          daily_limit: z.number().int().min(0).max(1_000_000_000).nullable(),
          monthly_limit: z.number().int().min(0).max(1_000_000_000).nullable(),
        }),
        response: { 200: CreditsResource, ...errors, 413: ErrorResponse, 415: ErrorResponse },
      },
    },
    async (request) => {
      requireRole(request.principal, "admin");
      const { tenant } = request.params as { tenant: string };
      assertTenant(tenant);
      const body = request.body as { daily_limit: number | null; monthly_limit: number | null };
      return toCreditsResource(
        await ctx.spool.setTenantQuota(tenant, {
          dailyLimit: body.daily_limit,
          monthlyLimit: body.monthly_limit,
        }),
      );
    },
  );
}
