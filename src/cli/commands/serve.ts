/**
 * `spool serve`: the HTTP API with live events, plus built-in workers for the handler module's
 * types (`--handlers`) and/or the demo types (`--demo`). It prints where to go next and, on
 * first start with auth on, the admin key (once). `npm start` runs `spool serve --demo`.
 *
 * Stopping: SIGTERM or SIGINT stops accepting connections, ends event streams and long polls,
 * finishes in-flight requests, stops the built-in workers gracefully (running jobs get
 * `--grace`, then are released to the queue), closes the store and exits 0. A second signal
 * releases running jobs at once.
 */
import type { Command } from "commander";
import { hostname } from "node:os";
import pino from "pino";
import type { JsonObject } from "../../core/json.js";
import type { EnqueueOptions } from "../../core/options.js";
import { DEFAULT_TENANT } from "../../core/options.js";
import type { RunningServer, ServerOptions } from "../../http/server.js";
import { parseAllowList } from "../../http/webhook-target-guard.js";
import type { Spool } from "../../spool.js";
import type { HandlerMap } from "../../worker/handler.js";
import type { Worker } from "../../worker/worker.js";
import { loadConfigFile } from "../config-file.js";
import { storeUrlOf, redactUrl } from "../connection.js";
import { addJsonOption, translate, type CliContext } from "../context.js";
import { UsageError } from "../errors.js";
import { formatDuration } from "../format.js";
import { checkSubmission, type LoadedHandlers } from "../handler-module.js";
import { integer, queueList } from "../parsers.js";
import {
  buildHandlers,
  defaultQueues,
  graceOption,
  killGraceOption,
  loadHandlerSources,
  printer,
  subscribe,
  type Print,
} from "./worker.js";

interface ServeFlags {
  demo?: boolean;
  auth: boolean;
  host: string;
  port: number;
  workers: number;
  queues?: string[];
  handlers?: string;
  sandbox?: boolean;
  grace: number;
  killGrace: number;
  url?: string;
  migrate?: boolean;
  logLevel: string;
  corsOrigin: string[];
  config?: string;
  webhookAllow: string[];
  json?: boolean;
}

/** `--webhook-allow` (repeatable): an IP address or CIDR range webhooks may target. */
function webhookAllow(value: string, previous: string[] = []): string[] {
  try {
    parseAllowList([value]);
  } catch {
    throw new UsageError("--webhook-allow", `${value} is not an IP address or CIDR range`);
  }
  return [...previous, value];
}

/** `--cors-origin` (repeatable): an origin, `scheme://host[:port]`, nothing after it. */
function corsOrigin(value: string, previous: string[] = []): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError("--cors-origin", `${value} is not an origin like https://app.example.com`);
  }
  if (
    (url.protocol !== "http:" && url.protocol !== "https:") ||
    url.origin !== value.replace(/\/$/, "")
  ) {
    throw new UsageError(
      "--cors-origin",
      `${value} is not an origin like https://app.example.com (scheme, host, port only)`,
    );
  }
  return [...previous, url.origin];
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** Registers `spool serve`. */
export function registerServeCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command("serve")
    .description(
      "run the HTTP API, live events and built-in workers (SIGTERM/SIGINT stop it gracefully)",
    )
    .option("--demo", "register the demo job types demo.sleep, demo.flaky and route.optimize")
    .option("--no-auth", "serve without API keys (only allowed on a loopback host)")
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--port <port>", "port (0 picks a free one)", integer(0, 65_535), 8080);
  addBuiltInWorkerOptions(command);
  addServerOptions(command)
    .addHelpText(
      "after",
      `
Examples:
  $ spool serve --demo                       # http://127.0.0.1:8080, prints an admin key once
  $ spool serve --demo --no-auth --port 0    # loopback only, no keys
  $ spool serve --host 0.0.0.0 --handlers ./handlers.ts --workers 8 --url postgres://db/spool
  $ spool serve --cors-origin https://app.example.com   # a browser frontend on another origin
  $ SPOOL_WEBHOOK_SECRET=… spool serve        # sign webhook deliveries
  $ spool serve --webhook-allow 10.0.0.0/8   # webhooks may target the private network`,
    )
    .action(async (flags: ServeFlags) => {
      await runServe(ctx, flags);
    });
  addJsonOption(command);
}

