/**
 * Request and response schemas of the event, key, dashboard-support and batch routes (SPEC §2,
 * snake_case): event-stream queries, API keys, bulk actions, the session, throughput, tenants
 * and batches. Same conventions as contracts.ts.
 */
import { z } from "zod";
import { JOB_STATES } from "../core/states.js";
import { JobId, QueueName, TenantName } from "./job-contracts.js";

/** The `access_token` query parameter (accepted on event streams only). */
export const AccessToken = z
  .string()
  .max(512)
  .optional()
  .describe(
    "API key for clients that cannot send headers (EventSource, browsers' WebSocket); event streams only, never logged",
  );

/** GET /events and /ws query. */
export const EventsQuery = z.strictObject({
  queue: QueueName.optional(),
  job_id: JobId.optional(),
  access_token: AccessToken,
});

/** POST /keys body (admin). */
export const CreateKeyBody = z.strictObject({
  role: z.enum(["admin", "producer", "worker"]),
  tenant: TenantName.optional().describe("Default `default`"),
  name: z.string().max(200).optional(),
  queues: z.array(QueueName).max(1000).optional().describe("Worker keys: queues it may claim from"),
});

/** An API key as listed (never the secret itself). */
export const KeyResource = z.object({
  id: z.string(),
  name: z.string().nullable(),
  prefix: z.string().describe("First characters of the key, to recognise it"),
  role: z.enum(["admin", "producer", "worker"]),
  tenant: z.string(),
  queues: z.array(z.string()).nullable(),
  created_at: z.string(),
  revoked_at: z.string().nullable(),
});

/** The job filter of a bulk action (the same fields as GET /jobs). */
export const BulkFilter = z.strictObject({
  status: z.string().optional().describe("Comma-separated states"),
  queue: z.string().optional(),
  type: z.string().optional(),
  tag: z.string().optional(),
  tenant: z.string().optional().describe("Admin only; others always act on their own tenant"),
});

/** POST /jobs/bulk body: `ids` (one call) or `filter` (one batch per call, follow `next_cursor`). */
export const BulkJobsBody = z.strictObject({
  action: z.enum(["cancel", "retry"]),
  ids: z.array(z.string()).min(1).max(1000).optional().describe("Exactly these jobs"),
  filter: BulkFilter.optional().describe("Every job matching it, one batch per call"),
  cursor: z.string().optional().describe("`next_cursor` of the previous batch"),
  limit: z.number().int().min(1).max(1000).optional().describe("Jobs per batch; default 200"),
});

/** POST /jobs/bulk answer: what this batch did. */
export const BulkJobsResponse = z.object({
  action: z.enum(["cancel", "retry"]),
  processed: z.number().describe("Jobs looked at in this batch"),
  succeeded: z.number().describe("Jobs cancelled (or asked to stop) / re-queued"),
  skipped: z.number().describe("Jobs in a state the action does not apply to, or gone"),
  errors: z
    .array(z.object({ job_id: z.string(), code: z.string(), message: z.string() }))
    .describe("Up to 20 per batch"),
  next_cursor: z.string().nullable().describe("Call again with it; null when done"),
  done: z.boolean(),
});

/** GET /session answer: who the key is. */
export const SessionResponse = z.object({
  role: z.enum(["admin", "producer", "worker"]),
  tenant: z.string(),
  auth: z.boolean().describe("False on a `--no-auth` server"),
});

/** One time bucket of GET /throughput. */
export const ThroughputBucket = z.object({
  at: z.string().describe("Bucket start, ISO-8601"),
  completed: z.number(),
  failed: z.number().describe("Jobs that ended failed"),
  retried: z.number().describe("Failed attempts that will be retried"),
});

/** GET /throughput answer. */
export const ThroughputResponse = z.object({
  window_seconds: z.number(),
  bucket_seconds: z.number(),
  since: z.string().describe("Counting started then (this server's start, or the window start)"),
  queues: z.array(z.object({ queue: z.string(), buckets: z.array(ThroughputBucket) })),
});

/** One tenant in GET /tenants. */
export const TenantResource = z.object({
  tenant: z.string(),
  keys: z.number().describe("Live API keys of the tenant"),
  daily: z.object({ limit: z.number().nullable(), used: z.number(), resets_at: z.string() }),
  monthly: z.object({ limit: z.number().nullable(), used: z.number(), resets_at: z.string() }),
  backlog: z.number().describe("Waiting jobs: scheduled + queued + retrying"),
  running: z.number(),
  failed: z.number(),
  refused: z.number().describe("Submissions answered 429 by this server since it started"),
  tier: z.string().nullable().describe("The tenant's tier (own or default); null = none"),
  weight: z.number().describe("Fair-scheduling weight, 1–1000"),
  quota: z
    .object({ daily_limit: z.number().nullable(), monthly_limit: z.number().nullable() })
    .nullable()
    .describe("The per-tenant override of the tier's limits, null when none"),
});

/** GET /batches/:id params. */
export const BatchIdParams = z.object({
  id: z.string().describe("Batch id (UUIDv7); anything else answers 404"),
});

/** GET /batches/:id answer (SPEC §8 "Batches"). */
export const BatchResource = z.object({
  batch_id: z.string(),
  tenant: z.string(),
  total: z.number().describe("Jobs submitted in the batch"),
  counts: z.object(
    Object.fromEntries(JOB_STATES.map((state) => [state, z.number()])) as Record<
      (typeof JOB_STATES)[number],
      z.ZodNumber
    >,
  ),
  finished: z.number().describe("Jobs that are final (completed, failed or cancelled)"),
  progress: z
    .number()
    .describe("Percent of final jobs, 0–100, rounded down: 100 only once every job is final"),
  created_at: z.string(),
  finished_at: z
    .string()
    .nullable()
    .describe("When every job was seen final (and on_complete enqueued); null before"),
  on_complete_job_id: z.string().nullable(),
});
export type BatchResource = z.infer<typeof BatchResource>;
