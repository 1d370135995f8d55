/**
 * `spool queues [list]`, `spool queues pause NAME`, `spool queues resume NAME`: every known
 * queue with its settings and job counts, and pausing claims from a queue (running jobs finish).
 */
import type { Command } from "commander";
import type { QueueConfig } from "../../store/store.js";
import type { QueueSummary } from "../backend.js";
import type { ConnectionFlags } from "../connection.js";
import { addCommonOptions, withBackend, type CliContext } from "../context.js";
import { renderTable, writeJson, type Cell } from "../output.js";
import { queueName } from "../parsers.js";
import { formatRate, registerQueueSetCommand } from "./queue-set.js";

interface QueuesFlags extends ConnectionFlags {
  json?: boolean;
}

/** Registers `spool queues` and its subcommands. */
export function registerQueuesCommand(program: Command, ctx: CliContext): void {
  const queues = program
    .command("queues")
    .description("list queues; pause or resume one")
    .addHelpText(
      "after",
      `
Examples:
  $ spool queues
  $ spool queues pause emails
  $ spool queues resume emails --json`,
    );

  const list = queues
    .command("list", { isDefault: true })
    .description("every known queue: paused, concurrency limit, jobs by state")
    .action(async (flags: QueuesFlags) => {
      await withBackend(ctx, flags, {}, async (backend) => {
        const summaries = await backend.queues();
        if (flags.json) writeJson(ctx.io, summaries);
        else if (summaries.length === 0)
          ctx.io.stderr.write("no queues yet (a queue appears with its first job)\n");
        else writeQueueTable(ctx, summaries);
      });
    });
  const pause = registerChangeCommand(
    queues,
    ctx,
    "pause",
    "stop workers claiming from a queue (running jobs finish)",
  );
  const resume = registerChangeCommand(
    queues,
    ctx,
    "resume",
    "let workers claim from a queue again",
  );
  addCommonOptions(list, pause, resume);
  registerQueueSetCommand(queues, ctx);
}

/** `spool queues pause NAME` or `spool queues resume NAME`. */
function registerChangeCommand(
  queues: Command,
  ctx: CliContext,
  name: "pause" | "resume",
  description: string,
): Command {
  return queues
    .command(name)
    .description(description)
    .argument("<name>", "queue name", queueName)
    .action(async (queue: string, flags: QueuesFlags) => {
      await withBackend(ctx, flags, { name: "NAME" }, async (backend) => {
        const config: QueueConfig =
          name === "pause" ? await backend.pauseQueue(queue) : await backend.resumeQueue(queue);
        if (flags.json) writeJson(ctx.io, config);
        else ctx.io.stdout.write(`${name === "pause" ? "paused" : "resumed"} queue ${queue}\n`);
      });
    });
}

/** The human listing: one row per queue. */
function writeQueueTable(ctx: CliContext, summaries: readonly QueueSummary[]): void {
  const rows = summaries.map((q): Cell[] => [
    q.name,
    q.paused ? { text: "paused", color: ctx.out.yellow } : "active",
    q.concurrency === null ? "-" : String(q.concurrency),
    q.rateLimit === null ? "-" : formatRate(q.rateLimit),
    q.keyConcurrency === null ? "-" : String(q.keyConcurrency),
    String(q.counts.scheduled + q.counts.queued + q.counts.retrying),
    String(q.counts.running),
    String(q.counts.completed),
    String(q.counts.failed),
    String(q.counts.cancelled),
  ]);
  ctx.io.stdout.write(
    renderTable(
      [
        "QUEUE",
        "STATE",
        "LIMIT",
        "RATE",
        "PER KEY",
        "WAITING",
        "RUNNING",
        "COMPLETED",
        "FAILED",
        "CANCELLED",
      ],
      rows,
      ctx.out,
    ),
  );
}
