/**
 * Follows the store's job-event log and fans events out to subscribers: the library's
 * `spool.on` listeners, and over HTTP SSE streams, WebSocket clients, webhooks and metrics. A
 * `Spool` owns one feed per process (`spool.eventFeed()`). Because every store writes events in
 * the same transaction as the change, subscribers see events from every process — built-in
 * workers, `spool worker` processes, remote HTTP workers, other API servers — in commit order.
 *
 * The feed reads when the store signals a change: `onEventsWritten` after any event-writing
 * commit made through this process's store, `onJobsAvailable` for other processes' commits
 * (SQLite's `data_version` watch) and submissions (PostgreSQL LISTEN/NOTIFY). Hints that arrive
 * during a read coalesce into one more read. A slow safety poll (`pollIntervalMs`, 100 ms) picks
 * up what other processes wrote without a signal (on PostgreSQL: acknowledgements, failures).
 */
import type { JobEventName } from "../core/events.js";
import type { Logger } from "../core/logger.js";
import type { StoredJobEvent, Store } from "../store/store.js";

/** Receives events. */
export type FeedListener = (event: StoredJobEvent) => void;

/**
 * Events read per query. At 500, a PostgreSQL worker completing 14,000 jobs/s (three events
 * each) outran its own feed: completions reached `spool.on` up to a minute late, in a burst at
 * the end of a 1,000,000-job drain. At 5,000 the feed kept pace (a 200,000-job drain: 14,800 →
 * 17,200 jobs/s, measured to the last `job.completed`); a read returns at once with what there
 * is, so a quiet log costs the same.
 */
const DEFAULT_BATCH_SIZE = 5_000;

/** Options of the feed. */
export interface EventFeedOptions {
  /** Events read per query. Default 5,000. */
  batchSize?: number;
  logger: Logger;
  /** How often the log is read without a hint (the safety poll), ms. Default 100. */
  pollIntervalMs?: number;
  store: Store;
}

interface Subscriber {
  listener: FeedListener;
  /** The event names it wants, asked before every read; none: every event. */
  names: (() => readonly JobEventName[]) | undefined;
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
  /** A hint arrived while reading: read again right after. */
  private again = false;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private unsubscribeHints: (() => void)[] = [];

  constructor(private readonly options: EventFeedOptions) {
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
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
    const { store } = this.options;
    this.unsubscribeHints = [
      store.onEventsWritten(() => this.wake()),
      store.onJobsAvailable(() => this.wake()),
    ];
    this.schedule(this.pollIntervalMs);
  }

  /** Stops following; subscribers stay registered but receive nothing more. */
  async stop(): Promise<void> {
    this.running = false;
    for (const unsubscribe of this.unsubscribeHints) unsubscribe();
    this.unsubscribeHints = [];
    clearTimeout(this.timer);
    await this.reading;
  }

  /**
   * Adds a listener. With `afterSeq` older than the feed's position, the events in between are
   * replayed from the log first (resuming an SSE stream from `Last-Event-ID`), then live ones
   * follow without gaps or repeats.
   */
  subscribe(listener: FeedListener, afterSeq?: number): () => void {
    const subscriber = this.add(listener, undefined);
    if (afterSeq !== undefined && afterSeq < this.position) {
      subscriber.buffer = [];
      void this.replay(subscriber, afterSeq);
    }
    return () => this.subscribers.delete(subscriber);
  }

  /**
   * Adds a listener of the event names `names` returns (asked before every read). While every
   * subscriber names what it wants, the feed reads only those events from the store: a
   * `spool.on("job.completed")` listener does not pay for decoding the queued and started
   * events of every job (it may still be handed others; it filters them itself).
   */
  subscribeNamed(listener: FeedListener, names: () => readonly JobEventName[]): () => void {
    const subscriber = this.add(listener, names);
    return () => this.subscribers.delete(subscriber);
  }

  /** Registers a subscriber from the current position on, and reads soon. */
  private add(listener: FeedListener, names: Subscriber["names"]): Subscriber {
    const subscriber: Subscriber = { listener, names, buffer: null, lastSeq: this.position };
    this.wake();
    this.subscribers.add(subscriber);
    return subscriber;
  }

  /** Reads and dispatches everything new; returns how many events it dispatched. */
  async runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const { events, scannedTo } = await this.readBatch();
      for (const event of events) {
        this.position = event.seq;
        for (const subscriber of this.subscribers) this.deliver(subscriber, event);
      }
      this.position = Math.max(this.position, scannedTo);
      total += events.length;
      if (events.length < this.batchSize) return total;
    }
  }

  /**
   * The next batch after the position: every event, or only the names subscribers want. A read
   * of some names is done again when a subscriber wants more meanwhile (one came, or named
   * more), since what it skipped may now be wanted.
   */
  private async readBatch(): Promise<{ events: StoredJobEvent[]; scannedTo: number }> {
    const { store } = this.options;
    for (;;) {
      const wanted = this.wantedNames();
      const afterSeq = this.position;
      if (wanted === null) {
        const events = await store.readJobEvents({ afterSeq, limit: this.batchSize });
        return { events, scannedTo: afterSeq };
      }
      const read = await store.readNamedJobEvents({
        afterSeq,
        limit: this.batchSize,
        names: [...wanted],
      });
      const now = this.wantedNames();
      if (now !== null && [...now].every((name) => wanted.has(name))) return read;
    }
  }

  /** What the subscribers want: null when one wants every event. */
  private wantedNames(): ReadonlySet<JobEventName> | null {
    const names = new Set<JobEventName>();
    for (const subscriber of this.subscribers) {
      if (subscriber.names === undefined) return null;
      for (const name of subscriber.names()) names.add(name);
    }
    return names;
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

  /** The log may have grown: read now (or once more right after the read in progress). */
  wake(): void {
    if (!this.running) return;
    if (this.reading !== undefined) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.again = false;
      this.reading = this.runOnce()
        .catch((error: unknown) =>
          this.options.logger.warn({ err: error }, "reading the event log failed"),
        )
        .then(() => undefined)
        .finally(() => {
          this.reading = undefined;
          this.schedule(this.again ? 0 : this.pollIntervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }
}
