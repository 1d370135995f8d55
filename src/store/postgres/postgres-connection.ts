/**
 * The PostgreSQL store's handle on its database, the counterpart of SQLite's
 * sqlite-connection.ts: the pool and the schema's prepared statement names, the LISTEN
 * connection (notification-listener.ts), and the one place where driver errors become Spool
 * errors (`guard`) and where a closed store refuses calls. While the database is down, calls
 * fail fast with `StoreUnavailableError` instead of hanging.
 */
import type pg from "pg";
import { StoreUnavailableError } from "../../core/errors.js";
import { publisherLockKey } from "./event-log.js";
import { NotificationListener } from "./notification-listener.js";
import { mapPostgresError } from "./postgres-errors.js";
import { resolvePostgresOptions, type PostgresStoreOptions } from "./postgres-options.js";
import {
  clientConfig,
  createPool,
  prepareSchema,
  withReadTimeout,
  type Queryable,
  type Statements,
} from "./postgres-pool.js";
import { parseDelayedWakeup } from "./queue-traffic.js";
import { channelName, type SchemaNames } from "./sql/names.js";

/** A pool on one Spool schema, with its LISTEN connection; see the module header. */
export class PostgresConnection {
  /** The schema the store works in. */
  readonly schema: string;
  /** The LISTEN/NOTIFY channel of the schema. */
  readonly channel: string;
  readonly pool: pg.Pool;
  readonly names: SchemaNames;
  readonly statements: Statements;
  /** The advisory lock the event-log readers take (event-log.ts). */
  readonly publisherLockKey: string;
  private readonly readTimeoutMs: number;
  private readonly listener: NotificationListener;
  private readonly eventListeners = new Set<() => void>();
  private closing: Promise<void> | undefined;

  /**
   * @param onReady told each queue a NOTIFY says may have ready jobs (null: any queue, after
   *   the LISTEN connection recovered from a drop).
   * @param onDelayed told `<queue> +<ms>` NOTIFYs: the queue's jobs are ready after a delay.
   */
  constructor(
    options: PostgresStoreOptions,
    onReady: (queue: string | null) => void,
    onDelayed: (queue: string, delayMs: number) => void,
  ) {
    const { schema, readTimeoutMs, settings } = resolvePostgresOptions(options);
    this.schema = schema;
    this.readTimeoutMs = readTimeoutMs;
    ({ names: this.names, statements: this.statements } = prepareSchema(schema));
    this.channel = channelName(schema);
    this.publisherLockKey = publisherLockKey(schema);
    this.pool = createPool(settings);
    this.listener = new NotificationListener({
      channel: this.channel,
      clientConfig: clientConfig(settings, `spool-listener ${schema}`.slice(0, 63)),
      onNotification: (payload) => {
        const delayed = payload === null ? null : parseDelayedWakeup(payload);
        if (delayed === null) onReady(payload);
        else onDelayed(delayed.queue, delayed.delayMs);
      },
    });
  }

  /** True once `close` was called. */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** Opens the LISTEN connection (a no-op while it is open). */
  listen(): void {
    this.listener.start();
  }

  /** Closes the LISTEN connection. */
  unlisten(): void {
    void this.listener.stop();
  }

  /** Stops listening, awaits `drain` (writes in flight), then closes the pool; idempotent. */
  close(drain: () => Promise<void>): Promise<void> {
    this.closing ??= (async () => {
      await this.listener.stop();
      await drain();
      await this.pool.end();
    })();
    return this.closing;
  }

  /** Runs `fn` unless the store is closed, mapping driver errors to Spool errors. */
  async guard<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closing !== undefined)
      throw new StoreUnavailableError("the store is closed", { retryable: false });
    return this.mapErrors(fn);
  }

  /** Runs `fn`, mapping driver errors to Spool errors in one place (even while closing). */
  async mapErrors<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw mapPostgresError(error);
    }
  }

  /** Calls `listener` after each write through this connection that may have logged job events. */
  onEventsWritten(listener: () => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** `guard` for a write that may log job events: tells `onEventsWritten` listeners after. */
  async guardWrite<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await this.guard(fn);
    } finally {
      for (const listener of [...this.eventListeners]) listener();
    }
  }

  /** `run` for a write that may log job events (see `guardWrite`). */
  async write<T>(fn: (pool: pg.Pool, statements: Statements) => Promise<T>): Promise<T> {
    return this.guardWrite(() => fn(this.pool, this.statements));
  }

  /** `guard` for a module function of the pool and the schema's statements. */
  async run<T>(fn: (pool: pg.Pool, statements: Statements) => Promise<T>): Promise<T> {
    return this.guard(() => fn(this.pool, this.statements));
  }

  /** An API read under the read timeout (a read that runs longer is cancelled). */
  async read<T>(fn: (client: Queryable, statements: Statements) => Promise<T>): Promise<T> {
    return this.guard(() =>
      withReadTimeout(this.pool, this.readTimeoutMs, (client) => fn(client, this.statements)),
    );
  }
}
