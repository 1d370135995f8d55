/**
 * Cron schedules (SPEC §8): the record, its validation, and the job of one tick. A schedule
 * belongs to a tenant (its creator's) and its name is unique within that tenant, so one
 * tenant's names never collide with, nor reveal, another's. Pure: `now` is passed in.
 */
import type { BackoffPolicy } from "./backoff.js";
import { parseCron, tickUniqueKey, DEFAULT_SCHEDULE_TIMEZONE } from "./cron.js";
import { SpoolValidationError } from "./errors.js";
import { isPlainObject, type JsonObject } from "./json.js";
import { validateEnqueue, type EnqueueOptions, type JobInput } from "./options.js";

/** Schedule names: like job types, `[A-Za-z0-9_.:-]{1,128}`. */
export const SCHEDULE_NAME_RE = /^[A-Za-z0-9_.:-]{1,128}$/;

/** The options given to every job of a schedule (the library's names; durations in ms). */
export interface ScheduleJobOptions {
  priority: number;
  /** null: the queue's default. */
  maxAttempts: number | null;
  /** Per-attempt limit, ms; null: the queue's default. */
  timeout: number | null;
  tags: string[];
  backoff: Partial<BackoffPolicy>;
  webhookUrl: string | null;
}

/** A schedule as the store keeps it. */
export interface ScheduleRecord {
  tenant: string;
  name: string;
  cron: string;
  timezone: string;
  queue: string;
  type: string;
  payload: JsonObject;
  options: ScheduleJobOptions;
  paused: boolean;
  /** The next tick to enqueue; null when the expression has no further tick. */
  nextRunAt: Date | null;
  /** The last tick a job was enqueued for; null before the first. */
  lastRunAt: Date | null;
  /** The job of the last tick (it may have been pruned since). */
  lastJobId: string | null;
  /** Increases with every replacement: a tick computed from an older definition is dropped. */
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A validated definition, ready for `Store.saveSchedule`. */
export interface ScheduleDefinition {
  tenant: string;
  name: string;
  cron: string;
  timezone: string;
  queue: string;
  type: string;
  payloadJson: string;
  options: ScheduleJobOptions;
  /** First tick after the definition was saved (ms), from `cron` in `timezone`. */
  nextRunAt: number | null;
}

/** Options of `spool.schedule` (SPEC §8): where the jobs go and how they run. */
export interface ScheduleOptions extends Omit<EnqueueOptions, "delay" | "runAt" | "uniqueKey"> {
  /** IANA time zone the expression is read in. Default `UTC`. */
  timezone?: string;
}

/** Job options a schedule cannot take: every tick sets them itself. */
const TICK_OWNED = ["delay", "runAt", "uniqueKey"] as const;

/** Throws unless `name` is a schedule name. */
export function assertScheduleName(name: unknown, field = "name"): asserts name is string {
  if (typeof name !== "string" || !SCHEDULE_NAME_RE.test(name))
    throw new SpoolValidationError(field, "must match [A-Za-z0-9_.:-]{1,128}");
}

/**
 * Validates a schedule (field names as the library spells them) and computes its first tick
 * after `now`. `fields` renames fields in errors (the HTTP layer's snake_case).
 */
export function validateSchedule(
  input: { name: unknown; cron: unknown; type: unknown; payload: unknown; options: unknown },
  context: { now: number; maxPayloadBytes: number; field?: (name: string) => string },
): ScheduleDefinition {
  const field = context.field ?? ((name: string) => name);
  assertScheduleName(input.name, field("name"));
  if (input.options !== undefined && !isPlainObject(input.options))
    throw new SpoolValidationError(field("options"), "must be an object");
  const { timezone = DEFAULT_SCHEDULE_TIMEZONE, ...jobOptions } = (input.options ?? {}) as {
    timezone?: unknown;
  } & Record<string, unknown>;
  const ticks = parseCron(input.cron, timezone, {
    cron: field("cron"),
    timezone: field("timezone"),
  });
  for (const key of TICK_OWNED) {
    if (jobOptions[key] !== undefined)
      throw new SpoolValidationError(field(key), "is set by each tick and cannot be given");
  }
  let job: JobInput;
  try {
    job = validateEnqueue(input.type, input.payload, jobOptions, {
      id: "00000000-0000-7000-8000-000000000000",
      now: context.now,
      limits: { maxPayloadBytes: context.maxPayloadBytes },
    });
  } catch (error) {
    if (error instanceof SpoolValidationError && context.field !== undefined)
      throw new SpoolValidationError(
        field(error.field),
        String(error.details?.reason ?? error.message),
      );
    throw error;
  }
  return {
    tenant: job.tenant,
    name: input.name,
    cron: (input.cron as string).trim(),
    timezone: timezone as string,
    queue: job.queue,
    type: job.type,
    payloadJson: job.payloadJson,
    options: {
      priority: job.priority,
      maxAttempts: job.maxAttempts,
      timeout: job.timeoutMs,
      tags: job.tags,
      backoff: job.backoff,
      webhookUrl: job.webhookUrl,
    },
    nextRunAt: ticks.nextAfter(context.now),
  };
}

/** The job of `schedule`'s tick at `tickAt`: unique key `schedule:<name>:<tick ISO>`. */
export function tickJob(schedule: ScheduleRecord, tickAt: number, id: string): JobInput {
  return {
    id,
    tenant: schedule.tenant,
    queue: schedule.queue,
    type: schedule.type,
    payload: schedule.payload,
    payloadJson: JSON.stringify(schedule.payload),
    priority: schedule.options.priority,
    runAt: tickAt,
    maxAttempts: schedule.options.maxAttempts,
    timeoutMs: schedule.options.timeout,
    backoff: schedule.options.backoff,
    uniqueKey: tickUniqueKey(schedule.name, tickAt),
    tags: schedule.options.tags,
    webhookUrl: schedule.options.webhookUrl,
    concurrencyKey: null,
  };
}
