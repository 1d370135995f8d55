/**
 * `spool worker`: runs jobs from queues with the handlers of a module (`--handlers`) and/or the
 * demo types (`--demo`), in process or each job in its own child process (`--sandbox`), until
 * stopped. It prints one line per job event (JSON lines with `--json`).
 *
 * Stopping: SIGTERM or SIGINT stops claiming, lets running jobs finish within `--grace`, then
 * releases the rest to the queue (their attempt is not counted) and exits 0; a second signal
 * exits at once (exit 130), leaving those leases to expire and be retried. `--burst` stops the
 * same way once no job is ready to claim and none is running (RQ's burst mode); jobs scheduled
 * for later or waiting out a retry backoff are left for another worker.
 */
import { Option, type Command } from "commander";
import { SpoolConflictError } from "../../core/errors.js";
import type { JobEventMap } from "../../core/events.js";
import type { Spool } from "../../spool.js";
import type { HandlerMap } from "../../worker/handler.js";
import type { Worker, WorkerOptions } from "../../worker/worker.js";
import { createSandbox, type Sandbox } from "../../worker/sandbox.js";
import { redactUrl, storeUrlOf, type ConnectionFlags } from "../connection.js";
import { addCommonOptions, translate, type CliContext } from "../context.js";
import { CliError, ExitCode, UsageError } from "../errors.js";
import { formatDuration } from "../format.js";
import { loadHandlerModule, type LoadedHandlers } from "../handler-module.js";
import { duration, integer, queueList, workerName } from "../parsers.js";

interface WorkerFlags extends ConnectionFlags {
  queues?: string[];
  concurrency: number;
  name?: string;
  burst?: boolean;
  handlers?: string;
  demo?: boolean;
  sandbox?: boolean;
  grace: number;
  killGrace: number;
  lease: number;
  json?: boolean;
}

/** Registers `spool worker`. */
export function registerWorkerCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command("worker")
    .description("run jobs from queues until stopped (SIGTERM/SIGINT stop it gracefully)")
    .option(
      "--queues <names>",
      "queues in precedence order, comma-separated (default: the handlers' queues, else default)",
      queueList,
    )
    .option("--concurrency <n>", "jobs at once", integer(1, 10_000), 10)
    .option(
      "--name <name>",
      "worker name, stored exactly as given (spool workers); refused while a live worker has it",
      workerName,
    )
    .option("--burst", "exit 0 once no job is ready and none is running")
    .option("--handlers <path>", "handler module (.js or .ts; format: docs/handlers.md)")
    .option("--demo", "serve the demo types demo.sleep, demo.flaky and route.optimize")
    .option("--sandbox", "run each job in its own child process (isolates crashes and busy loops)")
    .addOption(graceOption())
    .addOption(
      killGraceOption(
        "with --sandbox: how long a cancelled or timed-out job may take to stop before it is killed",
      ),
    )
    .option(
      "--lease <seconds>",
      "how long a claimed job is held without a heartbeat (a dead worker's jobs wait this long)",
      duration(1_000, 86_400_000),
      30_000,
    )
    .option("--no-migrate", "do not apply pending schema migrations on start")
    .addHelpText(
      "after",
      `
Examples:
  $ spool worker --demo
  $ spool worker --handlers ./handlers.ts --queues high,default --concurrency 4 --name w1
  $ spool worker --handlers ./dist/handlers.js --sandbox --burst
  $ spool worker --demo --url sqlite:/var/lib/spool/spool.db --json | jq .event`,
    )
    .action(async (flags: WorkerFlags) => {
      await runWorker(ctx, flags);
    });
  addCommonOptions(command);
}

/** `--grace` of `spool worker` and `spool serve`. */
export function graceOption(): Option {
  return new Option("--grace <seconds>", "on stop, how long running jobs may finish before release")
    .argParser(duration(0, 86_400_000))
    .default(10_000, "10 s");
}

/** `--kill-grace` of `spool worker` and `spool serve`, with the command's own description. */
export function killGraceOption(description: string): Option {
  return new Option("--kill-grace <seconds>", description)
    .argParser(duration(0, 3_600_000))
    .default(2_000, "2 s");
}

