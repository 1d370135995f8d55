/**
 * Request and response schemas of the webhook subscription routes (snake_case), beside
 * contracts.ts so the OpenAPI document and the typed client describe them the same way.
 */
import { z } from "zod";
import { JOB_EVENT_NAMES } from "../core/events.js";
import {
  MAX_WEBHOOK_EVENTS,
  MAX_WEBHOOK_SECRET_CHARS,
  MAX_WEBHOOK_URL_CHARS,
  MIN_WEBHOOK_SECRET_CHARS,
  WEBHOOK_ALL_EVENTS,
} from "../core/webhook.js";
import { TenantName } from "./contracts.js";

const EVENT_LIST = [...JOB_EVENT_NAMES, WEBHOOK_ALL_EVENTS].join(", ");

/** POST /webhooks. */
export const CreateWebhookBody = z.strictObject({
  url: z
    .string()
    .max(MAX_WEBHOOK_URL_CHARS)
    .describe("http(s) URL; loopback, private and link-local targets are refused"),
  events: z
    .array(z.string().max(64))
    .min(1)
    .max(MAX_WEBHOOK_EVENTS)
    .describe(
      `Job event names to deliver: ${EVENT_LIST}; other (application) names are stored and match no job event`,
    ),
  secret: z
    .string()
    .min(MIN_WEBHOOK_SECRET_CHARS)
    .max(MAX_WEBHOOK_SECRET_CHARS)
    .optional()
    .describe("HMAC key of the signatures; generated (and shown once) when absent"),
  tenant: TenantName.optional().describe("Admin only: the tenant whose jobs it follows"),
});
export type CreateWebhookBody = z.infer<typeof CreateWebhookBody>;

/** A subscription (never its secret, only a hint). */
export const WebhookResource = z.object({
  id: z.string(),
  tenant: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  secret_hint: z.string().describe("The secret's last characters (long secrets only)"),
  created_at: z.string(),
});
export type WebhookResource = z.infer<typeof WebhookResource>;

/** The answer of POST /webhooks: the secret only when the server generated it. */
export const CreatedWebhookResource = WebhookResource.extend({
  secret: z.string().optional().describe("The generated secret, shown only here"),
});

/** GET /webhooks. */
export const ListWebhooksQuery = z.strictObject({
  tenant: TenantName.optional().describe("Admin only: one tenant's subscriptions"),
});
export const ListWebhooksResponse = z.object({ webhooks: z.array(WebhookResource) });

/** A subscription id in the path. */
export const WebhookIdParams = z.strictObject({
  id: z.string().max(200).describe("Subscription id; unknown or another tenant's answers 404"),
});

/** One logged attempt. */
export const WebhookAttemptResource = z.object({
  attempt: z.number(),
  started_at: z.string(),
  duration_ms: z.number(),
  status_code: z.number().nullable().describe("The receiver's status; null without an answer"),
  error: z.string().nullable(),
});

/** One delivery with its attempt log. */
export const WebhookDeliveryResource = z.object({
  id: z.string().describe("The delivery id (X-Spool-Delivery): receivers drop repeats by it"),
  webhook_id: z.string(),
  job_id: z.string(),
  event: z.string(),
  event_seq: z.number(),
  status: z.enum(["pending", "sending", "succeeded", "failed"]),
  attempt: z.number(),
  max_attempts: z.number(),
  next_attempt_at: z.string().nullable(),
  created_at: z.string(),
  finished_at: z.string().nullable(),
  payload: z.unknown().describe("The JSON body, exactly as sent"),
  attempts: z.array(WebhookAttemptResource),
});
export type WebhookDeliveryResource = z.infer<typeof WebhookDeliveryResource>;

/** Paging of a delivery log. */
export const ListDeliveriesQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).optional().describe("Default 50"),
  cursor: z.string().max(200).optional(),
});
export const ListDeliveriesResponse = z.object({
  deliveries: z.array(WebhookDeliveryResource),
  next_cursor: z.string().nullable(),
});

/** POST /webhooks/:id/deliveries/:delivery_id/redeliver. */
export const RedeliverParams = z.strictObject({
  id: z.string().max(200),
  delivery_id: z.string().max(200),
});
