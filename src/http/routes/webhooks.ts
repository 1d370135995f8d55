/**
 * Webhook subscriptions (seed 002, issue 13): create, list, read and delete them, read their
 * delivery log (per subscription and per job) and redeliver. Per tenant: a producer sees and
 * changes only its own tenant's subscriptions; another tenant's answers 404 like an unknown
 * one. Targets pass the SSRF guard (400 naming `url`). Deliveries: webhook-deliverer.ts.
 */
import type { z } from "zod";
import { SpoolNotFoundError, SpoolValidationError } from "../../core/errors.js";
import { isUuid, randomToken, uuidv7 } from "../../core/ids.js";
import type { WebhookDelivery, WebhookRecord } from "../../core/webhook.js";
import { DEFAULT_WEBHOOK_MAX_ATTEMPTS, validateWebhookEvents } from "../../core/webhook.js";
import type { AppContext } from "../app-context.js";
import type { ZodApp } from "../zod-app.js";
import { requireRole, visibleTenant, type Principal } from "../auth.js";
import { ErrorResponse, JobIdParams } from "../contracts.js";
import {
  CreateWebhookBody,
  CreatedWebhookResource,
  ListDeliveriesQuery,
  ListDeliveriesResponse,
  ListWebhooksQuery,
  ListWebhooksResponse,
  RedeliverParams,
  WebhookDeliveryResource,
  WebhookIdParams,
  WebhookResource,
} from "../webhook-contracts.js";

const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  503: ErrorResponse,
};
const bodyErrors = { 413: ErrorResponse, 415: ErrorResponse };

/** A subscription as the API shows it: the secret never, a hint of long ones. */
export function toWebhookResource(webhook: WebhookRecord): z.infer<typeof WebhookResource> {
  return {
    id: webhook.id,
    tenant: webhook.tenant,
    url: webhook.url,
    events: webhook.events,
    secret_hint: webhook.secret.length >= 16 ? `…${webhook.secret.slice(-4)}` : "…",
    created_at: webhook.createdAt.toISOString(),
  };
}

/** A delivery as the API shows it. */
export function toDeliveryResource(d: WebhookDelivery): z.infer<typeof WebhookDeliveryResource> {
  return {
    id: d.id,
    webhook_id: d.webhookId,
    job_id: d.jobId,
    event: d.event,
    event_seq: d.eventSeq,
    status: d.status,
    attempt: d.attempt,
    max_attempts: d.maxAttempts,
    next_attempt_at: d.nextAttemptAt?.toISOString() ?? null,
    created_at: d.createdAt.toISOString(),
    finished_at: d.finishedAt?.toISOString() ?? null,
    payload: JSON.parse(d.body) as unknown,
    attempts: d.attempts.map((a) => ({
      attempt: a.attempt,
      started_at: a.startedAt.toISOString(),
      duration_ms: a.durationMs,
      status_code: a.statusCode,
      error: a.error,
    })),
  };
}

/** The caller's subscription `id`, or 404 (unknown, malformed or another tenant's). */
async function ownWebhook(ctx: AppContext, principal: Principal, id: string) {
  const tenant = visibleTenant(principal);
  const webhook = isUuid(id)
    ? await ctx.spool.webhooks.getWebhook({ id, ...(tenant === undefined ? {} : { tenant }) })
    : null;
  if (webhook === null) throw new SpoolNotFoundError("webhook", id);
  return webhook;
}

/** The tenant a new subscription follows: the caller's; an admin may name another. */
function creationTenant(principal: Principal, requested: string | undefined): string {
  if (requested === undefined || requested === principal.tenant) return principal.tenant;
  if (principal.role !== "admin")
    throw new SpoolValidationError("tenant", "only admin keys may name a tenant");
  return requested;
}

/** Registers the webhook routes. */
export function registerWebhookRoutes(app: ZodApp, ctx: AppContext): void {
  app.post(
    "/webhooks",
    {
      schema: {
        summary: "Subscribe a URL to your tenant's job events",
        body: CreateWebhookBody,
        response: { 201: CreatedWebhookResource, ...errors, ...bodyErrors },
      },
    },
    async (request, reply) => {
      requireRole(request.principal, "admin", "producer");
      const body = request.body;
      const tenant = creationTenant(request.principal, body.tenant);
      const events = validateWebhookEvents(body.events);
      await ctx.webhookGuard.checkUrl(body.url, "url");
      const generated = body.secret === undefined ? `whsec_${randomToken()}` : undefined;
      const now = ctx.spool.now();
      const webhook = await ctx.spool.webhooks.createWebhook({
        id: uuidv7(now),
        tenant,
        url: new URL(body.url).toString(),
        events,
        secret: body.secret ?? generated!,
        createdAt: new Date(now),
      });
      return reply
        .code(201)
        .header("location", `/webhooks/${webhook.id}`)
        .send({
          ...toWebhookResource(webhook),
          ...(generated === undefined ? {} : { secret: generated }),
        });
    },
  );

  app.get(
    "/webhooks",
    {
      schema: {
        summary: "Your tenant's subscriptions (admins: every tenant's, or ?tenant=)",
        querystring: ListWebhooksQuery,
        response: { 200: ListWebhooksResponse, ...errors },
      },
    },
    async (request) => {
      requireRole(request.principal, "admin", "producer");
      const tenant = visibleTenant(request.principal, request.query.tenant);
      const webhooks = await ctx.spool.webhooks.listWebhooks(
        tenant === undefined ? {} : { tenant },
      );
      return { webhooks: webhooks.map(toWebhookResource) };
    },
  );

  registerWebhookItemRoutes(app, ctx);
  registerDeliveryRoutes(app, ctx);
  registerRedeliveryRoute(app, ctx);
}

