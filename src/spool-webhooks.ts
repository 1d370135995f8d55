/**
 * Webhook subscriptions and their deliveries (SPEC §8 "Webhooks"), in queue terms, for the HTTP
 * API's routes and its deliverer: subscribe, list, unsubscribe, follow deliveries, send one
 * again; and for the deliverer, fan job events out into deliveries and lease the due ones.
 * Every call that needs "now" reads the Spool instance's clock unless the caller passes one.
 */
import type { Clock } from "./core/clock.js";
import type { ClaimedWebhookDelivery, WebhookDelivery, WebhookRecord } from "./core/webhook.js";
import type { StoredJobEvent, Store } from "./store/store.js";
import type { AtNow } from "./spool-workers.js";

type Params<K extends keyof Store> = Store[K] extends (params: infer P) => unknown ? P : never;

/** The webhook calls of one Spool instance (`spool.webhooks`). */
export class SpoolWebhooks {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** Stores a subscription. */
  createWebhook(webhook: WebhookRecord): Promise<WebhookRecord> {
    return this.store.createWebhook({ webhook });
  }

  /** Subscriptions oldest first; with `tenant`, only that tenant's. */
  listWebhooks(params: { tenant?: string } = {}): Promise<WebhookRecord[]> {
    return this.store.listWebhooks(params);
  }

  /** The subscription, or null when unknown (or not the tenant's). */
  getWebhook(params: { id: string; tenant?: string }): Promise<WebhookRecord | null> {
    return this.store.getWebhook(params);
  }

  /** Deletes a subscription with its deliveries; null when unknown (or not the tenant's). */
  deleteWebhook(params: { id: string; tenant?: string }): Promise<WebhookRecord | null> {
    return this.store.deleteWebhook(params);
  }

  /** Deliveries newest first with their attempts, by subscription and/or job. */
  listDeliveries(
    params: Params<"listWebhookDeliveries">,
  ): Promise<{ deliveries: WebhookDelivery[]; nextCursor: string | null }> {
    return this.store.listWebhookDeliveries(params);
  }

  /** Queues a finished delivery again (same id and body), due now. */
  redeliver(params: AtNow<Params<"redeliverWebhookDelivery">>): Promise<WebhookDelivery> {
    return this.store.redeliverWebhookDelivery({ ...params, now: params.now ?? this.clock.now() });
  }

  /** How far the job-event log has been turned into deliveries (null: never). */
  readFanoutCursor(): Promise<number | null> {
    return this.store.readWebhookCursor();
  }

  /** The newest job event's `seq` (0 when the log is empty). */
  latestEventSeq(): Promise<number> {
    return this.store.latestJobEventSeq();
  }

  /** Job events after `afterSeq`, oldest first, at most `limit`. */
  readEvents(params: { afterSeq: number; limit: number }): Promise<StoredJobEvent[]> {
    return this.store.readJobEvents(params);
  }

  /** Creates deliveries (each once) and moves the fan-out cursor to `cursorSeq`. */
  enqueueDeliveries(params: AtNow<Params<"enqueueWebhookDeliveries">>): Promise<number> {
    return this.store.enqueueWebhookDeliveries({ ...params, now: params.now ?? this.clock.now() });
  }

  /** Leases up to `limit` due deliveries for `leaseMs`, counting an attempt. */
  claimDeliveries(
    params: AtNow<Params<"claimWebhookDeliveries">>,
  ): Promise<ClaimedWebhookDelivery[]> {
    return this.store.claimWebhookDeliveries({ ...params, now: params.now ?? this.clock.now() });
  }

  /** Logs an attempt and sets the delivery's next state; false when the lease token is stale. */
  recordAttempt(params: AtNow<Params<"recordWebhookAttempt">>): Promise<boolean> {
    return this.store.recordWebhookAttempt({ ...params, now: params.now ?? this.clock.now() });
  }
}
