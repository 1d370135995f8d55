/**
 * Tenant settings (SPEC §7): `PUT /tenants/:tenant {tier?, weight?}` (admin) assigns a
 * configured tier (unknown → 400 naming `tier`) and a fair-scheduling weight (1–1000);
 * `GET /tenants/:tenant` shows tier, weight, quota override, effective limits and usage (a
 * producer sees only its own tenant: any other answers 404); `GET /tiers` lists the configured
 * tiers.
 */
import { z } from "zod";
import { SpoolNotFoundError } from "../../core/errors.js";
import { MAX_TENANT_WEIGHT, MIN_TENANT_WEIGHT, type TenantSettings } from "../../core/tiers.js";
import type { AppContext } from "../app-context.js";
import type { ZodApp } from "../zod-app.js";
import { requireRole } from "../auth.js";
import { ErrorResponse, TenantName } from "../contracts.js";
import { CreditsResource, toCreditsResource } from "./credits-resource.js";
import { omitUndefined } from "../route-helpers.js";

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 503: ErrorResponse };

const Limits = z.object({
  daily_limit: z.number().nullable().describe("Jobs per UTC day; null = unlimited"),
  monthly_limit: z.number().nullable().describe("Jobs per UTC month; null = unlimited"),
});

/** A tenant's settings and credits. */
export const TenantSettingsResource = CreditsResource.extend({
  tier: z.string().nullable().describe("The tier that applies (own or default); null = none"),
  assigned_tier: z
    .string()
    .nullable()
    .describe("The tier set with PUT /tenants/:tenant; null = none (the default tier applies)"),
  weight: z.number().describe("Fair-scheduling weight, 1–1000"),
  limits: Limits.describe("Effective limits: the quota's field, else the tier's"),
  quota: Limits.nullable().describe("The per-tenant override (PUT /tenants/:tenant/quota)"),
  updated_at: z.string().nullable(),
});

/** The JSON of a tenant's settings. */
export function toTenantSettingsResource(
  settings: TenantSettings,
): z.infer<typeof TenantSettingsResource> {
  const { credits } = settings;
  return {
    ...toCreditsResource(credits),
    tier: settings.tier,
    assigned_tier: settings.ownTier,
    weight: settings.weight,
    limits: { daily_limit: credits.dailyLimit, monthly_limit: credits.monthlyLimit },
    quota:
      settings.quota === null
        ? null
        : { daily_limit: settings.quota.dailyLimit, monthly_limit: settings.quota.monthlyLimit },
    updated_at: settings.updatedAt?.toISOString() ?? null,
  };
}

/** Registers `PUT /tenants/:tenant`, `GET /tenants/:tenant` and `GET /tiers`. */
export function registerTenantSettingsRoutes(app: ZodApp, ctx: AppContext): void {
  registerPutTenantRoute(app, ctx);
  registerGetTenantRoute(app, ctx);
  registerTiersRoute(app, ctx);
}

/** PUT /tenants/:tenant (admin). */
function registerPutTenantRoute(app: ZodApp, ctx: AppContext): void {
  app.put(
    "/tenants/:tenant",
    {
      schema: {
        summary: "Set a tenant's tier and/or fair-scheduling weight (admin)",
        params: z.strictObject({ tenant: TenantName }),
        body: z.strictObject({
          tier: z
            .string()
            .nullable()
            .optional()
            .describe("A configured tier (GET /tiers); null = none (the default tier applies)"),
          weight: z.number().int().min(MIN_TENANT_WEIGHT).max(MAX_TENANT_WEIGHT).optional(),
        }),
        response: {
          200: TenantSettingsResource,
          ...errors,
          413: ErrorResponse,
          415: ErrorResponse,
        },
      },
    },
    async (request) => {
      requireRole(request.principal, "admin");
      const { tenant } = request.params;
      const patch = omitUndefined(request.body);
      return toTenantSettingsResource(await ctx.spool.setTenant(tenant, patch));
    },
  );
}

/** GET /tenants/:tenant. */
function registerGetTenantRoute(app: ZodApp, ctx: AppContext): void {
  app.get(
    "/tenants/:tenant",
    {
      schema: {
        summary: "A tenant's tier, weight, quota and credits (admin; a producer: its own)",
        params: z.strictObject({ tenant: TenantName }),
        response: { 200: TenantSettingsResource, ...errors, 404: ErrorResponse },
      },
    },
    async (request) => {
      requireRole(request.principal, "admin", "producer");
      const { tenant } = request.params;
      // Another tenant's settings do not exist for a producer (404, never 403).
      if (request.principal.role !== "admin" && request.principal.tenant !== tenant)
        throw new SpoolNotFoundError("tenant", tenant);
      return toTenantSettingsResource(await ctx.spool.tenant(tenant));
    },
  );
}

/** GET /tiers. */
function registerTiersRoute(app: ZodApp, ctx: AppContext): void {
  app.get(
    "/tiers",
    {
      schema: {
        summary: "The configured credit tiers and the default tier",
        response: {
          200: z.object({
            tiers: z.array(Limits.extend({ name: z.string() })),
            default_tier: z.string().nullable(),
          }),
          401: ErrorResponse,
          403: ErrorResponse,
        },
      },
    },
    async (request) => {
      requireRole(request.principal, "admin", "producer");
      const policy = ctx.spool.tierPolicy;
      return {
        tiers: Object.entries(policy.tiers)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, limits]) => ({
            name,
            daily_limit: limits.dailyLimit,
            monthly_limit: limits.monthlyLimit,
          })),
        default_tier: policy.defaultTier,
      };
    },
  );
}
