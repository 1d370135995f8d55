/**
 * Request and response schemas of the queue and worker routes (SPEC §2, snake_case): queues and
 * their settings, remote workers' claim, heartbeat, complete and fail, live workers, and job log
 * lines. Same conventions as contracts.ts (strict requests, core constants, envelope added in
 * envelope.ts).
 */
import { z } from "zod";
import {
  LOG_LEVELS,
  MAX_ATTEMPTS_LIMIT,
  MAX_LOG_LINES_PER_JOB,
  MAX_LOG_LINES_PER_REQUEST,
  MAX_LOG_LINE_CHARS,
  MAX_PROGRESS_MESSAGE_CHARS,
  MAX_TIMEOUT_MS,
} from "../core/limits.js";
import { JOB_STATES } from "../core/states.js";
import { MAX_KEY_CONCURRENCY, MAX_RATE_LIMIT, MAX_RATE_PERIOD_MS } from "../core/traffic.js";
import { ClaimedJobResource } from "./job-contracts.js";

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
