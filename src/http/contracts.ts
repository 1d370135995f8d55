/**
 * Request and response schemas of the HTTP API (SPEC §2, snake_case). Request schemas carry the
 * real patterns and ranges (strict: unknown fields are refused), taken from the core validation's
 * own constants so that the published contract and the server cannot drift; the core validation
 * still runs behind them (sizes, payload schemas, calendar checks) and reports the same field
 * names. Every response schema here is what the server sends; `success` and the error's
 * `request_id` are added to every JSON body in one place (`envelope.ts`). The same schemas
 * generate the OpenAPI document and type the HTTP client.
 */
import {
  MAX_CONCURRENCY_KEY_CHARS,
  MAX_KEY_CONCURRENCY,
  MAX_RATE_LIMIT,
  MAX_RATE_PERIOD_MS,
} from "../core/traffic.js";
import { z } from "zod";
import {
  MAX_ATTEMPTS_LIMIT,
  MAX_DELAY_MS,
  MAX_PROGRESS_MESSAGE_CHARS,
  MAX_TAG_CHARS,
  MAX_TAGS,
  MAX_TIMEOUT_MS,
  MAX_UNIQUE_KEY_CHARS,
  LOG_LEVELS,
  MAX_LOG_LINE_CHARS,
  MAX_LOG_LINES_PER_JOB,
  MAX_LOG_LINES_PER_REQUEST,
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

export {
  CreditsInfo,
  ErrorResponse,
  EventStreamResponse,
  QuotaErrorResponse,
  rawResponse,
} from "./error-contracts.js";

const jsonObject = z.record(z.string(), z.unknown());

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
const JobId = z.string().describe("Job id (UUIDv7); anything else answers 404");

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

const percentiles = z.object({ p50: z.number(), p95: z.number() }).nullable();

/** A queue's rate limit (SPEC §7). */
export const RateLimitResource = z.strictObject({
  limit: z.number().int().min(1).max(MAX_RATE_LIMIT).describe("Job starts per period"),
  period_seconds: z
    .number()
    .min(0.001)
    .max(MAX_RATE_PERIOD_MS / 1000)
    .describe("The period, seconds (at most a day)"),
});

/** One queue in GET /queues. */
export const QueueResource = z.object({
  name: z.string(),
  counts: z.record(z.string(), z.number()),
  paused: z.boolean(),
  concurrency: z.number().nullable(),
  rate_limit: RateLimitResource.nullable().describe("Job starts per period; null = no limit"),
  key_concurrency: z
    .number()
    .nullable()
    .describe("Most running jobs per concurrency_key; null = no cap"),
  timeout_seconds: z.number().nullable(),
  max_attempts: z.number().nullable(),
  completed_per_minute: z.number(),
  wait_seconds: percentiles,
  run_seconds: percentiles,
  oldest_waiting_at: z
    .string()
    .nullable()
    .describe(
      "run_at (ISO-8601) of the oldest queued job, every tenant's; null when none waits or for a tenant-scoped key",
    ),
});

/** PATCH /queues/:name body (null clears a setting). */
export const PatchQueueBody = z.strictObject({
  paused: z.boolean().optional(),
  rate_limit: RateLimitResource.nullable().optional(),
  key_concurrency: z.number().int().min(1).max(MAX_KEY_CONCURRENCY).nullable().optional(),
  concurrency: z.number().int().min(1).max(100_000).nullable().optional(),
  timeout_seconds: z
    .number()
    .min(0.001)
    .max(MAX_TIMEOUT_MS / 1000)
    .nullable()
    .optional(),
  max_attempts: z.number().int().min(1).max(MAX_ATTEMPTS_LIMIT).nullable().optional(),
  backoff_base_seconds: z
    .number()
    .min(0)
    .max(MAX_TIMEOUT_MS / 1000)
    .nullable()
    .optional(),
  backoff_cap_seconds: z
    .number()
    .min(0)
    .max(MAX_TIMEOUT_MS / 1000)
    .nullable()
    .optional(),
});

/** POST /queues/:name/claim body. */
export const ClaimBody = z.strictObject({
  worker: z
    .string()
    .regex(/^[\x21-\x7e]{1,128}$/, "must be 1–128 printable characters without spaces")
    .describe("The worker's id (recorded on the jobs it holds)"),
  max_jobs: z.number().int().min(1).max(100).optional().describe("Default 1"),
  wait_seconds: z
    .number()
    .min(0)
    .max(30)
    .optional()
    .describe("Long-poll up to this long; default 0"),
  lease_seconds: z.number().min(1).max(3600).optional().describe("Default 30"),
  types: z
    .array(z.string())
    .optional()
    .describe(
      'Job types this worker serves: 1–100 names [A-Za-z0-9_.:-]{1,128}; omitted or ["*"] = any type',
    ),
});

/** POST /jobs/:id/heartbeat body. */
export const HeartbeatBody = z.strictObject({
  lease_token: z.string().min(1).max(200),
  progress: z.number().min(0).max(100).optional().describe("Percent, 0–100 (rounded)"),
  progress_message: z.string().max(MAX_PROGRESS_MESSAGE_CHARS).nullable().optional(),
  lease_seconds: z
    .number()
    .min(1)
    .max(3600)
    .optional()
    .describe("Default: the lease_seconds of the claim (else 30)"),
});

/** POST /jobs/:id/heartbeat answer. */
export const HeartbeatResponse = z.object({
  job_id: z.string(),
  lease_expires_at: z.string(),
  cancel_requested: z.boolean().describe("True once the job was cancelled: stop and report"),
});

/** POST /queues/:name/claim answer. */
export const ClaimResponse = z.object({ jobs: z.array(ClaimedJobResource) });

/** POST /jobs/:id/complete body. */
export const CompleteBody = z.strictObject({
  lease_token: z.string().min(1).max(200),
  result: z.unknown().optional(),
});

/** POST /jobs/:id/complete answer. */
export const CompleteResponse = z.object({ job_id: z.string(), status: z.enum(JOB_STATES) });

/** POST /jobs/:id/fail body. */
export const FailBody = z.strictObject({
  lease_token: z.string().min(1).max(200),
  error: z.strictObject({ message: z.string().max(10_000), type: z.string().max(200).optional() }),
  retryable: z.boolean().optional().describe("Default true; false fails the job at once"),
});

/** POST /jobs/:id/fail answer: the job's next state and when it may run again. */
export const FailResponse = z.object({
  job_id: z.string(),
  status: z.enum(JOB_STATES),
  run_at: z.string(),
});

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

/** DELETE /jobs/:id answer: 200 when cancelled at once, 202 when a running job was asked to stop. */
export const CancelJobResponse = z.object({
  job_id: z.string(),
  status: z.enum(JOB_STATES),
  cancel_requested: z.boolean().optional(),
  message: z.string(),
  job: JobResource,
});

/** GET /workers query (none yet: strict, so a typo is a 400). */
export const ListWorkersQuery = z.strictObject({});

/** One live worker in GET /workers (SPEC §6 "Workers are visible"). */
export const WorkerResource = z.object({
  id: z.string().describe("Unique id; what job.worker shows for local workers"),
  name: z.string().describe("Exactly as given (`spool worker --name`, the claim's `worker`)"),
  host: z.string().describe("Host name (local) or the client's address (remote)"),
  pid: z.number().int().nullable().describe("Process id; null for remote workers"),
  kind: z.enum(["local", "remote"]),
  tenant: z.string().nullable().describe("Remote workers with a tenant's worker key; else null"),
  queues: z.array(z.string()),
  types: z.array(z.string()).describe('Job types served; "*" = any'),
  concurrency: z.number().int().describe("Jobs at once (remote: max_jobs of its last claim)"),
  running: z.number().int().describe("Jobs running now"),
  version: z.string().describe("Spool version (local) or the client's User-Agent (remote)"),
  started_at: z.string().describe("First registration, ISO-8601"),
  last_seen_at: z.string().describe("Last heartbeat or claim, ISO-8601"),
  stale_after_seconds: z.number().describe("Silent this long, the worker is gone: 3 lease periods"),
});
export type WorkerResource = z.infer<typeof WorkerResource>;

/** GET /workers answer. */
export const ListWorkersResponse = z.object({ workers: z.array(WorkerResource) });
export type ListWorkersResponse = z.infer<typeof ListWorkersResponse>;
// ---- Dashboard support (issue 10): bulk actions, the caller's session, throughput, tenants ----

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

/** One line of POST /jobs/:id/logs: the message, or the message with its level. */
const LogLineInput = z.union([
  z.string().max(MAX_LOG_LINE_CHARS),
  z.strictObject({
    message: z.string().max(MAX_LOG_LINE_CHARS),
    level: z.enum(LOG_LEVELS).optional().describe("Default info"),
  }),
]);

/** POST /jobs/:id/logs body (remote workers, fenced by the lease token). */
export const AppendLogsBody = z.strictObject({
  lease_token: z.string().min(1).max(200),
  lines: z
    .array(LogLineInput)
    .min(1)
    .max(MAX_LOG_LINES_PER_REQUEST)
    .describe(
      `1–${MAX_LOG_LINES_PER_REQUEST} lines, each a string of at most ${MAX_LOG_LINE_CHARS} characters or {message, level}`,
    ),
});
export type AppendLogsBody = z.input<typeof AppendLogsBody>;

/** POST /jobs/:id/logs answer. */
export const AppendLogsResponse = z.object({
  job_id: z.string(),
  accepted: z.number().describe("Lines stored"),
  last_seq: z.number().describe("Line number of the last line stored"),
});

/** GET /jobs/:id/logs query. */
export const JobLogsQuery = z.strictObject({
  attempt: z.coerce.number().int().min(1).max(1_000_000).optional().describe("Only this attempt"),
  after: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .describe("Only lines after this line number (next_after of the previous page); default 0"),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_LOG_LINES_PER_JOB)
    .optional()
    .describe(`1…${MAX_LOG_LINES_PER_JOB}; default ${MAX_LOG_LINES_PER_JOB}`),
});

/** One stored log line. */
export const JobLogLineResource = z.object({
  seq: z.number().describe("Line number in the job's log, from 1, across attempts"),
  attempt: z.number(),
  level: z.enum(LOG_LEVELS),
  message: z.string(),
  at: z.string(),
});

/** GET /jobs/:id/logs answer: lines oldest first. */
export const JobLogsResponse = z.object({
  job_id: z.string(),
  lines: z.array(JobLogLineResource),
  dropped_lines: z
    .number()
    .describe(`Oldest lines dropped to keep the newest ${MAX_LOG_LINES_PER_JOB} of the job`),
  next_after: z.number().describe("Pass as `after` to read the lines that come next"),
  has_more: z.boolean().describe("More lines exist after this page now"),
});
export type JobLogsResponse = z.infer<typeof JobLogsResponse>;
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