/** The handler modules the flags name: the demo types first, then `--handlers` (which wins). */
export async function loadHandlerSources(flags: {
  demo?: boolean;
  handlers?: string;
}): Promise<LoadedHandlers[]> {
  const sources: LoadedHandlers[] = [];
  if (flags.demo) {
    const { DEMO_HANDLERS_PATH } = await import("../../demo/handlers.js");
    sources.push(await loadHandlerModule(DEMO_HANDLERS_PATH, "--demo"));
  }
  if (flags.handlers !== undefined) sources.push(await loadHandlerModule(flags.handlers));
  return sources;
}

async function runWorker(ctx: CliContext, flags: WorkerFlags): Promise<void> {
  if (flags.handlers === undefined && !flags.demo) {
    throw new UsageError(
      "--handlers",
      "is required: a handler module (see docs/handlers.md), or --demo",
    );
  }
  const sources = await loadHandlerSources(flags);
  const { handlers, sandboxes } = buildHandlers(sources, flags);
  const closeSandboxes = (): void => sandboxes.forEach((sandbox) => sandbox.close());
  const queues = flags.queues ?? defaultQueues(sources);
  const url = await storeUrlOf(flags, ctx.io.env, ctx.io.stderr);
  const { Spool } = await import("../../spool.js");
  let spool: Spool;
  try {
    spool = await Spool.open({ url, migrate: flags.migrate ?? true });
  } catch (error) {
    closeSandboxes();
    throw translate(error, {});
  }
  const worker = spool.worker(workerOptions(flags, queues, handlers));
  const print = printer(ctx, flags.json === true);
  subscribe(spool, print, worker.id);
  const stopped = new Promise<number>((resolve) =>
    worker.on("worker.stopped", (event) => resolve(event.released)),
  );
  const stopOnSignals = handleStopSignals(worker, flags, print);
  if (flags.burst) worker.on("worker.idle", () => void worker.stop());
  try {
    await worker.start();
  } catch (error) {
    stopOnSignals.remove();
    closeSandboxes();
    await spool.close();
    throw nameTaken(error, flags.name);
  }
  printStarted(print, worker, flags, queues, Object.keys(handlers), redactUrl(url));
  const released = await stopped;
  stopOnSignals.remove();
  closeSandboxes();
  await spool.close();
  print(
    "worker.stopped",
    { workerId: worker.id, released },
    `worker stopped${released > 0 ? `; ${released} running job(s) released to the queue` : ""}`,
  );
}

/** What `spool.worker()` gets from the flags. */
function workerOptions(flags: WorkerFlags, queues: string[], handlers: HandlerMap): WorkerOptions {
  return {
    queues,
    concurrency: flags.concurrency,
    handlers,
    shutdownGraceMs: flags.grace,
    leaseMs: flags.lease,
    // A sandboxed job that ignores its signal is killed after --kill-grace; the worker waits a
    // little longer than that, so its slot is not freed while the child still runs.
    ...(flags.sandbox ? { abortGraceMs: Math.max(5_000, flags.killGrace + 1_000) } : {}),
    ...(flags.name === undefined ? {} : { name: flags.name }),
  };
}

/**
 * SIGTERM/SIGINT stop the worker gracefully; a second signal releases its running jobs at once.
 * `remove()` takes the listeners off again.
 */
function handleStopSignals(worker: Worker, flags: WorkerFlags, print: Print): { remove(): void } {
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      print(
        "worker.releasing",
        { signal },
        `${signal} again: releasing running jobs to the queue now`,
      );
      void worker.stop({ graceMs: 0 });
      return;
    }
    print(
      "worker.stopping",
      { signal, running: worker.activeCount, graceMs: flags.grace },
      `${signal}: stopping; ${worker.activeCount} running job(s) get ${formatDuration(flags.grace)} to finish (send again to exit now)`,
    );
    void worker.stop();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  return {
    remove: () => {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
    },
  };
}

function printStarted(
  print: Print,
  worker: Worker,
  flags: WorkerFlags,
  queues: readonly string[],
  types: readonly string[],
  store: string,
): void {
  print(
    "worker.started",
    {
      workerId: worker.id,
      name: worker.name,
      queues,
      concurrency: flags.concurrency,
      types,
      sandbox: flags.sandbox === true,
      burst: flags.burst === true,
    },
    `worker ${worker.id} started · queues ${queues.join(", ")} · concurrency ${flags.concurrency}` +
      `${flags.sandbox ? " · sandboxed" : ""}${flags.burst ? " · burst" : ""} · ${store}\n` +
      `  types: ${types.join(", ")}`,
  );
}

