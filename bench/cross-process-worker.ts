/**
 * Child process of Spool's cross-process scenario: opens the parent's store (same SQLite file or
 * PostgreSQL schema) with default options, runs a worker whose no-op handler reports the moment
 * it starts, and measures its own CPU use while idle when asked.
 *
 * Started by bench/systems/spool.ts with `fork()` and `--import tsx`; configured through the
 * `SPOOL_BENCH_WORKER` environment variable (JSON of `RemoteWorkerConfig`); talks over IPC.
 */
import { Spool } from "../src/index.js";
import { NOOP_TYPE } from "./systems/system.js";

/** Configuration passed by the parent. */
export interface RemoteWorkerConfig {
  url: string;
  /** PostgreSQL schema, when the store is PostgreSQL. */
  schema?: string;
  concurrency: number;
}

/** Messages from the parent. */
export type ParentMessage = { type: "measure-cpu"; durationMs: number } | { type: "stop" };

/** Messages to the parent. `at` is epoch ms with a fraction (`timeOrigin + now()`). */
export type ChildMessage =
  | { type: "ready" }
  | { type: "started"; i: number; at: number }
  | { type: "cpu"; cpuMs: number; elapsedMs: number }
  | { type: "error"; message: string };

function send(message: ChildMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.SPOOL_BENCH_WORKER ?? "{}") as RemoteWorkerConfig;
  // Default options (maintenance included), as a real `spool worker` process would run.
  const spool = await Spool.open({
    url: config.url,
    ...(config.schema === undefined ? {} : { storeTuning: { schema: config.schema } }),
  });
  const worker = spool.worker({
    concurrency: config.concurrency,
    handlers: {
      [NOOP_TYPE]: (job) => {
        const at = performance.timeOrigin + performance.now();
        send({ type: "started", i: Number(job.payload.i), at });
        return null;
      },
    },
  });
  await worker.start();

  let stopping: Promise<void> | undefined;
  const stopAndExit = (): void => {
    stopping ??= (async () => {
      await worker.stop();
      await spool.close();
    })();
    stopping.then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // A parent that goes away (crash, Ctrl-C) takes its worker with it.
  process.on("disconnect", stopAndExit);
  process.on("message", (message: ParentMessage) => {
    if (message.type === "stop") {
      stopAndExit();
    } else if (message.type === "measure-cpu") {
      const cpuBefore = process.cpuUsage();
      const wallBefore = performance.now();
      setTimeout(() => {
        const cpu = process.cpuUsage(cpuBefore);
        send({
          type: "cpu",
          cpuMs: (cpu.user + cpu.system) / 1000,
          elapsedMs: performance.now() - wallBefore,
        });
      }, message.durationMs);
    }
  });
  send({ type: "ready" });
}

main().catch((error: unknown) => {
  send({ type: "error", message: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
  process.disconnect?.();
});
