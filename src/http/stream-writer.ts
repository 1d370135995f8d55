/**
 * Bounded writes to one live-event client (an SSE response or a WebSocket). A socket accepts
 * every write and queues in memory what the client has not read yet, so a client that stops
 * reading (a stalled proxy, a suspended laptop, a hostile peer) would make the server hold every
 * later event for it, without limit. The writer drops such a client instead: the connection is
 * destroyed (a graceful end would queue behind the backlog) and the reason is logged. SSE
 * clients resume without a gap by reconnecting with `Last-Event-ID`.
 *
 * "Behind" is judged by what is still queued for the client (`writableLength` of the response,
 * `bufferedAmount` of a WebSocket) when a burst of writes begins: the event feed fans a batch
 * out in one synchronous run, and Node corks an HTTP response until the next tick, so within a
 * burst the queue grows even for a client that reads everything. A client that had nothing
 * queued at the start of the burst gets the whole burst; one that was still behind is dropped
 * as soon as a write would take its queue past `maxBufferedBytes`. What the server holds for one
 * client is thus bounded by `maxBufferedBytes` plus one burst (the feed's batch, 500 events).
 */
import type { Logger } from "../core/logger.js";

/** The connection under a writer. */
export interface StreamTarget {
  /** Queues one chunk for the client. */
  write(chunk: string): void;
  /** Bytes queued for the client and not yet handed to the kernel. */
  bufferedBytes(): number;
  /** Ends the connection at once, dropping what is queued. */
  destroy(): void;
}

/** Options of a writer. */
export interface StreamWriterOptions {
  /** Fields that name the stream in the log line (route, request id…). */
  describe: Record<string, unknown>;
  logger: Logger;
  /** Most bytes queued for the client before it is dropped. */
  maxBufferedBytes: number;
}

/** See the module header. */
export class StreamWriter {
  private dropped = false;
  /** Bytes queued when the current burst of writes began; undefined between bursts. */
  private queuedAtBurstStart: number | undefined;

  constructor(
    private readonly target: StreamTarget,
    private readonly options: StreamWriterOptions,
  ) {}

  /** True once the client was dropped for not reading. */
  get isDropped(): boolean {
    return this.dropped;
  }

  /** Writes `chunk`, or drops the client when its backlog would pass the limit; false if dropped. */
  write(chunk: string): boolean {
    if (this.dropped) return false;
    const queued = this.target.bufferedBytes();
    if (this.queuedAtBurstStart === undefined) {
      this.queuedAtBurstStart = queued;
      setImmediate(() => (this.queuedAtBurstStart = undefined)); // after the response uncorks
    }
    const bytes = Buffer.byteLength(chunk);
    if (this.queuedAtBurstStart > 0 && queued + bytes > this.options.maxBufferedBytes) {
      this.dropped = true;
      this.options.logger.warn(
        {
          ...this.options.describe,
          bufferedBytes: queued,
          maxBufferedBytes: this.options.maxBufferedBytes,
        },
        "dropped a live-event client that stopped reading (its backlog passed the limit); it can resume with Last-Event-ID",
      );
      this.target.destroy();
      return false;
    }
    this.target.write(chunk);
    return true;
  }
}
