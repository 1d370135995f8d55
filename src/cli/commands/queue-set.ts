/**
 * `spool queues set NAME [--rate 50/s|600/m|1000/h|none] [--key-concurrency N|none]
 * [--concurrency N|none]`: changes a queue's traffic settings (SPEC §7) — locally on the store or
 * through `PATCH /queues/:name` with `--server`.
 */
import { InvalidArgumentError, type Command } from "commander";
import { SpoolValidationError } from "../../core/errors.js";
import { parseRate, type RateLimit } from "../../core/traffic.js";
import type { QueuePatch } from "../../store/store.js";
import type { ConnectionFlags } from "../connection.js";
import { addCommonOptions, withBackend, type CliContext } from "../context.js";
import { writeJson } from "../output.js";
import { queueName } from "../parsers.js";

interface SetFlags extends ConnectionFlags {
  json?: boolean;
  rate?: RateLimit | typeof NONE;
  keyConcurrency?: number | typeof NONE;
  concurrency?: number | typeof NONE;
}

/** What the parsers return for `none` (commander turns a parser's null into ""). */
const NONE = "none";
const orNull = <T>(value: T | typeof NONE): T | null => (value === NONE ? null : value);

/** A rate for commander (`50/s`, `none`). */
function rateOption(value: string): RateLimit | typeof NONE {
  try {
    return parseRate(value) ?? NONE;
  } catch (error) {
    if (error instanceof SpoolValidationError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}

/** A positive integer, or `none` (clear). */
function limitOption(value: string): number | typeof NONE {
  if (value.toLowerCase() === "none") return NONE;
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError("must be a positive integer or none");
  return Number(value);
}

/** A rate as people write it. */
export function formatRate(rate: RateLimit | null): string {
  if (rate === null) return "none";
  const units: [number, string][] = [
    [3_600_000, "h"],
    [60_000, "m"],
    [1_000, "s"],
  ];
  for (const [ms, unit] of units) {
    if (rate.periodMs === ms) return `${rate.limit}/${unit}`;
    if (rate.periodMs % ms === 0) return `${rate.limit}/${rate.periodMs / ms}${unit}`;
  }
  return `${rate.limit}/${rate.periodMs}ms`;
}

/** Registers `spool queues set` under `queues`. */
export function registerQueueSetCommand(queues: Command, ctx: CliContext): Command {
  const set = queues
    .command("set")
    .description("change a queue's rate limit, per-key concurrency or concurrency limit")
    .argument("<name>", "queue name", queueName)
    .option(
      "--rate <rate>",
      "job starts per period: 50/s, 600/m, 1000/h, 5/10s, or none",
      rateOption,
    )
    .option("--key-concurrency <n>", "most running jobs per concurrency_key, or none", limitOption)
    .option("--concurrency <n>", "most running jobs of the queue, or none", limitOption)
    .addHelpText(
      "after",
      `
Examples:
  $ spool queues set emails --rate 50/s
  $ spool queues set reports --key-concurrency 3
  $ spool queues set emails --rate none`,
    )
    .action(async (queue: string, flags: SetFlags) => {
      const patch: QueuePatch = {};
      if (flags.rate !== undefined) patch.rateLimit = orNull(flags.rate);
      if (flags.keyConcurrency !== undefined) patch.keyConcurrency = orNull(flags.keyConcurrency);
      if (flags.concurrency !== undefined) patch.concurrency = orNull(flags.concurrency);
      if (Object.keys(patch).length === 0)
        set.error("error: give --rate, --key-concurrency or --concurrency", { exitCode: 2 });
      await withBackend(ctx, flags, { name: "NAME" }, async (backend) => {
        const config = await backend.updateQueue(queue, patch);
        if (flags.json) {
          writeJson(ctx.io, config);
          return;
        }
        const key = config.keyConcurrency === null ? "none" : String(config.keyConcurrency);
        const limit = config.concurrency === null ? "none" : String(config.concurrency);
        ctx.io.stdout.write(
          `queue ${queue}: rate ${formatRate(config.rateLimit)}, key concurrency ${key}, concurrency ${limit}\n`,
        );
      });
    });
  addCommonOptions(set);
  return set;
}
