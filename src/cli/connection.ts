/**
 * How a command reaches Spool: the connection flags every job/queue command takes, and the
 * factory that turns them into a `Backend`. Direct store access: `--url`, else `SPOOL_URL`,
 * else `DATABASE_URL`, else `sqlite:./data/spool.db` (SPEC §4/§5). Short-lived commands open
 * the store without maintenance (that is the job of long-running workers and servers).
 * A server instead: `--server <url>` (or `SPOOL_SERVER`), with the key from `--token` or
 * `SPOOL_TOKEN`; the commands then go through the HTTP API and its tenant and role checks. An
 * `http://` or `https://` URL given as `--url` or `SPOOL_URL` means a server too (people put
 * the server's address there; reading it as a store path would create a file named `http:`).
 * When a command is about to create a new SQLite file, it says where on stderr, so that a
 * mistyped path or the wrong working directory never silently starts an empty queue.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import type { Backend } from "./backend.js";
import { UsageError } from "./errors.js";
import type { TextStream } from "./output.js";

const HTTP_URL_RE = /^https?:\/\//i;

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
  if (flags.url !== undefined) return HTTP_URL_RE.test(flags.url) ? flags.url : undefined;
  if (env.SPOOL_SERVER !== undefined) return env.SPOOL_SERVER;
  return env.SPOOL_URL !== undefined && HTTP_URL_RE.test(env.SPOOL_URL) ? env.SPOOL_URL : undefined;
}

/**
 * The store URL the flags and environment select (an http(s) `SPOOL_URL` names a server, not a
 * store: it is skipped here). With `stderr`, announces a SQLite file that does not exist yet.
 */
export async function storeUrlOf(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  stderr?: TextStream,
): Promise<string> {
  if (flags.url !== undefined && HTTP_URL_RE.test(flags.url)) {
    throw new UsageError(
      "--url",
      `${flags.url} is a server; this command needs a store URL (sqlite:… or postgres://…)`,
    );
  }
  const { resolveStoreUrl } = await import("../store/open-store.js");
  const storeEnv =
    env.SPOOL_URL !== undefined && HTTP_URL_RE.test(env.SPOOL_URL)
      ? { ...env, SPOOL_URL: undefined }
      : env;
  const url = resolveStoreUrl(flags.url, storeEnv);
  const path = sqlitePathOf(url);
  if (stderr !== undefined && path !== null && !existsSync(path)) {
    stderr.write(`spool: creating a new store at ${resolve(path)} (${url})\n`);
  }
  return url;
}

/** The file of a `sqlite:` URL (null for other stores and in-memory databases). */
function sqlitePathOf(url: string): string | null {
  if (!url.startsWith("sqlite:")) return null;
  let path = url.slice("sqlite:".length);
  if (path.startsWith("//")) path = path.slice(2);
  return path === "" || path === ":memory:" ? null : path;
}

/** Opens the backend the flags select. */
export async function openBackend(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  stderr?: TextStream,
): Promise<Backend> {
  const server = serverUrlOf(flags, env);
  if (server !== undefined) {
    if (!/^https?:\/\//.test(server)) throw new UsageError("--server", "must be an http(s) URL");
    const { HttpBackend } = await import("./http-backend.js");
    return new HttpBackend(server.replace(/\/+$/, ""), flags.token ?? env.SPOOL_TOKEN);
  }
  const url = await storeUrlOf(flags, env, stderr);
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
