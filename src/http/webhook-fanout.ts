/**
 * Turns job events into webhook deliveries: reads the job-event log after the store's fan-out
 * cursor, matches each event against the subscriptions (same tenant, wanted event, created
 * before the event), freezes the body (the event plus the job's summary) and hands the
 * deliveries and the new cursor to the store in one call. Every API server may run this at
 * once: the store creates each (subscription, event) delivery once, and the cursor only moves
 * forward, so a crash between reading and writing just repeats the batch.
 */
import { uuidv7 } from "../core/ids.js";
import type { JobRecord } from "../core/job.js";
import { webhookWants, type NewWebhookDelivery, type WebhookRecord } from "../core/webhook.js";
import type { Spool } from "../spool.js";
import type { StoredJobEvent } from "../store/store.js";
import { toEventResource } from "./event-feed.js";
import { toJobSummary } from "./serialize.js";
import { WEBHOOK_JOB_TYPE } from "./webhooks.js";

const INCLUDE_RESULT: ReadonlySet<string> = new Set(["result"]);

/** Options of the fan-out. */
export interface WebhookFanoutOptions {
  /** Events read per round. Default 500. */
  batchSize?: number;
  /** Attempts of each new delivery. */
  maxAttempts: number;
  /** The Spool instance whose job events and subscriptions are read. */
  spool: Spool;
}

/** The JSON body of one delivery, as sent. */
export function deliveryBody(
  deliveryId: string,
  webhook: Pick<WebhookRecord, "id">,
  event: StoredJobEvent,
  job: JobRecord | null,
  now: number,
): string {
  return JSON.stringify({
    delivery_id: deliveryId,
    webhook_id: webhook.id,
    ...toEventResource(event),
    job: job === null ? null : toJobSummary(job, now, INCLUDE_RESULT),
  });
}

/** See the module header. */
export class WebhookFanout {
  private readonly batchSize: number;

  constructor(private readonly options: WebhookFanoutOptions) {
    this.batchSize = options.batchSize ?? 500;
  }

  /**
   * Fans out one batch of events; returns how many events it read (a full batch means more are
   * waiting) and how many deliveries it created.
   */
  async runOnce(now: number): Promise<{ events: number; created: number; more: boolean }> {
    const webhooksOf = this.options.spool.webhooks;
    const cursor = await webhooksOf.readFanoutCursor();
    if (cursor === null) {
      await this.ensureCursor(now);
      return { events: 0, created: 0, more: false };
    }
    const events = await webhooksOf.readEvents({ afterSeq: cursor, limit: this.batchSize });
    const last = events.at(-1);
    if (last === undefined) return { events: 0, created: 0, more: false };
    const webhooks = await webhooksOf.listWebhooks({});
    const deliveries = webhooks.length === 0 ? [] : await this.match(events, webhooks, now);
    const created = await webhooksOf.enqueueDeliveries({
      deliveries,
      cursorSeq: last.seq,
      now,
    });
    return { events: events.length, created, more: events.length === this.batchSize };
  }

  /**
   * On a store that never fanned out: starts the cursor at the log's end (subscriptions see what
   * comes next). The server awaits this before it listens, so no event of a job submitted
   * through it can fall before the cursor.
   */
  async ensureCursor(now: number): Promise<void> {
    const webhooksOf = this.options.spool.webhooks;
    if ((await webhooksOf.readFanoutCursor()) !== null) return;
    const latest = await webhooksOf.latestEventSeq();
    await webhooksOf.enqueueDeliveries({ deliveries: [], cursorSeq: latest, now });
  }

  private async match(
    events: readonly StoredJobEvent[],
    webhooks: readonly WebhookRecord[],
    now: number,
  ): Promise<NewWebhookDelivery[]> {
    const jobs = new Map<string, JobRecord | null>();
    const deliveries: NewWebhookDelivery[] = [];
    for (const event of events) {
      if (event.type === WEBHOOK_JOB_TYPE) continue; // per-job webhook deliveries are internal
      const wanting = webhooks.filter((webhook) => webhookWants(webhook, event));
      if (wanting.length === 0) continue;
      if (!jobs.has(event.jobId)) jobs.set(event.jobId, await this.options.spool.get(event.jobId));
      for (const webhook of wanting) {
        const id = uuidv7(now);
        deliveries.push({
          id,
          webhookId: webhook.id,
          tenant: event.tenant,
          jobId: event.jobId,
          event: event.name,
          eventSeq: event.seq,
          body: deliveryBody(id, webhook, event, jobs.get(event.jobId) ?? null, now),
          maxAttempts: this.options.maxAttempts,
        });
      }
    }
    return deliveries;
  }
}
