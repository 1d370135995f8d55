/**
 * Follows the store's job-event log and fans events out to subscribers (SSE streams, WebSocket
 * clients, metrics). Because every store writes events in the same transaction as the change,
 * subscribers see events from every process — built-in workers, `spool worker` processes, other
 * API servers — in commit order. Read in batches every `pollIntervalMs` (10 ms) while anything
 * happens, every `idleIntervalMs` (100 ms) after `idleAfterMs` (2 s) without events; a store hint
 * that jobs are ready (a submission anywhere) or a new subscriber makes it fast again, so the
 * events of a new job are seen within ~10 ms while an idle server spends almost nothing.
 */
import type { Logger } from "../core/logger.js";
import type { StoredJobEvent, Store } from "../store/store.js";

/** Receives events. */
export type FeedListener = (event: StoredJobEvent) => void;

/** Options of the feed. */
export interface EventFeedOptions {
  /** Events read per query. Default 500. */
  batchSize?: number;
  logger: Logger;
  /** How often the log is read while active, ms. Default 10. */
  pollIntervalMs?: number;
  /** How often the log is read once idle, ms. Default 100. */
  idleIntervalMs?: number;
  /** Time without events after which the feed is idle, ms. Default 2,000. */
  idleAfterMs?: number;
  store: Store;
}

interface Subscriber {
  listener: FeedListener;
  /** Events that arrived live while the subscriber was replaying history. */
  buffer: StoredJobEvent[] | null;
  lastSeq: number;
}

/** See the module header. */
export class EventFeed {
  private readonly subscribers = new Set<Subscriber>();
  private position = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private reading: Promise<void> | undefined;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly idleIntervalMs: number;
  private readonly idleAfterMs: number;
  /** When the feed last saw an event or a hint (ms). */
  private activeAt = 0;
  private unsubscribeHints: (() => void) | undefined;

  constructor(private readonly options: EventFeedOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 10;
    this.idleIntervalMs = options.idleIntervalMs ?? 100;
    this.idleAfterMs = options.idleAfterMs ?? 2_000;
  }

  /** The seq of the newest event dispatched. */
  get latestSeq(): number {
    return this.position;
  }

  /** Starts following the log from its current end. */
  async start(): Promise<void> {
    if (this.running) return;
    this.position = await this.options.store.latestJobEventSeq();
    this.running = true;
    this.unsubscribeHints = this.options.store.onJobsAvailable(() => this.wake());
    this.schedule();
  }

  /** Stops following; subscribers stay registered but receive nothing more. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribeHints?.();
    clearTimeout(this.timer);
    await this.reading;
  }

  /**
   * Adds a listener. With `afterSeq` older than the feed's position, the events in between are
   * replayed from the log first (resuming an SSE stream from `Last-Event-ID`), then live ones
   * follow without gaps or repeats.
   */
  subscribe(listener: FeedListener, afterSeq?: number): () => void {
    const subscriber: Subscriber = { listener, buffer: null, lastSeq: this.position };
    this.wake();
    this.subscribers.add(subscriber);
    if (afterSeq !== undefined && afterSeq < this.position) {
      subscriber.buffer = [];
      void this.replay(subscriber, afterSeq);
    }
    return () => this.subscribers.delete(subscriber);
  }

  /** Reads and dispatches everything new; returns how many events it dispatched. */
  async runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const events = await this.options.store.readJobEvents({
        afterSeq: this.position,
        limit: this.batchSize,
      });
      for (const event of events) {
        this.position = event.seq;
        for (const subscriber of this.subscribers) this.deliver(subscriber, event);
      }
      total += events.length;
      if (events.length > 0) this.activeAt = Date.now();
      if (events.length < this.batchSize) return total;
    }
  }

  private deliver(subscriber: Subscriber, event: StoredJobEvent): void {
    if (subscriber.buffer !== null) {
      subscriber.buffer.push(event);
      return;
    }
    if (event.seq <= subscriber.lastSeq) return;
    subscriber.lastSeq = event.seq;
    try {
      subscriber.listener(event);
    } catch (error) {
      this.options.logger.error({ err: error }, "event feed listener threw");
    }
  }

  private async replay(subscriber: Subscriber, afterSeq: number): Promise<void> {
    let cursor = afterSeq;
    const until = subscriber.lastSeq;
    try {
      while (cursor < until && this.subscribers.has(subscriber)) {
        const events = await this.options.store.readJobEvents({
          afterSeq: cursor,
          limit: this.batchSize,
        });
        if (events.length === 0) break;
        for (const event of events) {
          if (event.seq > until) break;
          cursor = event.seq;
          subscriber.listener(event);
        }
        if (events.length < this.batchSize) break;
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, "replaying events failed; continuing live");
    }
    const buffered = subscriber.buffer ?? [];
    subscriber.buffer = null;
    subscriber.lastSeq = Math.max(cursor, until);
    for (const event of buffered) this.deliver(subscriber, event);
  }

  /** Something happened: read at the fast rate again (now, if the feed was idle). */
  wake(): void {
    const wasIdle = Date.now() - this.activeAt > this.idleAfterMs;
    this.activeAt = Date.now();
    if (wasIdle && this.running && this.reading === undefined) {
      clearTimeout(this.timer);
      this.schedule(0);
    }
  }

  private schedule(delayMs?: number): void {
    if (!this.running) return;
    const idle = Date.now() - this.activeAt > this.idleAfterMs;
    this.timer = setTimeout(
      () => {
        this.reading = this.runOnce()
          .catch((error: unknown) =>
            this.options.logger.warn({ err: error }, "reading the event log failed"),
          )
          .then(() => undefined)
          .finally(() => {
            this.reading = undefined;
            this.schedule();
          });
      },
      delayMs ?? (idle ? this.idleIntervalMs : this.pollIntervalMs),
    );
    this.timer.unref();
  }
}

/** The event as streamed to HTTP clients (snake_case; times ISO-8601). */
export function toEventResource(event: StoredJobEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {
    event: event.name,
    seq: event.seq,
    job_id: event.jobId,
    queue: event.queue,
    type: event.type,
    status: event.status,
    at: event.at.toISOString(),
    tenant: event.tenant,
  };
  const data = event.data;
  if (data.attempt !== undefined) out.attempt = data.attempt;
  if (data.worker !== undefined) out.worker = data.worker;
  if (data.progress !== undefined) out.progress = data.progress;
  if (data.progressMessage !== undefined) out.progress_message = data.progressMessage;
  if (typeof data.runAt === "number") out.run_at = new Date(data.runAt).toISOString();
  if (data.error !== undefined) out.error = data.error;
  if (typeof data.runMs === "number") out.run_seconds = data.runMs / 1000;
  if (typeof data.waitMs === "number") out.wait_seconds = data.waitMs / 1000;
  return out;
}
