/**
 * How a command reaches Spool: the connection flags every job/queue command takes, and the
 * factory that turns them into a `Backend`. Direct store access: `--url`, else `SPOOL_URL`,
 * else `DATABASE_URL`, else `sqlite:./data/spool.db` (SPEC §4/§5). Short-lived commands open
 * the store without maintenance (that is the job of long-running workers and servers).
 * A server instead: `--server <url>` (or `SPOOL_SERVER`), with the key from `--token` or
 * `SPOOL_TOKEN`; the commands then go through the HTTP API and its tenant and role checks.
 */
import type { Command } from "commander";
import type { Backend } from "./backend.js";
import { UsageError } from "./errors.js";

/** The connection flags, as commander parses them. */
export interface ConnectionFlags {
  url?: string;
  migrate?: boolean;
  server?: string;
  token?: string;
}

/** Adds the connection flags to `command`. */
export function addConnectionOptions(command: Command): Command {
  return command
    .option(
      "--url <url>",
      "store URL: sqlite:<path> or postgres://… (default: $SPOOL_URL, $DATABASE_URL, sqlite:./data/spool.db)",
    )
    .option("--server <url>", "talk to a Spool server over HTTP instead (default: $SPOOL_SERVER)")
    .option("--token <key>", "API key for --server (default: $SPOOL_TOKEN)");
}

/** The server URL the flags and environment select, if any (a server wins over a store URL). */
export function serverUrlOf(flags: ConnectionFlags, env: NodeJS.ProcessEnv): string | undefined {
  if (flags.server !== undefined) return flags.server;
  return flags.url === undefined ? env.SPOOL_SERVER : undefined;
}

/** The store URL the flags and environment select. */
export async function storeUrlOf(flags: ConnectionFlags, env: NodeJS.ProcessEnv): Promise<string> {
  const { resolveStoreUrl } = await import("../store/open-store.js");
  return resolveStoreUrl(flags.url, env);
}

/** Opens the backend the flags select. */
export async function openBackend(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
): Promise<Backend> {
  const server = serverUrlOf(flags, env);
  if (server !== undefined) {
    if (!/^https?:\/\//.test(server)) throw new UsageError("--server", "must be an http(s) URL");
    const { HttpBackend } = await import("./http-backend.js");
    return new HttpBackend(server.replace(/\/+$/, ""), flags.token ?? env.SPOOL_TOKEN);
  }
  const url = await storeUrlOf(flags, env);
  const [{ Spool }, { LibraryBackend }] = await Promise.all([
    import("../spool.js"),
    import("./backend.js"),
  ]);
  const spool = await Spool.open({ url, maintenance: false, migrate: flags.migrate ?? true });
  return new LibraryBackend(spool, redactUrl(url));
}

/** The URL with any password hidden, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}