/** `--workers` to `--kill-grace`: the built-in workers. */
function addBuiltInWorkerOptions(command: Command): Command {
  return command
    .option(
      "--workers <n>",
      "jobs the built-in workers run at once (0: none)",
      integer(0, 10_000),
      4,
    )
    .option(
      "--queues <names>",
      "queues of the built-in workers (default: the handlers' queues)",
      queueList,
    )
    .option(
      "--handlers <path>",
      "handler module for the built-in workers (format: docs/handlers.md)",
    )
    .option("--sandbox", "run each built-in job in its own child process")
    .addOption(graceOption())
    .addOption(killGraceOption("with --sandbox: time a stopped job gets before it is killed"));
}

/** `--url` to `--webhook-allow`: the store and the HTTP server. */
function addServerOptions(command: Command): Command {
  return command
    .option(
      "--url <url>",
      "store URL: sqlite:<path> or postgres://… (default: $SPOOL_URL, $DATABASE_URL, sqlite:./data/spool.db)",
    )
    .option("--no-migrate", "do not apply pending schema migrations on start")
    .option("--log-level <level>", `request log level: ${LOG_LEVELS.join(", ")}`, "info")
    .option(
      "--cors-origin <origin>",
      "let browser pages from this origin call the API (repeatable; default: CORS off)",
      corsOrigin,
      [],
    )
    .option("--config <file>", "JSON configuration file: credit tiers (docs/cli.md)")
    .option(
      "--webhook-allow <cidr>",
      "let webhooks target this non-public address or range, e.g. 127.0.0.1 or 10.0.0.0/8 (repeatable)",
      webhookAllow,
      [],
    );
}

async function runServe(ctx: CliContext, flags: ServeFlags): Promise<void> {
  if (!LOG_LEVELS.includes(flags.logLevel))
    throw new UsageError("--log-level", `must be one of ${LOG_LEVELS.join(", ")}`);
  const sources = await loadHandlerSources(flags);
  const print = printer(ctx, flags.json === true);
  const config = flags.config === undefined ? undefined : await loadConfigFile(flags.config);
  const url = await storeUrlOf(flags, ctx.io.env, ctx.io.stderr);
  const [{ Spool }, { startServer }] = await Promise.all([
    import("../../spool.js"),
    import("../../http/server.js"),
  ]);
  const { handlers, sandboxes } = buildHandlers(sources, {
    ...(flags.sandbox === undefined ? {} : { sandbox: flags.sandbox }),
    killGrace: flags.killGrace,
    concurrency: Math.max(1, flags.workers),
  });
  const closeSandboxes = (): void => sandboxes.forEach((sandbox) => sandbox.close());
  let spool: Spool;
  try {
    spool = await Spool.open({ url, migrate: flags.migrate ?? true, ...config?.tierOptions });
  } catch (error) {
    closeSandboxes();
    throw translate(error, {});
  }
  let server: RunningServer;
  try {
    server = await startServer(serverOptions(ctx, flags, spool, sources));
  } catch (error) {
    closeSandboxes();
    await spool.close();
    throw startFailure(error, flags);
  }
  const worker = await startBuiltInWorker(spool, flags, sources, handlers, print);
  printBanner(
    ctx,
    flags,
    server,
    worker === null ? [] : Object.keys(handlers),
    redactUrl(url),
    print,
  );
  await untilStopped(flags, print, worker, async () => {
    await server.close();
    await worker?.stop();
    closeSandboxes();
    await spool.close();
  });
  print("serve.stopped", {}, "spool serve stopped");
}

/** What `startServer` gets from the flags and the environment. */
function serverOptions(
  ctx: CliContext,
  flags: ServeFlags,
  spool: Spool,
  sources: readonly LoadedHandlers[],
): ServerOptions {
  return {
    spool,
    host: flags.host,
    port: flags.port,
    auth: flags.auth,
    logger: pino({ level: flags.logLevel, base: { service: "spool" } }),
    submissionHook: submissionHook(sources),
    corsOrigins: flags.corsOrigin,
    webhooks: {
      allow: flags.webhookAllow,
      ...(ctx.io.env.SPOOL_WEBHOOK_SECRET === undefined
        ? {}
        : { secret: ctx.io.env.SPOOL_WEBHOOK_SECRET }),
    },
  };
}

/** A server that would not start, re-stated under the flag the user can change. */
function startFailure(error: unknown, flags: ServeFlags): unknown {
  if (error instanceof Error && /refusing to run without API keys/.test(error.message))
    return new UsageError("--no-auth", error.message);
  if ((error as NodeJS.ErrnoException).code === "EADDRINUSE")
    return new UsageError("--port", `${flags.port} is already in use on ${flags.host}`);
  return translate(error, {});
}

