/**
 * Webhook subscriptions, deliveries and their attempt log on SQLite. Claims and reports run in
 * IMMEDIATE transactions, so two processes on one file can never lease the same delivery, and
 * a report whose lease token no longer matches changes nothing.
 */
import { SpoolConflictError, SpoolNotFoundError } from "../../core/errors.js";
import { randomToken } from "../../core/ids.js";
import type {
  ClaimedWebhookDelivery,
  NewWebhookDelivery,
  WebhookAttemptReport,
  WebhookDelivery,
  WebhookRecord,
} from "../../core/webhook.js";
import {
  decodeDeliveryCursor,
  encodeDeliveryCursor,
  rowToWebhook,
  toClaimedDelivery,
  withAttempts,
  type WebhookAttemptRow,
  type WebhookDeliveryRow,
  type WebhookRow,
} from "../webhook-rows.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import * as sql from "./sql/webhooks.js";

type StoredWebhookRow = WebhookRow & { events: string };

function toWebhook(row: StoredWebhookRow): WebhookRecord {
  return rowToWebhook(row, JSON.parse(row.events) as string[]);
}

/** Stores a subscription. */
export function createWebhook(db: SqliteConnection, webhook: WebhookRecord): WebhookRecord {
  return db.write(() =>
    toWebhook(
      db.stmt(sql.INSERT_WEBHOOK).get({
        id: webhook.id,
        tenant: webhook.tenant,
        url: webhook.url,
        events: JSON.stringify(webhook.events),
        secret: webhook.secret,
        created_at: webhook.createdAt.getTime(),
      }) as StoredWebhookRow,
    ),
  );
}

/** Subscriptions, oldest first. */
export function listWebhooks(db: SqliteConnection, tenant?: string): WebhookRecord[] {
  return db.guard(() =>
    (db.stmt(sql.SELECT_WEBHOOKS).all({ tenant: tenant ?? null }) as StoredWebhookRow[]).map(
      toWebhook,
    ),
  );
}

/** One subscription, or null. */
export function getWebhook(
  db: SqliteConnection,
  id: string,
  tenant?: string,
): WebhookRecord | null {
  return db.guard(() => {
    const row = db.stmt(sql.SELECT_WEBHOOK).get({ id, tenant: tenant ?? null }) as
      StoredWebhookRow | undefined;
    return row === undefined ? null : toWebhook(row);
  });
}

/** Deletes a subscription with its deliveries and attempts; null when unknown. */
export function deleteWebhook(
  db: SqliteConnection,
  id: string,
  tenant?: string,
): WebhookRecord | null {
  return db.write(() => {
    const row = db.stmt(sql.DELETE_WEBHOOK).get({ id, tenant: tenant ?? null }) as
      StoredWebhookRow | undefined;
    if (row === undefined) return null;
    db.stmt(sql.DELETE_WEBHOOK_ATTEMPTS).run({ webhook_id: id });
    db.stmt(sql.DELETE_WEBHOOK_DELIVERIES).run({ webhook_id: id });
    return toWebhook(row);
  });
}

/** The fan-out cursor, or null. */
export function readWebhookCursor(db: SqliteConnection): number | null {
  return db.guard(() => {
    const row = db.stmt(sql.SELECT_WEBHOOK_CURSOR).get() as { seq: number } | undefined;
    return row?.seq ?? null;
  });
}

/** Creates deliveries (once per subscription and seq) and moves the cursor, atomically. */
export function enqueueWebhookDeliveries(
  db: SqliteConnection,
  deliveries: readonly NewWebhookDelivery[],
  cursorSeq: number,
  now: number,
): number {
  return db.write(() => {
    let created = 0;
    for (const d of deliveries) {
      created += db.stmt(sql.INSERT_WEBHOOK_DELIVERY).run({
        id: d.id,
        webhook_id: d.webhookId,
        tenant: d.tenant,
        job_id: d.jobId,
        event: d.event,
        event_seq: d.eventSeq,
        body: d.body,
        max_attempts: d.maxAttempts,
        now,
      }).changes;
    }
    db.stmt(sql.UPSERT_WEBHOOK_CURSOR).run({ seq: cursorSeq });
    return created;
  });
}

