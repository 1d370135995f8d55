/**
 * Webhook subscriptions, deliveries and their attempt log on PostgreSQL. Claims lock due rows
 * with FOR UPDATE SKIP LOCKED, so API servers on any number of hosts lease disjoint deliveries;
 * a report whose lease token no longer matches changes nothing.
 */
import type pg from "pg";
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
import { runStatement, withTransaction, type Statements } from "./postgres-pool.js";

type StoredWebhookRow = WebhookRow & { events: string[] };

function toWebhook(row: StoredWebhookRow): WebhookRecord {
  return rowToWebhook(row, row.events);
}

/** Stores a subscription. */
export async function createWebhook(
  pool: pg.Pool,
  statements: Statements,
  webhook: WebhookRecord,
): Promise<WebhookRecord> {
  const result = await runStatement<StoredWebhookRow>(pool, statements.INSERT_WEBHOOK, [
    webhook.id,
    webhook.tenant,
    webhook.url,
    webhook.events,
    webhook.secret,
    webhook.createdAt.getTime(),
  ]);
  return toWebhook(result.rows[0]!);
}

/** Subscriptions, oldest first. */
export async function listWebhooks(
  pool: pg.Pool,
  statements: Statements,
  tenant?: string,
): Promise<WebhookRecord[]> {
  const result = await runStatement<StoredWebhookRow>(pool, statements.SELECT_WEBHOOKS, [
    tenant ?? null,
  ]);
  return result.rows.map(toWebhook);
}

/** One subscription, or null. */
export async function getWebhook(
  pool: pg.Pool,
  statements: Statements,
  id: string,
  tenant?: string,
): Promise<WebhookRecord | null> {
  const result = await runStatement<StoredWebhookRow>(pool, statements.SELECT_WEBHOOK, [
    id,
    tenant ?? null,
  ]);
  const row = result.rows[0];
  return row === undefined ? null : toWebhook(row);
}

/** Deletes a subscription with its deliveries and attempts; null when unknown. */
export async function deleteWebhook(
  pool: pg.Pool,
  statements: Statements,
  id: string,
  tenant?: string,
): Promise<WebhookRecord | null> {
  return withTransaction(pool, async (client) => {
    const result = await runStatement<StoredWebhookRow>(client, statements.DELETE_WEBHOOK, [
      id,
      tenant ?? null,
    ]);
    const row = result.rows[0];
    if (row === undefined) return null;
    await runStatement(client, statements.DELETE_WEBHOOK_ATTEMPTS, [id]);
    await runStatement(client, statements.DELETE_WEBHOOK_DELIVERIES, [id]);
    return toWebhook(row);
  });
}

/** The fan-out cursor, or null. */
export async function readWebhookCursor(
  pool: pg.Pool,
  statements: Statements,
): Promise<number | null> {
  const result = await runStatement<{ seq: number }>(pool, statements.SELECT_WEBHOOK_CURSOR, []);
  return result.rows[0]?.seq ?? null;
}

/** Creates deliveries (once per subscription and seq) and moves the cursor, atomically. */
export async function enqueueWebhookDeliveries(
  pool: pg.Pool,
  statements: Statements,
  params: { deliveries: readonly NewWebhookDelivery[]; cursorSeq: number; now: number },
): Promise<number> {
  return withTransaction(pool, async (client) => {
    let created = 0;
    for (const d of params.deliveries) {
      const result = await runStatement(client, statements.INSERT_WEBHOOK_DELIVERY, [
        d.id,
        d.webhookId,
        d.tenant,
        d.jobId,
        d.event,
        d.eventSeq,
        d.body,
        d.maxAttempts,
        params.now,
      ]);
      created += result.rowCount ?? 0;
    }
    await runStatement(client, statements.UPSERT_WEBHOOK_CURSOR, [params.cursorSeq]);
    return created;
  });
}

/** Leases due deliveries; see the store contract. */
export async function claimWebhookDeliveries(
  pool: pg.Pool,
  statements: Statements,
  params: { limit: number; leaseMs: number; now: number },
): Promise<ClaimedWebhookDelivery[]> {
  const result = await runStatement<
    WebhookDeliveryRow & { webhook_url: string; webhook_secret: string }
  >(pool, statements.CLAIM_WEBHOOK_DELIVERIES, [
    params.now,
    params.limit,
    randomToken(),
    params.now + params.leaseMs,
  ]);
  return result.rows
    .map((row) => toClaimedDelivery(row, { url: row.webhook_url, secret: row.webhook_secret }))
    .sort((a, b) => a.delivery.createdAt.getTime() - b.delivery.createdAt.getTime());
}

/** Logs an attempt and moves the delivery on; false when the lease is stale. */
export async function recordWebhookAttempt(
  pool: pg.Pool,
  statements: Statements,
  report: WebhookAttemptReport,
  now: number,
): Promise<boolean> {
  const result = await runStatement(pool, statements.FINISH_WEBHOOK_ATTEMPT, [
    report.id,
    report.leaseToken,
    report.status,
    report.status === "pending" ? (report.nextAttemptAt ?? now) : null,
    now,
    report.durationMs,
    report.statusCode,
    report.error,
  ]);
  return result.rowCount === 1;
}

/** A page of deliveries with their attempts. */
export async function listWebhookDeliveries(
  pool: pg.Pool,
  statements: Statements,
  params: { webhookId?: string; jobId?: string; tenant?: string; limit: number; cursor?: string },
): Promise<{ deliveries: WebhookDelivery[]; nextCursor: string | null }> {
  const before = decodeDeliveryCursor(params.cursor);
  const result = await runStatement<WebhookDeliveryRow>(
    pool,
    statements.SELECT_WEBHOOK_DELIVERIES,
    [
      params.webhookId ?? null,
      params.jobId ?? null,
      params.tenant ?? null,
      before,
      params.limit + 1,
    ],
  );
  const page = result.rows.slice(0, params.limit);
  const attempts = await runStatement<WebhookAttemptRow>(pool, statements.SELECT_WEBHOOK_ATTEMPTS, [
    page.map((row) => row.id),
  ]);
  const last = page.at(-1);
  return {
    deliveries: withAttempts(page, attempts.rows),
    nextCursor:
      result.rows.length > params.limit && last !== undefined
        ? encodeDeliveryCursor(last.id)
        : null,
  };
}

/** Queues a finished delivery again; see the store contract. */
export async function redeliverWebhookDelivery(
  pool: pg.Pool,
  statements: Statements,
  params: { id: string; webhookId: string; tenant?: string; maxAttempts: number; now: number },
): Promise<WebhookDelivery> {
  const keys = [params.id, params.webhookId, params.tenant ?? null];
  const result = await runStatement<WebhookDeliveryRow>(
    pool,
    statements.REDELIVER_WEBHOOK_DELIVERY,
    [...keys, params.maxAttempts, params.now],
  );
  const row = result.rows[0];
  if (row === undefined) {
    const existing = await runStatement(pool, statements.SELECT_WEBHOOK_DELIVERY, keys);
    if (existing.rowCount === 0) throw new SpoolNotFoundError("delivery", params.id);
    throw new SpoolConflictError(`delivery ${params.id} is still being delivered`);
  }
  const attempts = await runStatement<WebhookAttemptRow>(pool, statements.SELECT_WEBHOOK_ATTEMPTS, [
    [row.id],
  ]);
  return withAttempts([row], attempts.rows)[0]!;
}
