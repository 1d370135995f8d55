/**
 * Starts the HTTP API on a port. Running without API keys must be an explicit choice and is
 * refused unless the server listens on loopback only. On first start with auth on and no keys,
 * an admin key is created and returned once (the caller prints it). `close()` is the graceful
 * shutdown: stop accepting, end event streams and long polls, finish in-flight requests.
 */
import type { Logger as PinoLogger } from "pino";
import type { Spool } from "../spool.js";
import { buildApp, type BuiltApp, type SubmissionHook } from "./app.js";
import { ensureAdminKey } from "./auth.js";
import type { WebhookSettings } from "./webhook-deliverer.js";

/** Options of `startServer`. */
export interface ServerOptions {
  /** Require API keys. Default true. */
  auth?: boolean;
  bodyLimit?: number;
  /** Origins allowed to call the API from browsers (CORS; `--cors-origin`). Default none. */
  corsOrigins?: readonly string[];
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  logger?: PinoLogger | false;
  /** Per-type submission checks and defaults (payload schemas of handler modules). */
  submissionHook?: SubmissionHook;
  /** Port; 0 picks a free one. Default 8080. */
  port?: number;
  spool: Spool;
  /** Check every answer against /openapi.json (tests). Default: `SPOOL_VALIDATE_RESPONSES=1`. */
  validateResponses?: boolean;
  /** Most bytes queued for one live-event client before it is dropped. Default 1 MiB. */
  streamBufferBytes?: number;
  /**
   * Webhook settings (`SPOOL_WEBHOOK_SECRET` signs per-job deliveries; `allow` is
   * `--webhook-allow`); false turns delivery off.
   */
  webhooks?: false | WebhookSettings;
}

/** A running server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  port: number;
  /** The admin key created on first start (show it once), or null. */
  initialAdminKey: string | null;
  built: BuiltApp;
  close(): Promise<void>;
}

/** True for loopback-only addresses. */
export function isLoopback(host: string): boolean {
  return (
    host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host)
  );
}

/** Starts listening; see the module header. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  const auth = options.auth ?? true;
  if (!auth && !isLoopback(host)) {
    throw new Error(
      `refusing to run without API keys on ${host}: --no-auth is only allowed on loopback (127.0.0.1, ::1, localhost)`,
    );
  }
  const created = auth ? await ensureAdminKey(options.spool.admin, options.spool.now()) : null;
  const built = await buildApp({
    spool: options.spool,
    auth,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
    ...(options.submissionHook === undefined ? {} : { submissionHook: options.submissionHook }),
    ...(options.webhooks === undefined ? {} : { webhooks: options.webhooks }),
    ...(options.corsOrigins === undefined ? {} : { corsOrigins: options.corsOrigins }),
    ...(options.validateResponses === undefined
      ? {}
      : { validateResponses: options.validateResponses }),
    ...(options.streamBufferBytes === undefined
      ? {}
      : { streamBufferBytes: options.streamBufferBytes }),
  });
  await built.app.listen({ host, port: options.port ?? 8080 });
  const address = built.app.server.address();
  const port =
    typeof address === "object" && address !== null ? address.port : (options.port ?? 8080);
  const shownHost = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    initialAdminKey: created?.key ?? null,
    built,
    close: () => (closing ??= built.close()),
  };
}
