/**
 * Credits (seed 004's usage limits): `GET /credits` shows a tenant its limits (its quota
 * override, else its tier's) and what it used today and this month; admins set overrides with
 * `PUT /tenants/:tenant/quota` (tiers and weights: tenant-settings.ts). A submission over
 * a quota answers 429 with `Retry-After` (seconds until the period resets).
 */
import { z } from "zod";
import { assertTenant } from "../../core/options.js";
import type { AppContext } from "../app-context.js";
import type { ZodApp } from "../zod-app.js";
import { requireRole, visibleTenant } from "../auth.js";
import { ErrorResponse, TenantName } from "../contracts.js";
import { CreditsResource, toCreditsResource } from "./credits-resource.js";

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 503: ErrorResponse };

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
      const requested = request.query.tenant;
      const tenant = visibleTenant(request.principal, requested) ?? request.principal.tenant;
      assertTenant(tenant);
      return toCreditsResource(await ctx.spool.credits(tenant));
    },
  );

  app.put(
    "/tenants/:tenant/quota",
    {
      schema: {
        summary:
          "Set a tenant's quota override (admin); a null field falls back to the tier's limit",
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
      const { tenant } = request.params;
      assertTenant(tenant);
      const body = request.body;
      return toCreditsResource(
        await ctx.spool.setTenantQuota(tenant, {
          dailyLimit: body.daily_limit,
          monthlyLimit: body.monthly_limit,
        }),
      );
    },
  );
}
