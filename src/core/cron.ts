/**
 * Cron expressions and their ticks (SPEC §8 "Cron"), parsed by croner: five fields, or six with
 * seconds first; IANA time zones with daylight-saving handled (a wall-clock time that a spring
 * change skips runs once, at the first valid moment after it; one that an autumn change repeats
 * runs once). Pure: every question takes the reference time as an argument.
 */
import { Cron } from "croner";
import { SpoolValidationError } from "./errors.js";

/** Time zone of schedules that name none. */
export const DEFAULT_SCHEDULE_TIMEZONE = "UTC";

/** Longest accepted cron expression, characters. */
const MAX_CRON_CHARS = 256;

/** A parsed cron expression in a time zone. */
export interface CronTicks {
  /** The first tick strictly after `afterMs`, ms since the epoch; null when there is none. */
  nextAfter(afterMs: number): number | null;
  /** The latest tick at or before `atMs`; null when there is none. */
  latestAtOrBefore(atMs: number): number | null;
}

/** Throws unless `timezone` is an IANA time zone name this runtime knows (or `UTC`). */
export function assertTimezone(timezone: unknown, field = "timezone"): asserts timezone is string {
  if (typeof timezone !== "string" || timezone.length === 0 || timezone.length > 64)
    throw new SpoolValidationError(field, "must be an IANA time zone name, e.g. Europe/Berlin");
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
  } catch {
    throw new SpoolValidationError(
      field,
      `unknown time zone '${timezone}'; use an IANA name such as Europe/Berlin or UTC`,
    );
  }
}

/**
 * Parses `expression` in `timezone`, naming `field`/`timezoneField` in errors. Refuses an
 * expression that never fires (`0 0 30 2 *`), since such a schedule could only mislead.
 */
export function parseCron(
  expression: unknown,
  timezone: unknown = DEFAULT_SCHEDULE_TIMEZONE,
  fields: { cron: string; timezone: string } = { cron: "cron", timezone: "timezone" },
): CronTicks {
  assertTimezone(timezone, fields.timezone);
  if (typeof expression !== "string" || expression.trim().length === 0)
    throw new SpoolValidationError(fields.cron, "must be a cron expression, e.g. '*/5 * * * *'");
  if (expression.length > MAX_CRON_CHARS)
    throw new SpoolValidationError(fields.cron, `must be at most ${MAX_CRON_CHARS} characters`);
  let cron: Cron;
  try {
    cron = new Cron(expression.trim(), { timezone, mode: "5-or-6-parts" });
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern: /, "") : "";
    throw new SpoolValidationError(
      fields.cron,
      `is not a valid cron expression (5 fields, or 6 with seconds first): ${reason}`,
    );
  }
  const ticks = cronTicks(cron);
  if (ticks.nextAfter(0) === null)
    throw new SpoolValidationError(fields.cron, "never fires (no date matches it)");
  return ticks;
}

function cronTicks(cron: Cron): CronTicks {
  return {
    nextAfter(afterMs) {
      // croner looks from the start of the next whole second: a tick at exactly `afterMs` is
      // never returned again.
      return cron.nextRun(new Date(afterMs))?.getTime() ?? null;
    },
    latestAtOrBefore(atMs) {
      // previousRuns counts a run earlier in the reference's second, so `atMs + 1` includes a
      // tick at exactly `atMs`.
      return cron.previousRuns(1, new Date(atMs + 1))[0]?.getTime() ?? null;
    },
  };
}

/** The unique key of the job of one tick (SPEC §8): `schedule:<name>:<tick ISO>`. */
export function tickUniqueKey(name: string, tickAt: number): string {
  return `schedule:${name}:${new Date(tickAt).toISOString()}`;
}
