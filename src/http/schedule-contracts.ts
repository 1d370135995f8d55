/**
 * Request and response schemas of the cron schedule routes (SPEC §8), kept beside the other
 * contracts so that the OpenAPI document, response validation and the typed client share them.
 */
import { z } from "zod";
import {
  MAX_ATTEMPTS_LIMIT,
  MAX_TAG_CHARS,
  MAX_TAGS,
  MAX_TIMEOUT_MS,
  PRIORITY_MAX,
  PRIORITY_MIN,
} from "../core/limits.js";
import { JobTypeName, QueueName, TenantName } from "./contracts.js";

const jsonObject = z.record(z.string(), z.unknown());

/** A schedule name: `[A-Za-z0-9_.:-]{1,128}`, unique within its tenant. */
export const ScheduleName = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/, "must match [A-Za-z0-9_.:-]{1,128}");

/** Options given to every job of a schedule (as in POST /jobs). */
const ScheduleJobOptionsBody = z.strictObject({
  priority: z.number().int().min(PRIORITY_MIN).max(PRIORITY_MAX).optional(),
  max_attempts: z.number().int().min(1).max(MAX_ATTEMPTS_LIMIT).optional(),
  timeout_seconds: z
    .number()
    .min(0.001)
    .max(MAX_TIMEOUT_MS / 1000)
    .optional(),
  tags: z.array(z.string().min(1).max(MAX_TAG_CHARS)).max(MAX_TAGS).optional(),
  webhook_url: z.string().max(2048).optional(),
});

/** PUT /schedules/:name body. */
export const PutScheduleBody = z.strictObject({
  cron: z
    .string()
    .min(1)
    .max(256)
    .describe("5 fields (minute hour day month weekday), or 6 with seconds first"),
  type: JobTypeName.describe("Job type of every tick's job"),
  payload: jsonObject.optional().describe("JSON object given to every tick's job"),
  parameters: jsonObject.optional().describe("Alias of payload"),
  queue: QueueName.optional().describe("Default `default`"),
  timezone: z.string().max(64).optional().describe("IANA time zone; default UTC"),
  options: ScheduleJobOptionsBody.optional(),
});
export type PutScheduleBody = z.infer<typeof PutScheduleBody>;

/** A schedule. */
export const ScheduleResource = z.object({
  name: z.string(),
  tenant: z.string(),
  cron: z.string(),
  timezone: z.string(),
  type: z.string(),
  queue: z.string(),
  payload: jsonObject,
  options: z.object({
    priority: z.number(),
    max_attempts: z.number().nullable(),
    timeout_seconds: z.number().nullable(),
    tags: z.array(z.string()),
    webhook_url: z.string().nullable(),
  }),
  paused: z.boolean(),
  next_run_at: z.string().nullable().describe("The next tick to enqueue; null: none"),
  last_run_at: z.string().nullable().describe("The last tick a job was enqueued for"),
  last_job_id: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type ScheduleResource = z.infer<typeof ScheduleResource>;

/** PUT /schedules/:name answer: the schedule, and whether this call created it. */
export const PutScheduleResponse = ScheduleResource.extend({ created: z.boolean() });

/** GET /schedules answer. */
export const ListSchedulesResponse = z.object({
  schedules: z.array(ScheduleResource),
  count: z.number(),
});

/** DELETE /schedules/:name answer. */
export const DeleteScheduleResponse = z.object({ name: z.string(), deleted: z.literal(true) });

/** `:name` of the schedule routes. */
export const ScheduleNameParams = z.strictObject({ name: ScheduleName });

/** `?tenant=` of the schedule routes (admin only; others are held to their own tenant). */
export const ScheduleTenantQuery = z.strictObject({
  tenant: TenantName.optional().describe("Admin only: whose schedule (default: your own)"),
});
