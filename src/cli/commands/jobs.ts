/**
 * `spool jobs`: lists jobs newest first, filtered by status, queue, type and tag, one page at a
 * time (`--cursor` continues where the previous page ended).
 */
import type { Command } from "commander";
import type { JobListFilter } from "../backend.js";
import type { ConnectionFlags } from "../connection.js";
import { addCommonOptions, withBackend, type CliContext } from "../context.js";
import { renderJobTable } from "../format.js";
import { writeJson } from "../output.js";
import { jobPageJson } from "../resources.js";
import { integer, nonEmpty, queueName } from "../parsers.js";

interface JobsFlags extends ConnectionFlags {
  status?: string;
  queue?: string;
  type?: string;
  tag?: string;
  limit: number;
  cursor?: string;
  json?: boolean;
}

/** Registers `spool jobs`. */
export function registerJobsCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command("jobs")
    .description("list jobs, newest first")
    .option(
      "--status <states>",
      "comma-separated states: scheduled, queued (or pending), running, retrying, completed, failed, cancelled",
      nonEmpty,
    )
    .option("--queue <name>", "only this queue", queueName)
    .option("--type <type>", "only this job type", nonEmpty)
    .option("--tag <tag>", "only jobs with this tag", nonEmpty)
    .option("--limit <n>", "jobs per page, 1–1000", integer(1, 1000), 50)
    .option("--cursor <cursor>", "continue after a previous page (printed at its end)", nonEmpty)
    .addHelpText(
      "after",
      `
Examples:
  $ spool jobs
  $ spool jobs --status failed,cancelled --queue emails
  $ spool jobs --type route.optimize --limit 10 --json | jq '.jobs[].id'`,
    )
    .action(async (flags: JobsFlags) => {
      await withBackend(ctx, flags, { type: "--type" }, async (backend) => {
        const filter: JobListFilter = { limit: flags.limit };
        if (flags.status !== undefined) filter.status = flags.status;
        if (flags.queue !== undefined) filter.queue = flags.queue;
        if (flags.type !== undefined) filter.type = flags.type;
        if (flags.tag !== undefined) filter.tag = flags.tag;
        if (flags.cursor !== undefined) filter.cursor = flags.cursor;
        const page = await backend.list(filter);
        if (flags.json) {
          writeJson(ctx.io, jobPageJson(page, ctx.now()));
          return;
        }
        if (page.jobs.length === 0) {
          ctx.io.stderr.write("no jobs match\n");
          return;
        }
        ctx.io.stdout.write(renderJobTable(page.jobs, ctx.out, ctx.now()));
        if (page.nextCursor !== null) {
          ctx.io.stderr.write(`${ctx.err.dim(`more: add --cursor ${page.nextCursor}`)}\n`);
        }
      });
    });
  addCommonOptions(command);
}
