/**
 * The LISTEN side of PostgreSQL wake-ups: one dedicated connection (outside the pool, because a
 * pooled connection would be handed to other queries and LISTEN state is per session) that
 * listens on the schema's channel and passes each payload — a queue name — on.
 *
 * Wake-ups are hints. When the connection drops (pg_terminate_backend, a server restart, a
 * network cut noticed by TCP keepalive), notifications sent meanwhile are lost, so the listener
 * reconnects with capped, jittered exponential back-off and then reports `null` ("some queue"),
 * which makes every worker claim once. It does so after the first connection too: a job
 * submitted between a worker's first claim and LISTEN taking effect would otherwise wait for
 * the next poll. Workers also poll on their own as a backstop, so a lost
 * hint delays a job and never strands it.
 */
import pg from "pg";
import { quoteIdentifier } from "./sql/names.js";

/** Options of the listener. */
export interface NotificationListenerOptions {
  /** The channel to LISTEN on. */
  channel: string;
  /** Connection settings of the dedicated client (the pool's, plus an application_name). */
  clientConfig: pg.ClientConfig;
  /** Longest wait between reconnection attempts, ms. Default 5,000. */
  maxReconnectDelayMs?: number;
  /** Called with each notification's payload, and with null once LISTEN is (re-)established. */
  onNotification: (payload: string | null) => void;
  /** First wait before reconnecting, ms (doubles per failed attempt). Default 100. */
  reconnectDelayMs?: number;
}

/** Keeps one LISTEN connection open while started; see the module header. */
export class NotificationListener {
  private client: pg.Client | undefined;
  private running = false;
  private listening = false;
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly reconnectDelayMs: number;
  private readonly maxReconnectDelayMs: number;

  constructor(private readonly options: NotificationListenerOptions) {
    this.reconnectDelayMs = options.reconnectDelayMs ?? 100;
    this.maxReconnectDelayMs = options.maxReconnectDelayMs ?? 5_000;
  }

  /** True while a LISTEN connection is established. */
  get connected(): boolean {
    return this.listening;
  }

  /** Opens the connection (in the background; failures are retried). Idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.failures = 0;
    void this.connect();
  }

  /** Closes the connection and stops reconnecting. Idempotent. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const client = this.client;
    this.client = undefined;
    this.listening = false;
    if (client !== undefined) await client.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.options.clientConfig);
    this.client = client;
    // Without an 'error' listener a dropped connection would crash the process.
    client.on("error", () => this.lost(client));
    client.on("end", () => this.lost(client));
    client.on("notification", (message) => {
      if (message.channel === this.options.channel && this.client === client)
        this.options.onNotification(message.payload ?? null);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdentifier(this.options.channel)}`);
    } catch {
      this.lost(client);
      return;
    }
    if (this.client !== client) return; // stopped or replaced meanwhile
    this.failures = 0;
    this.listening = true;
    // Anything sent before LISTEN took effect (while connecting, or while the connection was
    // down) was missed: let every waiting worker look once.
    this.options.onNotification(null);
  }

  /** The connection `client` failed or ended: drop it and try again later (unless stopped). */
  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.listening = false;
    client.end().catch(() => undefined);
    if (!this.running) return;
    this.failures += 1;
    const ceiling = Math.min(
      this.maxReconnectDelayMs,
      this.reconnectDelayMs * 2 ** (this.failures - 1),
    );
    const delayMs = ceiling * (0.5 + Math.random() * 0.5);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.running) void this.connect();
    }, delayMs);
    this.reconnectTimer.unref();
  }
}