/** GET and DELETE /webhooks/:id. */
function registerWebhookItemRoutes(app: ZodApp, ctx: AppContext): void {
  app.get(
    "/webhooks/:id",
    {
      schema: {
        summary: "One subscription",
        params: WebhookIdParams,
        response: { 200: WebhookResource, ...errors },
      },
    },
    async (request) => {
      requireRole(request.principal, "admin", "producer");
      const { id } = request.params;
      return toWebhookResource(await ownWebhook(ctx, request.principal, id));
    },
  );

  app.delete(
    "/webhooks/:id",
    {
      schema: {
        summary: "Delete a subscription (its pending deliveries and log go with it)",
        params: WebhookIdParams,
        response: { 200: WebhookResource, ...errors, ...bodyErrors },
      },
    },
    async (request) => {
      requireRole(request.principal, "admin", "producer");
      const { id } = request.params;
      const webhook = await ownWebhook(ctx, request.principal, id);
      const deleted = await ctx.spool.webhooks.deleteWebhook({
        id: webhook.id,
        tenant: webhook.tenant,
      });
      if (deleted === null) throw new SpoolNotFoundError("webhook", id);
      return toWebhookResource(deleted);
    },
  );
}

/** The delivery log routes (per subscription, per job). */
function registerDeliveryRoutes(app: ZodApp, ctx: AppContext): void {
  app.get(
    "/webhooks/:id/deliveries",
    {
      schema: {
        summary: "A subscription's deliveries, newest first, with every attempt",
        params: WebhookIdParams,
        querystring: ListDeliveriesQuery,
        response: { 200: ListDeliveriesResponse, ...errors },
      },
    },
    async (request) => {
      requireRole(request.principal, "admin", "producer");
      const webhook = await ownWebhook(ctx, request.principal, request.params.id);
      const query = request.query;
      const page = await ctx.spool.webhooks.listDeliveries({
        webhookId: webhook.id,
        tenant: webhook.tenant,
        limit: query.limit ?? 50,
        ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      });
      return { deliveries: page.deliveries.map(toDeliveryResource), next_cursor: page.nextCursor };
    },
  );

  app.get(
    "/jobs/:id/deliveries",
    {
      schema: {
        summary: "The webhook deliveries of one job's events, newest first",
        params: JobIdParams,
        querystring: ListDeliveriesQuery,
        response: { 200: ListDeliveriesResponse, ...errors },
      },
    },
    async (request) => {
      requireRole(request.principal, "admin", "producer");
      const { id } = request.params;
      const tenant = visibleTenant(request.principal);
      const scope = tenant === undefined ? {} : { tenant };
      const job = isUuid(id) ? await ctx.spool.get(id, scope) : null;
      if (job === null) throw new SpoolNotFoundError("job", id);
      const query = request.query;
      const page = await ctx.spool.webhooks.listDeliveries({
        jobId: job.id,
        ...scope,
        limit: query.limit ?? 50,
        ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      });
      return { deliveries: page.deliveries.map(toDeliveryResource), next_cursor: page.nextCursor };
    },
  );
}

/** POST /webhooks/:id/deliveries/:delivery_id/redeliver. */
function registerRedeliveryRoute(app: ZodApp, ctx: AppContext): void {
  app.post(
    "/webhooks/:id/deliveries/:delivery_id/redeliver",
    {
      schema: {
        summary: "Send a finished delivery again (same id and body)",
        params: RedeliverParams,
        response: { 202: WebhookDeliveryResource, ...errors, 409: ErrorResponse, ...bodyErrors },
      },
    },
    async (request, reply) => {
      requireRole(request.principal, "admin", "producer");
      const params = request.params;
      const webhook = await ownWebhook(ctx, request.principal, params.id);
      if (!isUuid(params.delivery_id)) throw new SpoolNotFoundError("delivery", params.delivery_id);
      const delivery = await ctx.spool.webhooks.redeliver({
        id: params.delivery_id,
        webhookId: webhook.id,
        tenant: webhook.tenant,
        maxAttempts: DEFAULT_WEBHOOK_MAX_ATTEMPTS,
      });
      return reply.code(202).send(toDeliveryResource(delivery));
    },
  );
}
