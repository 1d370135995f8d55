/**
 * `spool logs ID [--follow] [--attempt N]` (SPEC §8 "Job logs"): a job's log lines, oldest
 * first, grouped by attempt; against the store (`--url`) or a server (`--server`). With
 * `--follow` it keeps reading new lines (by line number, so each is printed once) until the job
 * is final, then exits 0. An unknown job exits 3.
 *
 * Following polls (every 500 ms) rather than listening to the job's event stream: it works the
 * same on both backends, and the status is read before the lines, so once a final status is
 * seen, the read that follows has every line — a job's lines are written before its outcome,
 * and no line can be written after it (the lease fences them).
 */
import type { Command } from "commander";
import type { JobLogLine } from "../../core/job-logs.js";
import { isFinalState } from "../../core/states.js";
import type { Backend } from "../backend.js";
import type { ConnectionFlags } from "../connection.js";
import { addCommonOptions, withBackend, type CliContext } from "../context.js";
import { CliError, ExitCode } from "../errors.js";
import { integer } from "../parsers.js";

interface LogsFlags extends ConnectionFlags {
  json?: boolean;
  follow?: boolean;
  attempt?: number;
}

const FOLLOW_POLL_MS = 500;

/** Registers `spool logs`. */
export function registerLogsCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command("logs")
    .description("print a job's log lines (ctx.log / POST /jobs/:id/logs), grouped by attempt")
    .argument("<id>", "job id")
    .option("-f, --follow", "keep printing new lines until the job is final")
    .option("--attempt <n>", "only this attempt's lines", integer(1, 1_000_000))
    .addHelpText(
      "after",
      `
A job keeps its newest 1,000 lines; older ones are dropped (a marker line says how many).
With --json, each line is printed as one JSON object (seq, attempt, level, message, at).

Examples:
  $ spool logs 0192f3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b
  $ spool logs 0192f3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b --follow
  $ spool logs 0192f3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b --attempt 2 --json | jq -r .message`,
    )
    .action(async (id: string, flags: LogsFlags) => {
      await withBackend(ctx, flags, { attempt: "--attempt", after: "--after" }, (backend) =>
        printLogs(ctx, backend, id, flags),
      );
    });
  addCommonOptions(command);
}

async function printLogs(
  ctx: CliContext,
  backend: Backend,
  id: string,
  flags: LogsFlags,
): Promise<void> {
  const printer = new LinePrinter(ctx, flags);
  let after = 0;
  for (;;) {
    const job = flags.follow ? await backend.get(id) : null;
    if (flags.follow && job === null) throw new CliError(`job ${id} not found`, ExitCode.notFound);
    for (let more = true; more;) {
      const page = await backend.logs(id, {
        after,
        ...(flags.attempt === undefined ? {} : { attempt: flags.attempt }),
      });
      if (page === null) throw new CliError(`job ${id} not found`, ExitCode.notFound);
      printer.print(page.lines, after);
      after = page.nextAfter;
      more = page.hasMore;
    }
    if (!flags.follow || isFinalState(job!.status)) return;
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
  }
}

/** Writes lines as text (with attempt headers and drop markers) or as JSON, one per line. */
class LinePrinter {
  private attempt: number | undefined;

  constructor(
    private readonly ctx: CliContext,
    private readonly flags: LogsFlags,
  ) {}

  print(lines: readonly JobLogLine[], after: number): void {
    const { out, io } = this.ctx;
    let previous = after;
    for (const line of lines) {
      if (this.flags.json) {
        io.stdout.write(`${JSON.stringify({ ...line, at: line.at.toISOString() })}\n`);
        continue;
      }
      // Line numbers run across attempts, so a gap means dropped lines (unless we filter).
      const gap = line.seq - previous - 1;
      if (gap > 0 && this.flags.attempt === undefined)
        io.stdout.write(out.dim(`… ${gap} earlier line(s) dropped (a job keeps its newest)\n`));
      if (line.attempt !== this.attempt) {
        io.stdout.write(out.bold(`── attempt ${line.attempt} ──\n`));
        this.attempt = line.attempt;
      }
      io.stdout.write(
        `${out.dim(line.at.toISOString())} ${levelText(this.ctx, line)} ${line.message}\n`,
      );
      previous = line.seq;
    }
  }
}

function levelText(ctx: CliContext, line: JobLogLine): string {
  const text = line.level.toUpperCase().padEnd(5);
  if (line.level === "error") return ctx.out.red(text);
  if (line.level === "warn") return ctx.out.yellow(text);
  if (line.level === "debug") return ctx.out.dim(text);
  return ctx.out.cyan(text);
}
