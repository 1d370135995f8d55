/**
 * Webhooks: when a job with a `webhook_url` ends (completed, failed, cancelled), the API server
 * POSTs the event and the job resource to that URL. Delivery is itself a Spool job (type
 * `spool.webhook` on queue `spool.webhooks`), so it is retried with backoff (5 attempts) and
 * survives restarts. Every API server follows the event log; the unique key `webhook:<seq>`
 * collapses the copies they enqueue, so receivers normally get one delivery — but delivery is
 * at-least-once, and the body's `event_id` lets a receiver drop a repeat.
 *
 * With a secret, each request carries `X-Spool-Signature: sha256=<HMAC-SHA256(secret, body)>`.
 * Targets pass the SSRF guard (webhook-target-guard.ts) on every attempt; a refused one fails
 * the delivery at once. Subscriptions (POST /webhooks) are delivered by webhook-deliverer.ts.
 */
import { createHmac } from "node:crypto";
import { UnrecoverableError } from "../core/errors.js";
import { randomToken } from "../core/ids.js";
import { isFinalState } from "../core/states.js";
import type { JsonObject } from "../core/json.js";
import type { Logger } from "../core/logger.js";
import type { Spool } from "../spool.js";
import type { StoredJobEvent } from "../store/store.js";
import type { JobHandler } from "../worker/handler.js";
import type { Worker } from "../worker/worker.js";
import { toEventResource } from "./event-feed.js";
import { toJobResource } from "./serialize.js";
import { sendWebhook } from "./webhook-sender.js";
import { WebhookTargetRefusedError, type WebhookTargetGuard } from "./webhook-target-guard.js";

/** The job type and queue that deliver webhooks. */
export const WEBHOOK_JOB_TYPE = "spool.webhook";
export const WEBHOOK_QUEUE = "spool.webhooks";
const DELIVERY_TIMEOUT_MS = 10_000;

/** Options of the dispatcher. */
export interface WebhookOptions {
  /** Concurrent deliveries of this server. Default 4. */
  concurrency?: number;
  /** The SSRF guard every delivery passes. */
  guard: WebhookTargetGuard;
  logger: Logger;
  /** HMAC secret for `X-Spool-Signature`; unsigned when absent. */
  secret?: string | undefined;
  spool: Spool;
}

/** Queues deliveries for finished jobs and runs a worker that sends them. */
export class WebhookDispatcher {
  private readonly worker: Worker;

  constructor(private readonly options: WebhookOptions) {
    this.worker = options.spool.worker({
      // Unique per dispatcher: several servers share a store, and worker names must be unique.
      name: `webhooks-${randomToken().slice(0, 8)}`,
      queues: [WEBHOOK_QUEUE],
      concurrency: options.concurrency ?? 4,
      handlers: { [WEBHOOK_JOB_TYPE]: this.deliver },
    });
  }

  /** Starts the delivery worker. */
  async start(): Promise<void> {
    await this.worker.start();
  }

  /** Stops the delivery worker (in-flight deliveries finish or are released). */
  async stop(): Promise<void> {
    await this.worker.stop({ graceMs: 5_000 });
  }

  /** Feed listener: enqueues a delivery when a job with a webhook ends. */
  readonly onEvent = (event: StoredJobEvent): void => {
    if (
      !isFinalState(event.status) ||
      event.type === WEBHOOK_JOB_TYPE ||
      event.name === "job.queued"
    )
      return;
    void this.enqueue(event).catch((error: unknown) =>
      this.options.logger.error(
        { err: error, jobId: event.jobId },
        "could not queue a webhook delivery",
      ),
    );
  };

  private async enqueue(event: StoredJobEvent): Promise<void> {
    const job = await this.options.spool.get(event.jobId);
    if (job === null || job.webhookUrl === null) return;
    const body = {
      event_id: event.seq,
      ...toEventResource(event),
      job: toJobResource(job, this.options.spool.now()),
    };
    await this.options.spool.enqueue(
      WEBHOOK_JOB_TYPE,
      { url: job.webhookUrl, body: JSON.parse(JSON.stringify(body)) as JsonObject },
      {
        queue: WEBHOOK_QUEUE,
        tenant: job.tenant,
        uniqueKey: `webhook:${event.seq}`,
        maxAttempts: 5,
        backoff: { baseMs: 2_000, capMs: 300_000 },
        timeout: DELIVERY_TIMEOUT_MS * 2,
      },
    );
  }

  /** Sends one delivery; a non-2xx answer or a network error fails the attempt (retried). */
  private readonly deliver: JobHandler = async (job, ctx) => {
    const url = job.payload.url;
    if (typeof url !== "string") throw new UnrecoverableError("webhook job without a url");
    const text = JSON.stringify(job.payload.body);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "spool-webhooks",
      "x-spool-event": String((job.payload.body as { event?: unknown } | undefined)?.event ?? ""),
      "x-spool-delivery": job.id,
    };
    if (this.options.secret !== undefined) {
      headers["x-spool-signature"] =
        `sha256=${createHmac("sha256", this.options.secret).update(text).digest("hex")}`;
    }
    let response: { statusCode: number };
    try {
      response = await sendWebhook({
        url,
        headers,
        body: text,
        timeoutMs: DELIVERY_TIMEOUT_MS,
        guard: this.options.guard,
        signal: ctx.signal,
      });
    } catch (error) {
      if (error instanceof WebhookTargetRefusedError)
        throw new UnrecoverableError(`webhook target refused: ${error.message}`);
      throw error;
    }
    if (response.statusCode < 200 || response.statusCode >= 300) {
      throw new Error(`webhook ${url} answered ${response.statusCode}`);
    }
    return { status: response.statusCode };
  };
}
