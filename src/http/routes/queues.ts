/**
 * Queue routes: per-queue statistics for everyone who may read jobs (a producer sees only the
 * queues its tenant has jobs in, with its own counts); control for admins.
 */
import { assertQueueName } from "../../core/options.js";
import type { QueueConfig, QueuePatch, QueueStats } from "../../store/store.js";
import type { AppContext } from "../app-context.js";
import type { ZodApp } from "../zod-app.js";
import { requireRole, visibleTenant, type Principal } from "../auth.js";
import { ErrorResponse, PatchQueueBody, QueueNameParams, QueueResource } from "../contracts.js";
import { secondsToMs } from "../route-helpers.js";
import { toTrafficPatch, toTrafficResource } from "../queue-traffic.js";
import { z } from "zod";

const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  503: ErrorResponse,
};
const WINDOW_MS = 15 * 60_000;
const seconds = (
  value: { p50: number; p95: number } | null,
): { p50: number; p95: number } | null =>
  value === null ? null : { p50: value.p50 / 1000, p95: value.p95 / 1000 };

/** The queue as GET /queues shows it. */
function toQueueResource(
  queue: QueueStats,
  config?: Pick<QueueConfig, "timeoutMs" | "maxAttempts" | "rateLimit" | "keyConcurrency">,
): Omit<z.infer<typeof QueueResource>, "oldest_waiting_at"> {
  return {
    name: queue.name,
    counts: { ...queue.counts },
    paused: queue.paused,
    concurrency: queue.concurrency,
    ...toTrafficResource(config),
    timeout_seconds: config?.timeoutMs == null ? null : config.timeoutMs / 1000,
    max_attempts: config?.maxAttempts ?? null,
    completed_per_minute: queue.completedLastMinute,
    wait_seconds: seconds(queue.waitMs),
    run_seconds: seconds(queue.runMs),
  };
}

/** Registers the queue routes. */
export function registerQueueRoutes(app: ZodApp, ctx: AppContext): void {
  app.get(
    "/queues",
    {
      schema: {
        summary: "Queues: counts by status, settings, throughput, wait and run times",
        response: { 200: z.object({ queues: z.array(QueueResource) }), ...errors },
      },
    },
    async (request) => {
      requireRole(request.principal, "admin", "producer");
      return { queues: await describeQueues(ctx, undefined, visibleTenant(request.principal)) };
    },
  );
  registerPauseRoutes(app, ctx);
  registerPatchQueueRoute(app, ctx);
}

/** POST /queues/:name/pause and /resume (admin). */
function registerPauseRoutes(app: ZodApp, ctx: AppContext): void {
  const routes = [
    ["/queues/:name/pause", "Pause a queue (running jobs finish)", true],
    ["/queues/:name/resume", "Resume a queue", false],
  ] as const;
  for (const [url, summary, paused] of routes) {
    app.post(
      url,
      {
        schema: {
          summary,
          params: QueueNameParams,
          response: { 200: QueueResource, ...errors, 413: ErrorResponse, 415: ErrorResponse },
        },
      },
      async (request) => updated(ctx, request.principal, request.params.name, () => ({ paused })),
    );
  }
}

/** PATCH /queues/:name (admin). */
function registerPatchQueueRoute(app: ZodApp, ctx: AppContext): void {
  app.patch(
    "/queues/:name",
    {
      schema: {
        summary: "Change a queue's settings (null clears)",
        params: QueueNameParams,
        body: PatchQueueBody,
        response: { 200: QueueResource, ...errors, 413: ErrorResponse, 415: ErrorResponse },
      },
    },
    async (request) =>
      updated(ctx, request.principal, request.params.name, () => toQueuePatch(request.body)),
  );
}

/**
 * Applies an admin's patch to queue `name` and answers the queue as it is now. The patch is read
 * after the role and name checks, so a refused caller learns nothing about its body.
 */
async function updated(
  ctx: AppContext,
  principal: Principal,
  name: string,
  patchOf: () => QueuePatch,
): Promise<z.infer<typeof QueueResource>> {
  requireRole(principal, "admin");
  assertQueueName(name, "name");
  await ctx.spool.updateQueue(name, patchOf());
  const [queue] = await describeQueues(ctx, name, undefined);
  return queue!;
}

/** Queue resources (one queue's with `name`), counted over `tenant`'s jobs when given. */
async function describeQueues(
  ctx: AppContext,
  name: string | undefined,
  tenant: string | undefined,
): Promise<z.infer<typeof QueueResource>[]> {
  const [stats, configs] = await Promise.all([
    ctx.spool.admin.queueStats({
      windowMs: WINDOW_MS,
      ...(tenant === undefined ? {} : { tenant }),
    }),
    ctx.spool.queues(),
  ]);
  const byName = new Map(configs.map((config) => [config.name, config]));
  const shown = stats
    .filter((queue) => name === undefined || queue.name === name)
    // A tenant sees only queues it has jobs in: configured queues and other tenants' queue
    // names are the operator's and the other tenants' business (docs/design.md).
    .filter((queue) => tenant === undefined || Object.values(queue.counts).some((n) => n > 0));
  // The oldest waiting job spans every tenant, so only an unscoped caller gets it: a tenant
  // must not learn another's backlog, and a per-tenant minimum has no index to read it from.
  const oldest = await Promise.all(
    shown.map((queue) =>
      tenant === undefined && (queue.counts.queued ?? 0) > 0
        ? ctx.spool.admin.oldestQueuedRunAt(queue.name)
        : Promise.resolve(null),
    ),
  );
  return shown.map((queue, i) => ({
    ...toQueueResource(queue, byName.get(queue.name)),
    oldest_waiting_at: oldest[i] == null ? null : new Date(oldest[i]!).toISOString(),
  }));
}

function toQueuePatch(body: z.infer<typeof PatchQueueBody>): QueuePatch {
  const patch: QueuePatch = {};
  const ms = (
    value: number | null | undefined,
    field: string,
    min: number,
  ): number | null | undefined =>
    value === undefined || value === null ? value : secondsToMs(value, field, min, 7 * 86_400_000);
  if (body.paused !== undefined) patch.paused = body.paused;
  if (body.concurrency !== undefined) patch.concurrency = body.concurrency;
  if (body.max_attempts !== undefined) patch.maxAttempts = body.max_attempts;
  const timeoutMs = ms(body.timeout_seconds, "timeout_seconds", 1);
  if (timeoutMs !== undefined) patch.timeoutMs = timeoutMs;
  const baseMs = ms(body.backoff_base_seconds, "backoff_base_seconds", 0);
  if (baseMs !== undefined) patch.backoffBaseMs = baseMs;
  const capMs = ms(body.backoff_cap_seconds, "backoff_cap_seconds", 0);
  if (capMs !== undefined) patch.backoffCapMs = capMs;
  return { ...patch, ...toTrafficPatch(body) };
}