/** Starts the built-in workers, if there are handlers and `--workers` is not 0. */
async function startBuiltInWorker(
  spool: Spool,
  flags: ServeFlags,
  sources: readonly LoadedHandlers[],
  handlers: HandlerMap,
  print: Print,
): Promise<Worker | null> {
  if (flags.workers <= 0 || Object.keys(handlers).length === 0) return null;
  const worker = spool.worker({
    queues: flags.queues ?? defaultQueues(sources),
    concurrency: flags.workers,
    handlers,
    // One serve process per pid: unique on the host, and the name says where it runs.
    name: `serve-${hostname()}-${process.pid}`,
    shutdownGraceMs: flags.grace,
    ...(flags.sandbox ? { abortGraceMs: Math.max(5_000, flags.killGrace + 1_000) } : {}),
  });
  subscribe(spool, print, worker.id);
  await worker.start();
  return worker;
}

/**
 * Resolves once the first SIGTERM/SIGINT has run `shutdown`; a second signal releases the
 * running jobs at once.
 */
function untilStopped(
  flags: ServeFlags,
  print: Print,
  worker: Worker | null,
  shutdown: () => Promise<void>,
): Promise<void> {
  return new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals += 1;
      if (signals > 1) {
        print("serve.releasing", { signal }, `${signal} again: releasing running jobs now`);
        void worker?.stop({ graceMs: 0 });
        return;
      }
      print(
        "serve.stopping",
        { signal, running: worker?.activeCount ?? 0 },
        `${signal}: stopping; running jobs get ${formatDuration(flags.grace)} to finish (send again to release them now)`,
      );
      void (async () => {
        await shutdown();
        process.off("SIGTERM", onSignal);
        process.off("SIGINT", onSignal);
        resolve();
      })();
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}

/** Checks submissions of the loaded types against their payload schemas and fills their defaults. */
function submissionHook(
  sources: readonly LoadedHandlers[],
): (type: string, payload: JsonObject, options: EnqueueOptions) => Promise<EnqueueOptions> {
  return (type, payload, options) => {
    const definition = [...sources]
      .reverse()
      .find((source) => source.definitions.has(type))
      ?.definitions.get(type);
    return checkSubmission(definition, payload, options);
  };
}

function printBanner(
  ctx: CliContext,
  flags: ServeFlags,
  server: RunningServer,
  types: readonly string[],
  store: string,
  print: Print,
): void {
  const key = server.initialAdminKey;
  // The key to show in the follow-up commands: the new one, else the one the user keeps.
  const token = !flags.auth ? null : (key ?? "$SPOOL_TOKEN");
  const auth = token === null ? "" : ` -H "Authorization: Bearer ${token}"`;
  const cliAuth = token === null ? "" : ` --token ${token}`;
  const lines = [
    `Spool is serving ${server.url}  (store ${store})`,
    `  dashboard     ${server.url}/`,
    `  API docs      ${server.url}/docs`,
    `  health        ${server.url}/healthz`,
    types.length === 0
      ? "  workers       none built in (add --demo or --handlers, or run `spool worker` elsewhere)"
      : `  workers       ${flags.workers} at once · types ${types.join(", ")}`,
  ];
  if (key !== null) {
    lines.push(
      "",
      ctx.out.bold("An admin API key was created. It is shown this once — store it now:"),
      `  ${key}`,
      `  (tenant ${DEFAULT_TENANT}; create more with: spool keys create --role producer --tenant NAME)`,
    );
  } else if (!flags.auth) {
    lines.push("", "Auth is off (--no-auth): every caller on this machine is an admin.");
  }
  lines.push(
    "",
    "Try it:",
    `  curl -s -X POST ${server.url}/jobs -H "Content-Type: application/json"${auth} \\`,
    `       -d '{"type": "demo.sleep", "payload": {"seconds": 3}}'`,
    `  curl -s ${server.url}/jobs/<job_id>${auth}`,
    `  spool enqueue demo.sleep --payload '{"seconds": 3}' --wait --server ${server.url}${cliAuth}`,
    `  spool jobs --server ${server.url}${cliAuth}      # or, on this machine: spool jobs --url ${store}`,
  );
  print(
    "serve.started",
    {
      url: server.url,
      store,
      adminKey: key,
      auth: flags.auth,
      workers: types.length === 0 ? 0 : flags.workers,
      types,
    },
    lines.join("\n"),
  );
}