/** Leases due deliveries; see the store contract. */
export function claimWebhookDeliveries(
  db: SqliteConnection,
  params: { limit: number; leaseMs: number; now: number },
): ClaimedWebhookDelivery[] {
  return db.write(() => {
    const { now } = params;
    db.stmt(sql.LOG_INTERRUPTED_WEBHOOK_ATTEMPTS).run({ now });
    db.stmt(sql.FAIL_EXHAUSTED_WEBHOOK_DELIVERIES).run({ now });
    const rows = db.stmt(sql.CLAIM_WEBHOOK_DELIVERIES).all({
      now,
      limit: params.limit,
      lease_token: randomToken(),
      lease_until: now + params.leaseMs,
    }) as WebhookDeliveryRow[];
    const claimed: ClaimedWebhookDelivery[] = [];
    for (const row of rows) {
      const hook = db.stmt(sql.SELECT_WEBHOOK).get({ id: row.webhook_id, tenant: null }) as
        StoredWebhookRow | undefined;
      if (hook !== undefined) claimed.push(toClaimedDelivery(row, hook));
    }
    return claimed.sort((a, b) => a.delivery.createdAt.getTime() - b.delivery.createdAt.getTime());
  });
}

/** Logs an attempt and moves the delivery on; false when the lease is stale. */
export function recordWebhookAttempt(
  db: SqliteConnection,
  report: WebhookAttemptReport,
  now: number,
): boolean {
  return db.write(() => {
    const row = db.stmt(sql.FINISH_WEBHOOK_ATTEMPT).get({
      id: report.id,
      lease_token: report.leaseToken,
      status: report.status,
      next_attempt_at: report.status === "pending" ? (report.nextAttemptAt ?? now) : null,
      now,
    }) as { attempt: number; attempt_started_at: number | null } | undefined;
    if (row === undefined) return false;
    db.stmt(sql.INSERT_WEBHOOK_ATTEMPT).run({
      delivery_id: report.id,
      attempt: row.attempt,
      started_at: row.attempt_started_at ?? now - report.durationMs,
      duration_ms: report.durationMs,
      status_code: report.statusCode,
      error: report.error,
    });
    return true;
  });
}

/** A page of deliveries with their attempts. */
export function listWebhookDeliveries(
  db: SqliteConnection,
  params: { webhookId?: string; jobId?: string; tenant?: string; limit: number; cursor?: string },
): { deliveries: WebhookDelivery[]; nextCursor: string | null } {
  const before = decodeDeliveryCursor(params.cursor);
  return db.guard(() => {
    const rows = db.stmt(sql.SELECT_WEBHOOK_DELIVERIES).all({
      webhook_id: params.webhookId ?? null,
      job_id: params.jobId ?? null,
      tenant: params.tenant ?? null,
      before,
      limit: params.limit + 1,
    }) as WebhookDeliveryRow[];
    const page = rows.slice(0, params.limit);
    const attempts = db
      .stmt(sql.SELECT_WEBHOOK_ATTEMPTS)
      .all({ ids: JSON.stringify(page.map((row) => row.id)) }) as WebhookAttemptRow[];
    const last = page.at(-1);
    return {
      deliveries: withAttempts(page, attempts),
      nextCursor:
        rows.length > params.limit && last !== undefined ? encodeDeliveryCursor(last.id) : null,
    };
  });
}

/** Queues a finished delivery again; see the store contract. */
export function redeliverWebhookDelivery(
  db: SqliteConnection,
  params: { id: string; webhookId: string; tenant?: string; maxAttempts: number; now: number },
): WebhookDelivery {
  return db.write(() => {
    const keys = { id: params.id, webhook_id: params.webhookId, tenant: params.tenant ?? null };
    const row = db
      .stmt(sql.REDELIVER_WEBHOOK_DELIVERY)
      .get({ ...keys, max_attempts: params.maxAttempts, now: params.now }) as
      WebhookDeliveryRow | undefined;
    if (row === undefined) {
      if (db.stmt(sql.SELECT_WEBHOOK_DELIVERY).get(keys) === undefined)
        throw new SpoolNotFoundError("delivery", params.id);
      throw new SpoolConflictError(`delivery ${params.id} is still being delivered`);
    }
    const attempts = db
      .stmt(sql.SELECT_WEBHOOK_ATTEMPTS)
      .all({ ids: JSON.stringify([row.id]) }) as WebhookAttemptRow[];
    return withAttempts([row], attempts)[0]!;
  });
}