/** A clear message for a `--name` a live worker holds (exit 4); other errors as they are. */
function nameTaken(error: unknown, name: string | undefined): unknown {
  if (!(error instanceof SpoolConflictError) || error.code !== "worker_name_taken") return error;
  return new CliError(
    `--name ${name ?? ""}: a live worker with this name is already running (see \`spool workers\`); ` +
      "stop it or choose another name. A worker that died frees its name 3 lease periods after its last heartbeat.",
    ExitCode.conflict,
  );
}

/** One handler per type (a later source overrides an earlier one), sandboxed if asked. */
export function buildHandlers(
  sources: readonly LoadedHandlers[],
  flags: Pick<WorkerFlags, "sandbox" | "killGrace" | "concurrency">,
): { handlers: HandlerMap; sandboxes: Sandbox[] } {
  const handlers: Record<string, HandlerMap[string]> = {};
  const sandboxes: Sandbox[] = [];
  for (const source of sources) {
    if (!flags.sandbox) {
      Object.assign(handlers, source.handlers);
      continue;
    }
    const sandbox = createSandbox(source.path, [...source.definitions.keys()], {
      killGraceMs: flags.killGrace,
      warm: Math.min(2, flags.concurrency),
    });
    sandboxes.push(sandbox);
    Object.assign(handlers, sandbox.handlers);
  }
  return { handlers, sandboxes };
}

/** The queues the definitions name, plus `default` when some type names none. */
export function defaultQueues(sources: readonly LoadedHandlers[]): string[] {
  const queues = new Set<string>();
  for (const source of sources)
    for (const definition of source.definitions.values()) queues.add(definition.queue ?? "default");
  return [...queues];
}

/** Prints a human line, or a JSON line with `--json`. */
export type Print = (event: string, fields: object, text: string) => void;

/** The printer for `--json` or human output. */
export function printer(ctx: CliContext, json: boolean): Print {
  return (event, fields, text) => {
    if (json)
      ctx.io.stdout.write(`${JSON.stringify({ event, at: new Date(ctx.now()), ...fields })}\n`);
    else ctx.io.stdout.write(`${text}\n`);
  };
}

/**
 * Prints a line per job event of this process's worker `workerId`: `spool.on` sees every
 * process's events, so only the jobs this worker started are followed.
 */
export function subscribe(spool: Spool, print: Print, workerId: string): void {
  const startedAt = new Map<string, number>();
  const time = (at: Date): string => at.toISOString().slice(11, 23);
  const line = (
    e:
      | JobEventMap["job.started"]
      | JobEventMap["job.completed"]
      | JobEventMap["job.failed"]
      | JobEventMap["job.retrying"]
      | JobEventMap["job.cancelled"],
    name: string,
    detail: string,
  ): string =>
    `${time(e.at)}  ${name.padEnd(9)}  ${e.type}  ${e.jobId}${detail === "" ? "" : `  ${detail}`}`;
  const took = (id: string, at: Date): string => {
    const start = startedAt.get(id);
    startedAt.delete(id);
    return start === undefined ? "" : formatDuration(at.getTime() - start);
  };
  const own = (e: { jobId: string }): boolean => startedAt.has(e.jobId);
  spool.on("job.started", (e) => {
    if (e.worker !== workerId) return;
    startedAt.set(e.jobId, e.at.getTime());
    print("job.started", e, line(e, "started", `attempt ${e.attempt}`));
  });
  spool.on("job.completed", (e) => {
    if (own(e)) print("job.completed", e, line(e, "completed", took(e.jobId, e.at)));
  });
  spool.on("job.retrying", (e) => {
    if (!own(e)) return;
    startedAt.delete(e.jobId);
    print(
      "job.retrying",
      e,
      line(
        e,
        "retrying",
        `attempt ${e.attempt} failed: ${e.error.message} (next at ${time(e.runAt)})`,
      ),
    );
  });
  spool.on("job.failed", (e) => {
    if (!own(e)) return;
    took(e.jobId, e.at);
    print(
      "job.failed",
      e,
      line(e, "failed", `attempt ${e.attempt}: ${e.error.type}: ${e.error.message}`),
    );
  });
  spool.on("job.cancelled", (e) => {
    if (!own(e)) return;
    took(e.jobId, e.at);
    print("job.cancelled", e, line(e, "cancelled", ""));
  });
}
