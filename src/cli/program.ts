/**
 * The `spool` command tree (commander) and `runCli`, which parses arguments, runs one command
 * and returns its exit code (errors → codes in errors.ts). Nothing here touches `process.exit`,
 * so the whole CLI can also run inside a test or another program.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { registerEnqueueCommand } from "./commands/enqueue.js";
import { registerJobCommands } from "./commands/job.js";
import { registerJobsCommand } from "./commands/jobs.js";
import { registerMigrateCommand } from "./commands/migrate.js";
import { registerKeysCommand } from "./commands/keys.js";
import { registerLogsCommand } from "./commands/logs.js";
import { registerQueuesCommand } from "./commands/queues.js";
import { registerServeCommand } from "./commands/serve.js";
import { registerStatsCommand } from "./commands/stats.js";
import { registerTenantsCommand } from "./commands/tenants.js";
import { registerWorkerCommand } from "./commands/worker.js";
import { registerWorkersCommand } from "./commands/workers.js";
import { registerSchedulesCommand } from "./commands/schedules.js";
import { registerWebhooksCommand } from "./commands/webhooks.js";
import { createContext, type CliContext } from "./context.js";
import { ExitCode, describeCliError } from "./errors.js";
import type { CliIO } from "./output.js";

const VERSION = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

/** Builds the command tree; commands write to `ctx.io`. */
export function createProgram(ctx: CliContext): Command {
  const program = new Command("spool")
    .description("Spool: an asynchronous job queue (SQLite or PostgreSQL)")
    .version(VERSION, "-V, --version")
    // Root flags before the command name, so a subcommand may reuse a parent's flag name
    // (`spool webhooks create --url` is the target; `spool webhooks --url` the store).
    .enablePositionalOptions()
    .exitOverride()
    .showHelpAfterError("(add --help for usage)")
    .configureOutput({
      writeOut: (text) => ctx.io.stdout.write(text),
      writeErr: (text) => ctx.io.stderr.write(text),
      outputError: (text, write) => write(ctx.err.red(text)),
    })
    .addHelpText(
      "after",
      `
Every command takes --url (or reads SPOOL_URL, then DATABASE_URL; default sqlite:./data/spool.db)
and --json. Exit codes: 0 ok, 1 failure, 2 usage or validation error, 3 not found, 4 conflict.

Examples:
  $ spool worker --demo &
  $ spool enqueue demo.sleep --payload '{"seconds": 3}' --wait
  $ spool jobs --status failed
  $ spool stats --json`,
    );
  registerServeCommand(program, ctx);
  registerWorkerCommand(program, ctx);
  registerWorkersCommand(program, ctx);
  registerEnqueueCommand(program, ctx);
  registerJobsCommand(program, ctx);
  registerJobCommands(program, ctx);
  registerStatsCommand(program, ctx);
  registerMigrateCommand(program, ctx);
  registerQueuesCommand(program, ctx);
  registerKeysCommand(program, ctx);
  registerTenantsCommand(program, ctx);
  registerLogsCommand(program, ctx);
  registerSchedulesCommand(program, ctx);
  registerWebhooksCommand(program, ctx);
  return program;
}

/** Runs the CLI with `argv` (as `process.argv`: node, script, arguments…); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const ctx = createContext(io);
  const program = createProgram(ctx);
  try {
    await program.parseAsync([...argv]);
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message (or the help) already.
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version")
        return ExitCode.ok;
      return ExitCode.usage;
    }
    const { message, exitCode } = describeCliError(error);
    io.stderr.write(`${ctx.err.red(`error: ${message}`)}\n`);
    return exitCode;
  }
}
