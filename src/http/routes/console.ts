/**
 * Small read routes the dashboard needs beyond SPEC §2: who the caller is (`GET /session`), the
 * per-queue throughput behind the overview's charts (`GET /throughput`), and the admin's tenant
 * list with credits, backlog and refused submissions (`GET /tenants`). Each reads bounded data:
 * counts per state (indexed), the in-memory throughput ring, the key list.
 */
import { z } from "zod";
import { DEFAULT_TENANT, assertQueueName } from "../../core/options.js";
import type { TenantSettings } from "../../core/tiers.js";
import type { StateCounts } from "../../store/store.js";
import type { AppContext } from "../app-context.js";
import type { ZodApp } from "../zod-app.js";
import { requireRole, visibleTenant } from "../auth.js";
import {
  ErrorResponse,
  SessionResponse,
  TenantResource,
  ThroughputResponse,
} from "../contracts.js";
import { BUCKET_MS, ThroughputTracker } from "../throughput.js";

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };
const WINDOWS: Record<string, { windowMs: number; bucketMs: number }> = {
  "300": { windowMs: 300_000, bucketMs: BUCKET_MS },
  "3600": { windowMs: 3_600_000, bucketMs: 60_000 },
};

/** Registers `GET /session`, `GET /throughput` and `GET /tenants`. */
export function registerConsoleRoutes(app: ZodApp, ctx: AppContext): void {
  const tracker = new ThroughputTracker(ctx.spool.now());
  // The feed is the Spool's and outlives this app: leave it when the app closes.
  const unsubscribe = ctx.feed.subscribe(tracker.observe);
  ctx.closing.addEventListener("abort", unsubscribe, { once: true });
  /** Submissions refused with 429, per tenant, since start. */
  const refused = new Map<string, number>();
  app.addHook("onResponse", async (request, reply) => {
    if (reply.statusCode !== 429 || request.method !== "POST") return;
    const tenant = request.principal?.tenant ?? DEFAULT_TENANT;
    refused.set(tenant, (refused.get(tenant) ?? 0) + 1);
  });
  registerSessionRoute(app, ctx);
  registerThroughputRoute(app, ctx, tracker);
  registerTenantsRoute(app, ctx, tracker, refused);
}

/** GET /session. */
function registerSessionRoute(app: ZodApp, ctx: AppContext): void {
  app.get(
    "/session",
    {
      schema: {
        summary: "Who this API key is: role and tenant (any key)",
        response: { 200: SessionResponse, 401: ErrorResponse },
      },
    },
    async (request) => ({
      role: request.principal.role,
      tenant: request.principal.tenant,
      auth: ctx.auth !== null,
    }),
  );
}

/** GET /throughput: from this server's tracker of the event feed. */
function registerThroughputRoute(app: ZodApp, ctx: AppContext, tracker: ThroughputTracker): void {
  app.get(
    "/throughput",
    {
      schema: {
        summary: "Jobs completed/failed/retried per queue over the last 5 min or 1 h",
        querystring: z.strictObject({
          window_seconds: z.enum(["300", "3600"]).optional().describe("Default 300"),
          queue: z.string().optional(),
          tenant: z.string().optional().describe("Admin only"),
        }),
        response: { 200: ThroughputResponse, ...errors },
      },
    },
    async (request) => {
      requireRole(request.principal, "admin", "producer");
      const query = request.query;
      if (query.queue !== undefined) assertQueueName(query.queue, "queue");
      const window = WINDOWS[query.window_seconds ?? "300"]!;
      const tenant = visibleTenant(request.principal, query.tenant);
      const now = ctx.spool.now();
      const queues = tracker.read({
        now,
        ...window,
        ...(tenant === undefined ? {} : { tenant }),
        ...(query.queue === undefined ? {} : { queue: query.queue }),
      });
      return {
        window_seconds: window.windowMs / 1000,
        bucket_seconds: window.bucketMs / 1000,
        since: new Date(Math.max(tracker.startedAt, now - window.windowMs)).toISOString(),
        queues: queues.map((series) => ({
          queue: series.queue,
          buckets: series.buckets.map((bucket) => ({
            at: new Date(bucket.at).toISOString(),
            completed: bucket.completed,
            failed: bucket.failed,
            retried: bucket.retried,
          })),
        })),
      };
    },
  );
}

/** GET /tenants (admin): every tenant with a key, a setting, events or refusals. */
function registerTenantsRoute(
  app: ZodApp,
  ctx: AppContext,
  tracker: ThroughputTracker,
  refused: ReadonlyMap<string, number>,
): void {
  app.get(
    "/tenants",
    {
      schema: {
        summary: "Tenants (admin): tier, weight, quota and usage, backlog, refused submissions",
        response: { 200: z.object({ tenants: z.array(TenantResource) }), ...errors },
      },
    },
    async (request) => {
      requireRole(request.principal, "admin");
      const keys = (await ctx.spool.admin.listApiKeys()).filter((key) => key.revokedAt === null);
      const names = new Set([DEFAULT_TENANT, ...keys.map((key) => key.tenant)]);
      for (const tenant of [...tracker.tenants(), ...refused.keys()]) names.add(tenant);
      // Tenants with a tier, weight or quota set (the first 1,000 by name).
      for (const configured of await ctx.spool.tenants({ limit: 1000 }))
        names.add(configured.tenant);
      const tenants = await Promise.all(
        [...names].sort().map(async (tenant) => {
          const [settings, counts] = await Promise.all([
            ctx.spool.tenant(tenant),
            ctx.spool.admin.countJobsByState({ tenant }),
          ]);
          const keyCount = keys.filter((key) => key.tenant === tenant).length;
          return toTenantRow(tenant, settings, counts, keyCount, refused.get(tenant) ?? 0);
        }),
      );
      return { tenants };
    },
  );
}

/** One row of GET /tenants. */
function toTenantRow(
  tenant: string,
  settings: TenantSettings,
  counts: StateCounts,
  keys: number,
  refused: number,
): z.infer<typeof TenantResource> {
  const { credits } = settings;
  return {
    tenant,
    keys,
    daily: {
      limit: credits.dailyLimit,
      used: credits.dailyUsed,
      resets_at: credits.dailyResetsAt.toISOString(),
    },
    monthly: {
      limit: credits.monthlyLimit,
      used: credits.monthlyUsed,
      resets_at: credits.monthlyResetsAt.toISOString(),
    },
    backlog: counts.scheduled + counts.queued + counts.retrying,
    running: counts.running,
    failed: counts.failed,
    refused,
    tier: settings.tier,
    weight: settings.weight,
    quota:
      settings.quota === null
        ? null
        : {
            daily_limit: settings.quota.dailyLimit,
            monthly_limit: settings.quota.monthlyLimit,
          },
  };
}
