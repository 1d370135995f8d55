/**
 * Part of the store contract (`Store`, store.ts, states the conventions).
 * Webhook subscriptions and deliveries.
 */
import type {
  ClaimedWebhookDelivery,
  NewWebhookDelivery,
  WebhookAttemptReport,
  WebhookDelivery,
  WebhookRecord,
} from "../../core/webhook.js";

/** Webhook subscriptions and deliveries. */
export interface WebhookStore {
  /** Stores a webhook subscription (core/webhook.ts). */
  createWebhook(params: { webhook: WebhookRecord }): Promise<WebhookRecord>;
  /** Subscriptions oldest first; with `tenant`, only that tenant's. */
  listWebhooks(params: { tenant?: string }): Promise<WebhookRecord[]>;
  /** The subscription, or null when unknown (or not the tenant's). */
  getWebhook(params: { id: string; tenant?: string }): Promise<WebhookRecord | null>;
  /** Deletes a subscription with its deliveries and their log; null when unknown / not the tenant's. */
  deleteWebhook(params: { id: string; tenant?: string }): Promise<WebhookRecord | null>;
  /** How far the job-event log has been turned into deliveries (null: never). */
  readWebhookCursor(): Promise<number | null>;
  /**
   * Creates deliveries (skipping any whose subscription already has one for that event seq, so
   * API servers fanning out the same events concurrently create each delivery once) and moves
   * the cursor forward to `cursorSeq` (never back), in one transaction. Returns how many it created.
   */
  enqueueWebhookDeliveries(params: {
    deliveries: readonly NewWebhookDelivery[];
    cursorSeq: number;
    now: number;
  }): Promise<number>;
  /**
   * Leases up to `limit` due deliveries (pending and due, or sending with an expired lease: the
   * sender died, the same delivery is sent again) until `now + leaseMs`, counting an attempt.
   * An expired lease is logged as an interrupted attempt; one on the last attempt fails the
   * delivery. Parallel claimers get disjoint deliveries.
   */
  claimWebhookDeliveries(params: {
    limit: number;
    leaseMs: number;
    now: number;
  }): Promise<ClaimedWebhookDelivery[]>;
  /** Logs an attempt and sets the delivery's next state; false when the lease token is stale. */
  recordWebhookAttempt(params: { report: WebhookAttemptReport; now: number }): Promise<boolean>;
  /**
   * Deliveries newest first with their attempts, by subscription and/or job, of one tenant or
   * all; `cursor` is the previous page's `nextCursor`.
   */
  listWebhookDeliveries(params: {
    webhookId?: string;
    jobId?: string;
    tenant?: string;
    limit: number;
    cursor?: string;
  }): Promise<{ deliveries: WebhookDelivery[]; nextCursor: string | null }>;
  /**
   * Queues a finished (succeeded or failed) delivery again: same id and body, due at `now`,
   * with `maxAttempts` more attempts. Throws `SpoolNotFoundError` when unknown (or not the
   * tenant's or not the subscription's) and `SpoolConflictError` while it is not finished.
   */
  redeliverWebhookDelivery(params: {
    id: string;
    webhookId: string;
    tenant?: string;
    maxAttempts: number;
    now: number;
  }): Promise<WebhookDelivery>;
}
