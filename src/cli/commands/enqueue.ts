/**
 * `spool enqueue TYPE --payload JSON [--wait]`: submits one job. With `--wait` it follows the
 * job until it is final — a live bar on a terminal, plain lines otherwise, both on stderr — and
 * prints the result as JSON on stdout (exit 0), or the error (exit 1).
 *
 * Following polls `get(id)` every `--poll-interval` (200 ms): the job usually runs in another
 * process, whose events this process cannot hear. Ctrl-C stops following, not the job (exit 130).
 */
import type { Command } from "commander";
import type { JobRecord } from "../../core/job.js";
import type { JsonObject } from "../../core/json.js";
import type { EnqueueOptions } from "../../core/options.js";
import { isFinalState } from "../../core/states.js";
import type { EnqueuedJob } from "../../spool-options.js";
import type { Backend } from "../backend.js";
import type { ConnectionFlags } from "../connection.js";
import { addCommonOptions, translate, withBackend, type CliContext } from "../context.js";
import { CliError, ExitCode } from "../errors.js";
import { formatDuration } from "../format.js";
import { checkSubmission, loadHandlerModule } from "../handler-module.js";
import { writeJson } from "../output.js";
import { jobJson } from "../resources.js";
import { collect, duration, integer, nonEmpty, queueName, readPayload } from "../parsers.js";
import { createProgressView } from "../progress-view.js";

interface EnqueueFlags extends ConnectionFlags {
  payload?: string;
  queue?: string;
  priority?: number;
  delay?: number;
  maxAttempts?: number;
  timeout?: number;
  uniqueKey?: string;
  tag?: string[];
  handlers?: string;
  wait?: boolean;
  pollInterval: number;
  json?: boolean;
}

/** Registers `spool enqueue`. */
export function registerEnqueueCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command("enqueue")
    .description("submit a job (and with --wait, follow it to its result)")
    .argument("<type>", "job type, e.g. route.optimize");
  addJobOptions(command)
    .option(
      "--handlers <path>",
      "handler module: apply the type's defaults and check its payload schema",
    )
    .option("--wait", "follow the job; print its result (exit 0) or error (exit 1)")
    .option("--poll-interval <ms>", "how often --wait looks at the job", integer(20, 60_000), 200)
    .addHelpText(
      "after",
      `
Examples:
  $ spool enqueue demo.sleep --payload '{"seconds": 5}' --wait
  $ spool enqueue route.optimize --payload @examples/route-request.json --wait > routes.json
  $ spool enqueue emails.send --payload '{"to": "a@b.c"}' --queue emails --priority 10 --tag signup
  $ spool enqueue report.build --delay 10m --unique-key report-2024-06 --json | jq -r .id`,
    )
    .action(async (type: string, flags: EnqueueFlags) => {
      await runEnqueue(ctx, type, flags);
    });
  addCommonOptions(command);
}

/** The flags that shape the job: `--payload` to `--tag`. */
function addJobOptions(command: Command): Command {
  return command
    .option("--payload <json>", "payload: a JSON object, @file.json, or - for stdin", nonEmpty)
    .option(
      "--queue <name>",
      "queue (default: the type's queue from --handlers, else default)",
      queueName,
    )
    .option("--priority <n>", "-1000…1000, higher runs first (default 0)", integer(-1000, 1000))
    .option(
      "--delay <seconds>",
      "start no earlier than this from now (e.g. 30, 5m)",
      duration(0, 10 * 365 * 86_400_000),
    )
    .option(
      "--max-attempts <n>",
      "attempts before the job fails (default: queue's, else 3)",
      integer(1, 1000),
    )
    .option(
      "--timeout <seconds>",
      "per-attempt limit (e.g. 90, 10m; default: queue's, else 300)",
      duration(1, 7 * 86_400_000),
    )
    .option(
      "--unique-key <key>",
      "return the unfinished job with this key instead of a duplicate",
      nonEmpty,
    )
    .option("--tag <tag>", "tag the job (repeatable)", collect);
}

