/**
 * Child process of the HTTP scenarios: Spool's HTTP API on the parent's store (the same SQLite
 * file or PostgreSQL schema), configured the way `spool serve` runs it — default `Spool.open`
 * options (maintenance on), API keys required, pino request logs at `info` — on 127.0.0.1 and a
 * free port. It creates a producer key and hands it to the parent with the URL.
 *
 * The server runs in its own process so that the load generator (autocannon, in the benchmark
 * process) does not share its event loop. Started by bench/http.ts with `fork()` and
 * `--import tsx`; configured through `SPOOL_BENCH_HTTP` (JSON of `HttpServerConfig`); talks over
 * IPC. Its stdout (the request log) goes to /dev/null.
 */
import pino from "pino";
import { Spool, type Worker } from "../src/index.js";
import { createApiKey } from "../src/http/auth.js";
import { startServer } from "../src/http/server.js";
import { NOOP_TYPE } from "./systems/system.js";

/** Configuration passed by the parent. */
export interface HttpServerConfig {
  url: string;
  /** PostgreSQL schema, when the store is PostgreSQL. */
  schema?: string;
}

/** Messages from the parent. */
export type HttpParentMessage =
  { type: "start-worker"; concurrency: number } | { type: "cpu-mark" } | { type: "stop" };

/** Messages to the parent. */
export type HttpChildMessage =
  | { type: "ready"; url: string; token: string }
  | { type: "worker-started" }
  /** CPU used since the previous `cpu-mark` (user + system), and the wall time, ms. */
  | { type: "cpu"; cpuMs: number; elapsedMs: number }
  | { type: "error"; message: string };

function send(message: HttpChildMessage): void {
  process.send?.(message);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.SPOOL_BENCH_HTTP ?? "{}") as HttpServerConfig;
  const spool = await Spool.open({
    url: config.url,
    ...(config.schema === undefined ? {} : { storeTuning: { schema: config.schema } }),
  });
  const server = await startServer({
    spool,
    host: "127.0.0.1",
    port: 0,
    auth: true,
    // As `spool serve` (its default --log-level info): one line per request and per response.
    logger: pino({ level: "info", base: { service: "spool" } }),
  });
  // Producers submit and read in production; the admin key created on first start stays unused.
  const { key } = await createApiKey(spool.store, { role: "producer", now: Date.now() });

  let worker: Worker | undefined;
  let cpuMark = { cpu: process.cpuUsage(), wall: performance.now() };
  let stopping: Promise<void> | undefined;
  const stopAndExit = (): void => {
    stopping ??= (async () => {
      await server.close();
      await worker?.stop();
      await spool.close();
    })();
    stopping.then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // A parent that goes away (crash, Ctrl-C) takes its server with it.
  process.on("disconnect", stopAndExit);
  process.on("message", (message: HttpParentMessage) => {
    if (message.type === "stop") {
      stopAndExit();
    } else if (message.type === "cpu-mark") {
      const cpu = process.cpuUsage(cpuMark.cpu);
      const wall = performance.now();
      send({ type: "cpu", cpuMs: (cpu.user + cpu.system) / 1000, elapsedMs: wall - cpuMark.wall });
      cpuMark = { cpu: process.cpuUsage(), wall };
    } else if (message.type === "start-worker") {
      worker = spool.worker({
        concurrency: message.concurrency,
        handlers: { [NOOP_TYPE]: () => null },
      });
      worker.start().then(
        () => send({ type: "worker-started" }),
        (error: unknown) => send({ type: "error", message: messageOf(error) }),
      );
    }
  });
  send({ type: "ready", url: server.url, token: key });
}

main().catch((error: unknown) => {
  send({ type: "error", message: messageOf(error) });
  process.exitCode = 1;
  process.disconnect?.();
});
