/**
 * `spool schedules [list]`, `spool schedules set NAME --cron EXPR --type TYPE …`,
 * `spool schedules delete|pause|resume NAME`: cron schedules (SPEC §8) with their next and last
 * run, over a store (`--url`) or a server (`--server`).
 */
import type { Command } from "commander";
import type { ScheduleOptions, ScheduleRecord } from "../../core/schedule.js";
import type { ConnectionFlags } from "../connection.js";
import { addCommonOptions, withBackend, type CliContext } from "../context.js";
import { formatAge } from "../format.js";
import { renderTable, writeJson, type Cell } from "../output.js";
import { collect, duration, integer, nonEmpty, queueName, readPayload } from "../parsers.js";

interface SchedulesFlags extends ConnectionFlags {
  json?: boolean;
}

interface SetFlags extends SchedulesFlags {
  cron: string;
  type: string;
  payload?: string;
  queue?: string;
  timezone?: string;
  priority?: number;
  maxAttempts?: number;
  timeout?: number;
  tag?: string[];
}

/** Where a schedule's field errors point. */
const FIELDS = { name: "NAME", cron: "--cron", type: "--type", timezone: "--timezone" };

/** Registers `spool schedules` and its subcommands. */
export function registerSchedulesCommand(program: Command, ctx: CliContext): void {
  const schedules = program
    .command("schedules")
    .description("list cron schedules with their next and last run; set, delete, pause, resume")
    .addHelpText(
      "after",
      `
Examples:
  $ spool schedules
  $ spool schedules set nightly-report --cron "0 3 * * *" --timezone Europe/Berlin \\
      --type report.build --payload '{"format": "pdf"}'
  $ spool schedules set heartbeat --cron "*/10 * * * * *" --type ping
  $ spool schedules pause nightly-report
  $ spool schedules delete heartbeat`,
    );

  const list = registerList(schedules, ctx);
  const set = registerSet(schedules, ctx);
  const remove = registerChange(schedules, ctx, "delete", "delete a schedule (its jobs stay)");
  const pause = registerChange(schedules, ctx, "pause", "stop enqueueing a schedule's ticks");
  const resume = registerChange(schedules, ctx, "resume", "enqueue its ticks again, from the next");
  addCommonOptions(list, set, remove, pause, resume);
}

/** `spool schedules [list]`. */
function registerList(schedules: Command, ctx: CliContext): Command {
  return schedules
    .command("list", { isDefault: true })
    .description("every schedule: expression, job type, next and last run")
    .action(async (flags: SchedulesFlags) => {
      await withBackend(ctx, flags, FIELDS, async (backend) => {
        const all = await backend.schedules();
        if (flags.json) writeJson(ctx.io, all);
        else if (all.length === 0) ctx.io.stderr.write("no schedules yet\n");
        else ctx.io.stdout.write(renderSchedules(all, ctx));
      });
    });
}

/** `spool schedules set NAME …`. */
function registerSet(schedules: Command, ctx: CliContext): Command {
  return schedules
    .command("set")
    .description("create or replace a schedule (one job of TYPE per tick)")
    .argument("<name>", "schedule name, [A-Za-z0-9_.:-]{1,128}")
    .requiredOption("--cron <expr>", "5 fields, or 6 with seconds first, e.g. '*/5 * * * *'")
    .requiredOption("--type <type>", "job type of every tick's job", nonEmpty)
    .option("--payload <json>", "payload: a JSON object, @file.json, or - for stdin", nonEmpty)
    .option("--queue <name>", "queue of the jobs (default: default)", queueName)
    .option("--timezone <tz>", "IANA time zone the expression is read in (default: UTC)")
    .option("--priority <n>", "-1000…1000, higher runs first (default 0)", integer(-1000, 1000))
    .option("--max-attempts <n>", "attempts of each job", integer(1, 1000))
    .option("--timeout <seconds>", "per-attempt limit (e.g. 90, 10m)", duration(1, 7 * 86_400_000))
    .option("--tag <tag>", "tag every job (repeatable)", collect)
    .action(async (name: string, flags: SetFlags) => {
      const payload = await readPayload(flags.payload);
      await withBackend(ctx, flags, FIELDS, async (backend) => {
        const saved = await backend.schedule({
          name,
          cron: flags.cron,
          type: flags.type,
          payload,
          options: optionsOf(flags),
        });
        if (flags.json) writeJson(ctx.io, saved);
        else
          ctx.io.stdout.write(
            `${saved.created ? "created" : "replaced"} schedule ${saved.name}; next run ${
              saved.nextRunAt?.toISOString() ?? "never"
            }\n`,
          );
      });
    });
}

/** `spool schedules delete|pause|resume NAME`. */
function registerChange(
  schedules: Command,
  ctx: CliContext,
  action: "delete" | "pause" | "resume",
  description: string,
): Command {
  return schedules
    .command(action)
    .description(description)
    .argument("<name>", "schedule name")
    .action(async (name: string, flags: SchedulesFlags) => {
      await withBackend(ctx, flags, FIELDS, async (backend) => {
        if (action === "delete") await backend.unschedule(name);
        const record =
          action === "delete" ? null : await backend.setSchedulePaused(name, action === "pause");
        if (flags.json) writeJson(ctx.io, record ?? { name, deleted: true });
        else
          ctx.io.stdout.write(
            `${action === "delete" ? "deleted" : action === "pause" ? "paused" : "resumed"} schedule ${name}\n`,
          );
      });
    });
}

function optionsOf(flags: SetFlags): Omit<ScheduleOptions, "tenant"> {
  const options: Omit<ScheduleOptions, "tenant"> = {};
  if (flags.queue !== undefined) options.queue = flags.queue;
  if (flags.timezone !== undefined) options.timezone = flags.timezone;
  if (flags.priority !== undefined) options.priority = flags.priority;
  if (flags.maxAttempts !== undefined) options.maxAttempts = flags.maxAttempts;
  if (flags.timeout !== undefined) options.timeout = flags.timeout;
  if (flags.tag !== undefined) options.tags = flags.tag;
  return options;
}

/** The table of `spool schedules`. */
function renderSchedules(all: readonly ScheduleRecord[], ctx: CliContext): string {
  const now = ctx.now();
  const when = (at: Date | null): string =>
    at === null ? "-" : `${at.toISOString().replace(/\.000Z$/, "Z")} (${formatAge(at, now)})`;
  const tenants = new Set(all.map((s) => s.tenant)).size > 1;
  const rows = all.map((s): Cell[] => [
    ...(tenants ? [s.tenant] : []),
    s.name,
    s.cron,
    s.timezone,
    s.type,
    s.queue,
    s.paused ? { text: "paused", color: ctx.out.yellow } : "active",
    s.paused ? "-" : when(s.nextRunAt),
    when(s.lastRunAt),
  ]);
  return renderTable(
    [
      ...(tenants ? ["TENANT"] : []),
      "NAME",
      "CRON",
      "TIMEZONE",
      "TYPE",
      "QUEUE",
      "STATE",
      "NEXT RUN",
      "LAST RUN",
    ],
    rows,
    ctx.out,
  );
}
