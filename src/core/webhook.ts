/**
 * Webhook subscriptions (seed 002): a tenant registers a URL, the job events it wants and a
 * secret; every matching event of that tenant's jobs becomes a delivery, POSTed to the URL,
 * signed, retried with backoff and logged attempt by attempt. Pure: records, validation, the
 * signature and the retry decision; the store keeps them, http/ sends them.
 */
import { createHmac } from "node:crypto";
import { backoffDelayMs, type BackoffPolicy } from "./backoff.js";
import { SpoolValidationError } from "./errors.js";
import { JOB_EVENT_NAMES, type JobEventName } from "./events.js";

/** `*` subscribes to every job event. */
export const WEBHOOK_ALL_EVENTS = "*";
/** Longest subscription URL. */
export const MAX_WEBHOOK_URL_CHARS = 2048;
/** Bounds of a subscription secret. */
export const MIN_WEBHOOK_SECRET_CHARS = 8;
export const MAX_WEBHOOK_SECRET_CHARS = 256;
/** Default attempts of a delivery before it is marked failed. */
export const DEFAULT_WEBHOOK_MAX_ATTEMPTS = 8;
/** Default retry backoff of deliveries: 10 s base, 1 h cap (full jitter, core/backoff.ts). */
export const DEFAULT_WEBHOOK_BACKOFF: Readonly<BackoffPolicy> = {
  baseMs: 10_000,
  capMs: 3_600_000,
};

/** A subscription as stored (the secret included: only the HTTP layer hides it). */
export interface WebhookRecord {
  id: string;
  tenant: string;
  url: string;
  /** Job event names, or `["*"]`. */
  events: string[];
  secret: string;
  createdAt: Date;
}

/** Where a delivery is: waiting for its next attempt, being sent (leased), or done. */
export type WebhookDeliveryStatus = "pending" | "sending" | "succeeded" | "failed";

/** One attempt to send a delivery, as logged. */
export interface WebhookAttempt {
  attempt: number;
  startedAt: Date;
  durationMs: number;
  /** The receiver's HTTP status; null when no answer came (network error, refused target). */
  statusCode: number | null;
  /** Why the attempt failed; null when it succeeded. */
  error: string | null;
}

/** One event for one subscription: sent until it succeeds or runs out of attempts. */
export interface WebhookDelivery {
  id: string;
  webhookId: string;
  tenant: string;
  jobId: string;
  event: string;
  /** The event's position in the job-event log (one delivery per subscription and seq). */
  eventSeq: number;
  /** The JSON body, exactly as sent (encoded once, when the delivery was created). */
  body: string;
  status: WebhookDeliveryStatus;
  /** Attempts made so far. */
  attempt: number;
  maxAttempts: number;
  /** When the next attempt is due (pending), or the lease ends (sending); null when done. */
  nextAttemptAt: Date | null;
  createdAt: Date;
  /** When it succeeded or failed for good; null while it is not done. */
  finishedAt: Date | null;
  /** Oldest first. */
  attempts: WebhookAttempt[];
}

/** A delivery a sender holds: the target and secret, and the token that fences its report. */
export interface ClaimedWebhookDelivery {
  delivery: Omit<WebhookDelivery, "attempts">;
  url: string;
  secret: string;
  leaseToken: string;
}

/** A delivery to create (the store ignores one whose subscription already has this seq). */
export interface NewWebhookDelivery {
  id: string;
  webhookId: string;
  tenant: string;
  jobId: string;
  event: string;
  eventSeq: number;
  body: string;
  maxAttempts: number;
}

/** What a sender reports about one attempt; `nextAttemptAt` null ends the delivery. */
export interface WebhookAttemptReport {
  id: string;
  leaseToken: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  status: "pending" | "succeeded" | "failed";
  nextAttemptAt: number | null;
}

/** Most names in a subscription's event list. */
export const MAX_WEBHOOK_EVENTS = 32;

/** An application event name (`scene.loaded`): letters, digits and `_.:-`, 1–64 characters. */
const APPLICATION_EVENT_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * Checks a subscription's event list (at least one, no repeats kept): `*`, job event names —
 * a name in the `job.` namespace must be one of them, so a typo (`job.complete`) is refused —
 * or application event names such as seed 002's `scene.loaded`, accepted and stored so that
 * the seed's client works as written, but matched by no job event (docs/webhooks.md).
 */
export function validateWebhookEvents(value: unknown, field = "events"): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_WEBHOOK_EVENTS)
    throw new SpoolValidationError(
      field,
      `must list 1 to ${MAX_WEBHOOK_EVENTS} event names (e.g. job.completed) or *`,
    );
  value.forEach((name, i) => {
    if (name === WEBHOOK_ALL_EVENTS || (JOB_EVENT_NAMES as readonly unknown[]).includes(name))
      return;
    if (typeof name !== "string" || !APPLICATION_EVENT_NAME.test(name) || name.startsWith("job."))
      throw new SpoolValidationError(
        `${field}[${i}]`,
        `must be one of ${[...JOB_EVENT_NAMES, WEBHOOK_ALL_EVENTS].join(", ")}, or an application event name ([A-Za-z0-9_.:-]{1,64}, outside job.)`,
      );
  });
  const names = [...new Set(value as string[])];
  return names.includes(WEBHOOK_ALL_EVENTS) ? [WEBHOOK_ALL_EVENTS] : names;
}

/** Checks a secret's length. */
export function validateWebhookSecret(value: unknown, field = "secret"): string {
  if (
    typeof value !== "string" ||
    value.length < MIN_WEBHOOK_SECRET_CHARS ||
    value.length > MAX_WEBHOOK_SECRET_CHARS
  )
    throw new SpoolValidationError(
      field,
      `must be a string of ${MIN_WEBHOOK_SECRET_CHARS} to ${MAX_WEBHOOK_SECRET_CHARS} characters`,
    );
  return value;
}

/** True when the subscription wants this event (of its own tenant, created at or after it). */
export function webhookWants(
  webhook: Pick<WebhookRecord, "tenant" | "events" | "createdAt">,
  event: { name: JobEventName; tenant: string; at: Date },
): boolean {
  if (webhook.tenant !== event.tenant) return false;
  if (event.at.getTime() < webhook.createdAt.getTime()) return false;
  return webhook.events.includes(WEBHOOK_ALL_EVENTS) || webhook.events.includes(event.name);
}

/**
 * The signature of one request: hex HMAC-SHA256 with the subscription's secret over
 * `"<timestamp>.<body>"` (timestamp in Unix seconds, as sent in `X-Spool-Webhook-Timestamp`),
 * so a captured request cannot be replayed later with a fresh timestamp.
 */
export function signWebhook(secret: string, timestampSeconds: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestampSeconds}.${body}`).digest("hex");
}

/**
 * What follows a failed attempt: another one after the backoff while attempts are left, else
 * the delivery fails for good. `retryable` false (a refused target) fails it at once.
 */
export function nextWebhookAttempt(
  delivery: { attempt: number; maxAttempts: number },
  retryable: boolean,
  now: number,
  policy: BackoffPolicy,
  random: () => number,
): { status: "pending" | "failed"; nextAttemptAt: number | null } {
  if (!retryable || delivery.attempt >= delivery.maxAttempts)
    return { status: "failed", nextAttemptAt: null };
  return {
    status: "pending",
    nextAttemptAt: now + backoffDelayMs(delivery.attempt, policy, random),
  };
}
