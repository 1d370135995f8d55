/** `spool stats`: counts of jobs by state, of all queues or one. */
import type { Command } from "commander";
import { JOB_STATES } from "../../core/states.js";
import { toStatsResource } from "../../http/serialize.js";
import type { ConnectionFlags } from "../connection.js";
import { addCommonOptions, withBackend, type CliContext } from "../context.js";
import { statusCell } from "../format.js";
import { renderTable, writeJson } from "../output.js";
import { queueName } from "../parsers.js";

interface StatsFlags extends ConnectionFlags {
  queue?: string;
  json?: boolean;
}

/** Registers `spool stats`. */
export function registerStatsCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command("stats")
    .description("count jobs by state")
    .option("--queue <name>", "only this queue", queueName)
    .addHelpText(
      "after",
      `
"waiting" is scheduled + queued + retrying (the HTTP API's queue_size). --json prints the
fields of GET /stats (total_jobs, scheduled, queued, pending, running, …, queue_size).

Examples:
  $ spool stats
  $ spool stats --queue emails --json`,
    )
    .action(async (flags: StatsFlags) => {
      await withBackend(ctx, flags, {}, async (backend) => {
        const stats = await backend.stats(flags.queue === undefined ? {} : { queue: flags.queue });
        if (flags.json) {
          // The same field names as GET /stats, so scripts work against either.
          writeJson(ctx.io, toStatsResource(stats));
          return;
        }
        const rows = JOB_STATES.map((state) => [statusCell(state, ctx.out), String(stats[state])]);
        rows.push(["waiting", String(stats.queueSize)], ["total", String(stats.totalJobs)]);
        ctx.io.stdout.write(renderTable(["STATE", "JOBS"], rows, ctx.out));
      });
    });
  addCommonOptions(command);
}
