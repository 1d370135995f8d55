/**
 * Request and response schemas of the job routes (SPEC §2, snake_case) and the names every other
 * contract module shares (queue, type and tenant names, timestamps, the job resource). Part of
 * contracts.ts, which re-exports it.
 */
import { MAX_CONCURRENCY_KEY_CHARS } from "../core/traffic.js";
import { z } from "zod";
import {
  MAX_ATTEMPTS_LIMIT,
  MAX_DELAY_MS,
  MAX_TAG_CHARS,
  MAX_TAGS,
  MAX_TIMEOUT_MS,
  MAX_UNIQUE_KEY_CHARS,
  PRIORITY_MAX,
  PRIORITY_MIN,
  QUEUE_RE,
  TENANT_RE,
  TYPE_RE,
} from "../core/limits.js";
import { JOB_STATES } from "../core/states.js";
import { MAX_DEPENDS_ON } from "../core/flows.js";
import { WAITING_REASON_CODES } from "../core/waiting-reason.js";
import { RFC3339_RE } from "../core/timestamps.js";

/** A JSON object (payloads, results). */
export const jsonObject = z.record(z.string(), z.unknown());

/** A queue name (SPEC §1). */
export const QueueName = z.string().regex(QUEUE_RE, "must match [a-z0-9_.-]{1,64}");
/** A job type name (SPEC §1). */
export const JobTypeName = z.string().regex(TYPE_RE, "must match [A-Za-z0-9_.:-]{1,128}");
/** A tenant name. */
export const TenantName = z.string().regex(TENANT_RE, "must match [A-Za-z0-9_.:-]{1,128}");
/** An RFC 3339 timestamp with an explicit zone (calendar-checked by the core on the way in). */
export const Timestamp = z
  .string()
  .regex(RFC3339_RE, "must be an RFC 3339 timestamp with a zone, e.g. 2024-01-01T10:00:00Z");
/** A job id (UUID). */
export const JobId = z.string().describe("Job id (UUIDv7); anything else answers 404");

