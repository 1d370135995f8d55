/**
 * Delivers webhook subscriptions: a boring loop (start/stop/runOnce(now)) that fans new job
 * events out into deliveries (webhook-fanout.ts), leases the due ones (`spool.webhooks`), POSTs
 * them signed, and reports every attempt. Leases make it safe to run on every API server of a
 * PostgreSQL store: two servers never hold the same delivery at once, and a server that dies
 * mid-delivery leaves a lease that expires, after which another sends the same delivery again
 * (at-least-once, same delivery id: receivers drop repeats by `X-Spool-Delivery`).
 *
 * Each request carries `X-Spool-Delivery`, `X-Spool-Event`, `X-Spool-Webhook-Id`,
 * `X-Spool-Webhook-Timestamp` (Unix seconds) and `X-Spool-Webhook-Signature: v1=<hex>`, the
 * HMAC-SHA256 of `"<timestamp>.<body>"` with the subscription's secret (core/webhook.ts).
 */
import type { BackoffPolicy } from "../core/backoff.js";
import { systemClock, type Clock } from "../core/clock.js";
import type { Logger } from "../core/logger.js";
import {
  DEFAULT_WEBHOOK_BACKOFF,
  DEFAULT_WEBHOOK_MAX_ATTEMPTS,
  nextWebhookAttempt,
  signWebhook,
  type ClaimedWebhookDelivery,
  type WebhookAttemptReport,
} from "../core/webhook.js";
import type { Spool } from "../spool.js";
import { WebhookFanout } from "./webhook-fanout.js";
import { sendWebhook } from "./webhook-sender.js";
import { WebhookTargetRefusedError, type WebhookTargetGuard } from "./webhook-target-guard.js";

/** Options of the deliverer (all but spool, guard and logger optional). */
export interface WebhookDelivererOptions {
  /** Retry backoff of failed attempts (full jitter). Default 10 s base, 1 h cap. */
  backoff?: BackoffPolicy;
  clock?: Clock;
  /** Deliveries sent at once by this server. Default 4. */
  concurrency?: number;
  guard: WebhookTargetGuard;
  /** How long a leased delivery is held before another server may send it again, ms. Default 30,000. */
  leaseMs?: number;
  logger: Logger;
  /** Attempts of a delivery before it fails. Default 8. */
  maxAttempts?: number;
  /** How often to look for due deliveries when nothing wakes the loop, ms. Default 1,000. */
  pollIntervalMs?: number;
  random?: () => number;
  /** The Spool instance whose subscriptions are served. */
  spool: Spool;
  /** Longest wait for a receiver's answer, ms. Default 10,000. */
  timeoutMs?: number;
}

/** See the module header. */
export class WebhookDeliverer {
  private readonly fanout: WebhookFanout;
  private readonly clock: Clock;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly pollIntervalMs: number;
  private readonly timeoutMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly random: () => number;
  private readonly stopping = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private running = false;
  private woken = false;

  constructor(private readonly options: WebhookDelivererOptions) {
    this.clock = options.clock ?? systemClock;
    this.concurrency = options.concurrency ?? 4;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.leaseMs = options.leaseMs ?? Math.max(30_000, this.timeoutMs * 2);
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.backoff = options.backoff ?? DEFAULT_WEBHOOK_BACKOFF;
    this.random = options.random ?? Math.random;
    this.fanout = new WebhookFanout({
      spool: options.spool,
      maxAttempts: options.maxAttempts ?? DEFAULT_WEBHOOK_MAX_ATTEMPTS,
    });
  }

  /** Starts the fan-out cursor on a store that has none (before the server takes requests). */
  async prepare(): Promise<void> {
    await this.fanout.ensureCursor(this.clock.now());
  }