/** Submits the job; with `--wait`, follows it. */
async function runEnqueue(ctx: CliContext, type: string, flags: EnqueueFlags): Promise<void> {
  const payload = await readPayload(flags.payload);
  const options = await submissionOptions(ctx, type, payload, flags);
  await withBackend(ctx, flags, { type: "TYPE" }, async (backend) => {
    const job = await backend.enqueue({ type, payload, ...options });
    if (!flags.wait) {
      reportSubmitted(ctx, job, flags);
      return;
    }
    if (!flags.json)
      ctx.io.stderr.write(`${ctx.err.dim(`job ${job.id} · ${job.type} · queue ${job.queue}`)}\n`);
    await follow(ctx, backend, job, flags);
  });
}

/** The flags' options, with `--handlers`: the type's defaults applied and the payload checked. */
async function submissionOptions(
  ctx: CliContext,
  type: string,
  payload: JsonObject,
  flags: EnqueueFlags,
): Promise<EnqueueOptions> {
  const options = optionsOf(flags);
  if (flags.handlers === undefined) return options;
  const loaded = await loadHandlerModule(flags.handlers);
  const definition = loaded.definitions.get(type);
  if (definition === undefined)
    ctx.io.stderr.write(`${ctx.err.dim(`note: ${flags.handlers} does not define "${type}"`)}\n`);
  try {
    return await checkSubmission(definition, payload, options);
  } catch (error) {
    throw translate(error, {});
  }
}

/** Without `--wait`: the new job (or the existing one with its unique key). */
function reportSubmitted(ctx: CliContext, job: EnqueuedJob, flags: EnqueueFlags): void {
  if (flags.json) writeJson(ctx.io, { ...jobJson(job, ctx.now()), duplicate: job.duplicate });
  else
    ctx.io.stdout.write(
      job.duplicate
        ? `job ${job.id} already exists with this unique key (${job.status})\n`
        : `queued job ${job.id} (${job.type} on queue ${job.queue})\n`,
    );
}

function optionsOf(flags: EnqueueFlags): EnqueueOptions {
  const options: EnqueueOptions = {};
  if (flags.queue !== undefined) options.queue = flags.queue;
  if (flags.priority !== undefined) options.priority = flags.priority;
  if (flags.delay !== undefined) options.delay = flags.delay;
  if (flags.maxAttempts !== undefined) options.maxAttempts = flags.maxAttempts;
  if (flags.timeout !== undefined) options.timeout = flags.timeout;
  if (flags.uniqueKey !== undefined) options.uniqueKey = flags.uniqueKey;
  if (flags.tag !== undefined) options.tags = flags.tag;
  return options;
}

/** Polls the job until it is final, showing its progress; ends with its result or error. */
async function follow(
  ctx: CliContext,
  backend: Backend,
  submitted: JobRecord,
  flags: EnqueueFlags,
): Promise<void> {
  const view = createProgressView(ctx.io.stderr, ctx.err, () => ctx.now());
  let interrupted = false;
  const onInterrupt = (): void => {
    interrupted = true;
  };
  process.once("SIGINT", onInterrupt);
  let job = submitted;
  try {
    for (;;) {
      view.update(job);
      if (isFinalState(job.status)) break;
      await new Promise((resolve) => setTimeout(resolve, flags.pollInterval));
      if (interrupted) {
        view.finish();
        throw new CliError(
          `stopped following; job ${job.id} goes on (spool job ${job.id})`,
          ExitCode.interrupted,
        );
      }
      const next = await backend.get(job.id);
      if (next === null) throw new CliError(`job ${job.id} disappeared`, ExitCode.notFound);
      job = next;
    }
  } finally {
    process.off("SIGINT", onInterrupt);
  }
  view.finish();
  if (flags.json) writeJson(ctx.io, jobJson(job, ctx.now()));
  const took =
    job.startedAt !== null && job.completedAt !== null
      ? ` in ${formatDuration(job.completedAt.getTime() - job.startedAt.getTime())}`
      : "";
  if (job.status === "completed") {
    if (!flags.json) {
      ctx.io.stderr.write(`${ctx.err.green(`completed${took} (attempt ${job.attempt})`)}\n`);
      writeJson(ctx.io, job.result);
    }
    return;
  }
  const reason =
    job.status === "cancelled"
      ? "job was cancelled"
      : `job failed after ${job.attempt} attempt${job.attempt === 1 ? "" : "s"}: ${job.error?.type ?? "Error"}: ${job.error?.message ?? "unknown error"}`;
  throw new CliError(reason, ExitCode.failure);
}
