/** Operations routes: liveness, readiness, Prometheus metrics, and job statistics. */
import { z } from "zod";
import type { AppContext } from "../app-context.js";
import type { ZodApp } from "../zod-app.js";
import { requireRole, visibleTenant } from "../auth.js";
import { ErrorResponse, QueueName, StatsResponse, TenantName, rawResponse } from "../contracts.js";
import { toStatsResource } from "../serialize.js";
import { errorBody } from "../route-helpers.js";

/** Registers the operations routes. */
export function registerOpsRoutes(app: ZodApp, ctx: AppContext): void {
  registerHealthRoutes(app, ctx);
  registerMetricsRoute(app, ctx);
  registerStatsRoute(app, ctx);
}

/** GET /healthz and GET /readyz (no key needed). */
function registerHealthRoutes(app: ZodApp, ctx: AppContext): void {
  app.get(
    "/healthz",
    {
      config: { public: true },
      schema: {
        summary: "Liveness",
        security: [],
        response: { 200: z.object({ status: z.literal("ok") }), 400: ErrorResponse },
      },
    },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/readyz",
    {
      config: { public: true },
      schema: {
        summary: "Readiness: the store answers",
        security: [],
        response: { 200: z.object({ status: z.string() }), 400: ErrorResponse, 503: ErrorResponse },
      },
    },
    async (_request, reply) => {
      if (ctx.closing.aborted) {
        return reply.code(503).send(errorBody("shutting_down", "the server is shutting down"));
      }
      try {
        await ctx.spool.admin.ping();
        return { status: "ready" };
      } catch (error) {
        const message = `store unreachable: ${(error as Error).message}`;
        return reply.code(503).send(errorBody("store_unavailable", message));
      }
    },
  );
}

/** GET /metrics (admin). */
function registerMetricsRoute(app: ZodApp, ctx: AppContext): void {
  app.get(
    "/metrics",
    {
      schema: {
        summary: "Prometheus metrics (admin)",
        response: {
          200: rawResponse("text/plain", "Prometheus text exposition format 0.0.4"),
          401: ErrorResponse,
          403: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      requireRole(request.principal, "admin");
      const text = await ctx.metrics.registry.metrics();
      void reply
        .header("content-type", ctx.metrics.registry.contentType)
        .serializer((data) => data as string);
      return text;
    },
  );
}

/** GET /stats. */
function registerStatsRoute(app: ZodApp, ctx: AppContext): void {
  app.get(
    "/stats",
    {
      schema: {
        summary: "Job counts (your tenant's; admins: all, or ?tenant=)",
        querystring: z.strictObject({
          queue: QueueName.optional(),
          tenant: TenantName.optional(),
        }),
        response: {
          200: StatsResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          503: ErrorResponse,
        },
      },
    },
    async (request) => {
      requireRole(request.principal, "admin", "producer");
      const query = request.query;
      const tenant = visibleTenant(request.principal, query.tenant);
      const stats = await ctx.spool.stats({
        ...(query.queue === undefined ? {} : { queue: query.queue }),
        ...(tenant === undefined ? {} : { tenant }),
      });
      return toStatsResource(stats);
    },
  );
}
