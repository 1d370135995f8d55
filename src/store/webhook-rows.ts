/**
 * The one row → record mapping of webhook subscriptions, deliveries and attempts, shared by both
 * stores (their rows differ only in how a subscription's event list is encoded: JSON text on
 * SQLite, text[] on PostgreSQL, decoded by the caller).
 */
import { SpoolValidationError } from "../core/errors.js";
import { encodeCursor } from "./shared/page-cursor.js";
import type {
  ClaimedWebhookDelivery,
  WebhookAttempt,
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookRecord,
} from "../core/webhook.js";

/** A `webhooks` row (events decoded by the store). */
export interface WebhookRow {
  id: string;
  tenant: string;
  url: string;
  secret: string;
  created_at: number;
}

/** A `webhook_deliveries` row. */
export interface WebhookDeliveryRow {
  id: string;
  webhook_id: string;
  tenant: string;
  job_id: string;
  event: string;
  event_seq: number;
  body: string;
  status: WebhookDeliveryStatus;
  attempt: number;
  max_attempts: number;
  next_attempt_at: number | null;
  lease_token: string | null;
  attempt_started_at: number | null;
  created_at: number;
  finished_at: number | null;
}

/** A `webhook_attempts` row. */
export interface WebhookAttemptRow {
  delivery_id: string;
  attempt: number;
  started_at: number;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
}

/** A subscription record. */
export function rowToWebhook(row: WebhookRow, events: string[]): WebhookRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    url: row.url,
    events,
    secret: row.secret,
    createdAt: new Date(row.created_at),
  };
}

/** A delivery record without its attempts. */
export function rowToDelivery(row: WebhookDeliveryRow): Omit<WebhookDelivery, "attempts"> {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    tenant: row.tenant,
    jobId: row.job_id,
    event: row.event,
    eventSeq: row.event_seq,
    body: row.body,
    status: row.status,
    attempt: row.attempt,
    maxAttempts: row.max_attempts,
    nextAttemptAt: row.next_attempt_at === null ? null : new Date(row.next_attempt_at),
    createdAt: new Date(row.created_at),
    finishedAt: row.finished_at === null ? null : new Date(row.finished_at),
  };
}

/** An attempt record. */
export function rowToAttempt(row: WebhookAttemptRow): WebhookAttempt {
  return {
    attempt: row.attempt,
    startedAt: new Date(row.started_at),
    durationMs: row.duration_ms,
    statusCode: row.status_code,
    error: row.error,
  };
}

/** Deliveries with their attempts attached (attempt rows in any order of deliveries). */
export function withAttempts(
  rows: readonly WebhookDeliveryRow[],
  attempts: readonly WebhookAttemptRow[],
): WebhookDelivery[] {
  const byDelivery = new Map<string, WebhookAttempt[]>();
  for (const row of attempts) {
    let list = byDelivery.get(row.delivery_id);
    if (list === undefined) byDelivery.set(row.delivery_id, (list = []));
    list.push(rowToAttempt(row));
  }
  return rows.map((row) => ({
    ...rowToDelivery(row),
    attempts: (byDelivery.get(row.id) ?? []).sort((a, b) => a.attempt - b.attempt),
  }));
}

/** A claimed delivery: the row (leased) plus its subscription's target and secret. */
export function toClaimedDelivery(
  row: WebhookDeliveryRow,
  webhook: { url: string; secret: string },
): ClaimedWebhookDelivery {
  return {
    delivery: rowToDelivery(row),
    url: webhook.url,
    secret: webhook.secret,
    leaseToken: row.lease_token ?? "",
  };
}

/** The keyset cursor of a deliveries page: the last delivery's id, base64url. */
export function encodeDeliveryCursor(id: string): string {
  return encodeCursor(id);
}

/**
 * The delivery id a page's cursor carries (null: no cursor, the first page); throws
 * `SpoolValidationError` for a malformed one. Its own check and message, not
 * shared/page-cursor.ts's: the deliveries API has always answered this way.
 */
export function decodeDeliveryCursor(cursor: string | undefined): string | null {
  if (cursor === undefined) return null;
  const id = Buffer.from(cursor, "base64url").toString("utf8");
  if (!/^[0-9a-f-]{36}$/.test(id))
    throw new SpoolValidationError("cursor", "is not a cursor this API returned");
  return id;
}