/** Parents of a submission (SPEC §8; docs/http-api.md "Dependencies and batches"). */
const DependsOn = z
  .array(
    z
      .string()
      .regex(
        /^(\$\d{1,4}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/,
        'must be a job id or "$N" (the index of an earlier job of the same batch)',
      ),
  )
  .max(MAX_DEPENDS_ON)
  .describe(
    'Jobs that must complete first: ids of your jobs, or "$N" for item N of the same batch (earlier items only)',
  );

/** Fields common to one submission (POST /jobs and each item of POST /jobs/batch). */
const submissionFields = {
  type: JobTypeName.describe("Handler name, [A-Za-z0-9_.:-]{1,128}"),
  payload: jsonObject.optional().describe("JSON object given to the handler"),
  parameters: jsonObject.optional().describe("Alias of payload"),
  queue: QueueName.optional().describe("Queue name, [a-z0-9_.-]{1,64}; default `default`"),
  priority: z
    .number()
    .int()
    .min(PRIORITY_MIN)
    .max(PRIORITY_MAX)
    .optional()
    .describe("−1000…1000, higher runs first; default 0"),
  run_at: Timestamp.optional().describe("Earliest start, RFC 3339 with a zone"),
  delay_seconds: z
    .number()
    .min(0)
    .max(MAX_DELAY_MS / 1000)
    .optional()
    .describe("Delay before the first attempt, seconds (exclusive with run_at)"),
  max_attempts: z.number().int().min(1).max(MAX_ATTEMPTS_LIMIT).optional().describe("Default 3"),
  timeout_seconds: z
    .number()
    .min(0.001)
    .max(MAX_TIMEOUT_MS / 1000)
    .optional()
    .describe("Per-attempt limit, seconds; default from the queue (300)"),
  unique_key: z
    .string()
    .min(1)
    .max(MAX_UNIQUE_KEY_CHARS)
    .optional()
    .describe("Deduplicates unfinished jobs per tenant and queue"),
  tags: z.array(z.string().min(1).max(MAX_TAG_CHARS)).max(MAX_TAGS).optional(),
  webhook_url: z.string().max(2048).optional().describe("Receives a POST when the job ends"),
  depends_on: DependsOn.optional(),
  concurrency_key: z
    .string()
    .min(1)
    .max(MAX_CONCURRENCY_KEY_CHARS)
    .optional()
    .describe("At most the queue's key_concurrency jobs with this key run at once"),
};

/** POST /jobs body. */
export const SubmitJobBody = z.strictObject(submissionFields);
export type SubmitJobBody = z.infer<typeof SubmitJobBody>;

/** POST /jobs/batch body. */
export const SubmitBatchBody = z.strictObject({
  jobs: z.array(z.strictObject(submissionFields)).min(1).max(1000),
  batch: z
    .strictObject({
      on_complete: z
        .strictObject({ ...submissionFields, depends_on: z.undefined().optional() })
        .optional()
        .describe("Enqueued once, when every job of the batch is final"),
    })
    .optional(),
});
export type SubmitBatchBody = z.infer<typeof SubmitBatchBody>;

/** A failed attempt. */
export const JobErrorResource = z.object({
  message: z.string(),
  type: z.string(),
  attempt: z.number(),
  at: z.string(),
});

/** Why a waiting job has not started (SPEC §6 "Explained waiting"). */
export const WaitingReasonResource = z
  .object({
    code: z.enum(WAITING_REASON_CODES),
    message: z.string().describe("The same sentence the dashboard shows"),
  })
  .describe("GET /jobs/:id only: set while queued/scheduled/retrying, null otherwise");

/** The job resource (SPEC §1). */
export const JobResource = z.object({
  id: z.string(),
  tenant: z.string(),
  queue: z.string(),
  type: z.string(),
  payload: jsonObject,
  status: z.enum(JOB_STATES),
  priority: z.number(),
  progress: z.number(),
  progress_message: z.string().nullable(),
  attempt: z.number(),
  max_attempts: z.number(),
  run_at: z.string(),
  timeout_seconds: z.number(),
  unique_key: z.string().nullable(),
  tags: z.array(z.string()),
  result: z.unknown().nullable(),
  error: JobErrorResource.nullable(),
  errors: z.array(JobErrorResource),
  created_at: z.string(),
  started_at: z.string().nullable(),
  completed_at: z.string().nullable(),
  updated_at: z.string(),
  elapsed_seconds: z.number().nullable(),
  worker: z.string().nullable(),
  cancel_requested: z.boolean(),
  webhook_url: z.string().nullable(),
  concurrency_key: z.string().nullable(),
  queue_position: z.number().optional().describe("Queued jobs ahead (waiting jobs only)"),
  eta_seconds: z
    .number()
    .optional()
    .describe("Estimated seconds until completion (waiting jobs only; an estimate)"),
  waiting_reason: WaitingReasonResource.nullable().optional(),
  batch_id: z
    .string()
    .nullable()
    .optional()
    .describe("The batch it was submitted in (GET /jobs/:id and batch submissions)"),
  depends_on: z.array(z.string()).optional().describe("Its parents (GET /jobs/:id)"),
});
export type JobResource = z.infer<typeof JobResource>;

/**
 * A job in a list (GET /jobs): the resource without its bulky fields unless the caller asks for
 * them with `?include=payload,result,errors`.
 */
export const JobSummaryResource = JobResource.extend({
  payload: jsonObject.optional().describe("Only with ?include=payload"),
  result: z.unknown().nullable().optional().describe("Only with ?include=result"),
  errors: z.array(JobErrorResource).optional().describe("Only with ?include=errors"),
});
export type JobSummaryResource = z.infer<typeof JobSummaryResource>;

/** GET /jobs/:id answer: the resource, repeated under `job` (seed 002's clients read `job`). */
export const GetJobResponse = JobResource.extend({
  job: JobResource.describe("The same resource, for clients that expect an envelope"),
});

/** A claimed job handed to a remote worker. */
export const ClaimedJobResource = JobResource.extend({
  lease_token: z.string(),
  lease_expires_at: z.string(),
  parent_results: z
    .array(
      z.object({
        id: z.string(),
        type: z.string(),
        status: z.enum(JOB_STATES),
        result: z.unknown().nullable(),
      }),
    )
    .optional()
    .describe("The jobs it depends on, in order, with their results (empty for none)"),
  trace_context: z
    .object({
      traceparent: z.string().describe("W3C `traceparent` of the span that submitted the job"),
      tracestate: z.string().nullable().describe("W3C `tracestate` beside it, or null"),
    })
    .nullable()
    .describe(
      "The submitter's W3C trace context (null: none): start the attempt's span as its child, " +
        'and send `traceparent` with complete/fail (docs/operations.md "Tracing")',
    ),
});
export type ClaimedJobResource = z.infer<typeof ClaimedJobResource>;

/** 202/200 answer to a submission. */
export const SubmitJobResponse = z.object({
  job_id: z.string(),
  status: z.enum(JOB_STATES),
  duplicate: z.boolean(),
  job: JobResource,
});
export type SubmitJobResponse = z.infer<typeof SubmitJobResponse>;

/** POST /jobs/batch answer. */
export const SubmitBatchResponse = z.object({
  batch_id: z.string().describe("GET /batches/:id follows the batch"),
  jobs: z.array(SubmitJobResponse),
  count: z.number(),
});

/** Fields `GET /jobs?include=` may add to each summary. */
export const LIST_INCLUDES = ["payload", "result", "errors"] as const;

/** GET /jobs query. */
export const ListJobsQuery = z.strictObject({
  status: z.string().max(200).optional().describe("Comma-separated states; `pending` = queued"),
  queue: QueueName.optional(),
  type: JobTypeName.optional(),
  tag: z.string().min(1).max(MAX_TAG_CHARS).optional(),
  tenant: TenantName.optional().describe("Admin only"),
  limit: z.coerce.number().int().min(1).max(1000).optional().describe("1…1000; default 50"),
  cursor: z.string().max(200).optional(),
  include: z
    .string()
    .regex(
      /^(payload|result|errors)(,(payload|result|errors))*$/,
      "must be a comma-separated list of payload, result, errors",
    )
    .optional()
    .describe("Comma-separated: payload, result, errors (default: none, summaries only)"),
});

/** GET /jobs answer. */
export const ListJobsResponse = z.object({
  jobs: z.array(JobSummaryResource),
  count: z.number(),
  next_cursor: z.string().nullable(),
});
export type ListJobsResponse = z.infer<typeof ListJobsResponse>;

/** Path parameter of job routes (any string: an id that is not a job's answers 404). */
export const JobIdParams = z.strictObject({ id: JobId });
/** Path parameter of queue routes. */
export const QueueNameParams = z.strictObject({ name: QueueName });

/** GET /stats answer. */
export const StatsResponse = z.object({
  total_jobs: z.number(),
  scheduled: z.number(),
  queued: z.number(),
  pending: z.number().describe("Alias of queued"),
  running: z.number(),
  retrying: z.number(),
  completed: z.number(),
  failed: z.number(),
  cancelled: z.number(),
  queue_size: z.number().describe("Waiting jobs: scheduled + queued + retrying"),
});
export type StatsResponse = z.infer<typeof StatsResponse>;

/** DELETE /jobs/:id answer: 200 when cancelled at once, 202 when a running job was asked to stop. */
export const CancelJobResponse = z.object({
  job_id: z.string(),
  status: z.enum(JOB_STATES),
  cancel_requested: z.boolean().optional(),
  message: z.string(),
  job: JobResource,
});