  /** Starts the loop. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops the loop; an attempt in flight is aborted (its lease expires, it is sent again). */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.stopping.abort();
    await this.round;
  }

  /** Something happened (a job event): run a round soon. */
  wake(): void {
    this.woken = true;
    if (this.running && this.round === undefined) {
      clearTimeout(this.timer);
      this.schedule(0);
    }
  }

  /**
   * One round: fan out new events, lease due deliveries up to the concurrency, send them and
   * report each attempt. Returns how many deliveries it sent.
   */
  async runOnce(now: number): Promise<{ sent: number; more: boolean }> {
    const fanned = await this.fanout.runOnce(now);
    const claimed = await this.options.spool.webhooks.claimDeliveries({
      limit: this.concurrency,
      leaseMs: this.leaseMs,
      now,
    });
    await Promise.all(claimed.map((delivery) => this.deliver(delivery)));
    return { sent: claimed.length, more: fanned.more || claimed.length === this.concurrency };
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.woken = false;
      this.round = this.runOnce(this.clock.now())
        .catch((error: unknown) => {
          this.options.logger.warn({ err: error }, "webhook delivery round failed");
          return { sent: 0, more: false };
        })
        .then(({ more }) => {
          this.round = undefined;
          this.schedule(more || this.woken ? 0 : this.pollIntervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  /** Sends one delivery and reports the attempt (a stale lease drops the report). */
  private async deliver(claimed: ClaimedWebhookDelivery): Promise<void> {
    const { delivery } = claimed;
    const startedAt = this.clock.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    let retryable = true;
    try {
      const timestamp = Math.floor(startedAt / 1000);
      const response = await sendWebhook({
        url: claimed.url,
        body: delivery.body,
        headers: {
          "x-spool-delivery": delivery.id,
          "x-spool-event": delivery.event,
          "x-spool-webhook-id": delivery.webhookId,
          "x-spool-webhook-timestamp": String(timestamp),
          "x-spool-webhook-signature": `v1=${signWebhook(claimed.secret, timestamp, delivery.body)}`,
        },
        timeoutMs: this.timeoutMs,
        guard: this.options.guard,
        signal: this.stopping.signal,
      });
      statusCode = response.statusCode;
      if (statusCode < 200 || statusCode >= 300) error = `the receiver answered ${statusCode}`;
    } catch (failure) {
      error = failure instanceof Error ? failure.message : String(failure);
      if (failure instanceof WebhookTargetRefusedError) {
        error = `target refused: ${error}`;
        retryable = false;
      }
    }
    if (this.stopping.signal.aborted && statusCode === null) return; // the lease expires: re-sent
    const now = this.clock.now();
    const next =
      error === null
        ? { status: "succeeded" as const, nextAttemptAt: null }
        : nextWebhookAttempt(delivery, retryable, now, this.backoff, this.random);
    const report: WebhookAttemptReport = {
      id: delivery.id,
      leaseToken: claimed.leaseToken,
      statusCode,
      error,
      durationMs: Math.max(0, now - startedAt),
      ...next,
    };
    try {
      const recorded = await this.options.spool.webhooks.recordAttempt({ report, now });
      if (!recorded)
        this.options.logger.warn({ deliveryId: delivery.id }, "webhook delivery lease was lost");
    } catch (failure) {
      this.options.logger.warn(
        { err: failure, deliveryId: delivery.id },
        "could not record a webhook attempt (the lease expires; it is sent again)",
      );
    }
  }
}

/** Webhook settings of a server (`AppOptions.webhooks`, `ServerOptions.webhooks`). */
export interface WebhookSettings {
  /**
   * IP addresses and CIDR ranges that may be webhook targets although they are not public
   * (`spool serve --webhook-allow`). Default none: loopback, private, link-local and reserved
   * targets are refused.
   */
  allow?: readonly string[];
  /** Concurrent per-job (`webhook_url`) deliveries of this server. Default 4. */
  concurrency?: number;
  /** Tuning of subscription deliveries (retries, timeouts, polling). */
  delivery?: Omit<WebhookDelivererOptions, "spool" | "guard" | "logger">;
  /** HMAC secret of per-job (`webhook_url`) deliveries; unsigned when absent. */
  secret?: string;
}
