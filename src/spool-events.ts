/**
 * A Spool's job events: ONE event feed per Spool (src/events/event-feed.ts), started when the
 * first `spool.on` listener or HTTP subscriber (SSE, `/ws`, webhooks, metrics) arrives and
 * stopped on close. Listeners get every process's events from the store's log, in commit order.
 */
import type { JobEventName } from "./core/events.js";
import type { Logger } from "./core/logger.js";
import { EventFeed } from "./events/event-feed.js";
import { JobEventListeners, type JobEventListener } from "./events/job-event-listeners.js";
import type { Store } from "./store/store.js";

/** See the module header. */
export class SpoolEvents {
  private readonly feed: EventFeed;
  private readonly listeners: JobEventListeners;
  private started: Promise<EventFeed> | undefined;
  private closed = false;

  constructor(
    store: Store,
    private readonly logger: Logger,
  ) {
    this.feed = new EventFeed({ store, logger });
    this.listeners = new JobEventListeners(store, (error, name) =>
      logger.error({ err: error, event: name }, "event listener threw"),
    );
  }

  /** The feed, started (from the log's current end) on first use. */
  feedStarted(): Promise<EventFeed> {
    this.started ??= this.feed.start().then(
      () => {
        this.feed.subscribeNamed(this.listeners.onEvent, this.listeners.wanted);
        return this.feed;
      },
      (error: unknown) => {
        this.started = undefined; // the next listener or subscriber tries again
        throw error;
      },
    );
    return this.started;
  }

  /**
   * Resolves once a feed start in progress has read where the log ends, so that a write made
   * after `spool.on(...)` in this process is never taken for history (a no-op when none is).
   */
  async settled(): Promise<void> {
    if (this.started !== undefined) await this.started.catch(() => undefined);
  }

  on<K extends JobEventName>(name: K, listener: JobEventListener<K>): () => void {
    this.startInBackground();
    return this.listeners.on(name, listener);
  }

  once<K extends JobEventName>(name: K, listener: JobEventListener<K>): () => void {
    this.startInBackground();
    return this.listeners.once(name, listener);
  }

  off<K extends JobEventName>(name: K, listener: JobEventListener<K>): void {
    this.listeners.off(name, listener);
  }

  private startInBackground(): void {
    if (this.closed) return; // a listener added after close hears nothing, as before
    this.feedStarted().catch((error: unknown) =>
      this.logger.error({ err: error }, "starting the event feed failed"),
    );
  }

  /** Stops the feed and drops every listener. */
  async close(): Promise<void> {
    this.closed = true;
    await this.settled();
    await this.feed.stop();
    this.listeners.clear();
  }
}
