/**
 * Producer routes: submit (one or a batch), read, list, cancel and retry jobs. A job of another
 * tenant answers 404 exactly like an unknown one (never 403).
 */
import { SpoolNotFoundError, SpoolValidationError } from "../../core/errors.js";
import { isUuid } from "../../core/ids.js";
import type { JobRecord } from "../../core/job.js";
import type { JsonObject } from "../../core/json.js";
import {
  MAX_DELAY_MS,
  MAX_TIMEOUT_MS,
  type EnqueueOptions,
  type JobInput,
} from "../../core/options.js";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppContext, ZodApp } from "../app-context.js";
import { requireRole, visibleTenant, type Principal } from "../auth.js";
import { parseTimestamp } from "../../core/timestamps.js";
import {
  CancelJobResponse,
  ErrorResponse,
  GetJobResponse,
  JobIdParams,
  ListJobsQuery,
  ListJobsResponse,
  SubmitBatchBody,
  SubmitBatchResponse,
  SubmitJobBody,
  SubmitJobResponse,
  QuotaErrorResponse,
} from "../contracts.js";
import { SUBMIT_TRACE_NOTE, withRequestTrace } from "../trace-headers.js";
import { toJobResource, toJobSummary } from "../serialize.js";
import { readWaitingReason } from "../../store/waiting-reason-reader.js";
import { isHeldForDependencies } from "../../core/flows.js";
import { newBatch } from "../../spool-flows.js";

const readErrors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  503: ErrorResponse,
};
const errors = { ...readErrors, 409: ErrorResponse };
/** A body-less route still reads (and bounds) whatever body is sent. */
const bodyErrors = { 413: ErrorResponse, 415: ErrorResponse };

/** Registers the job routes. */
export function registerJobRoutes(app: ZodApp, ctx: AppContext): void {
  app.post(
    "/jobs",
    {
      schema: {
        summary: "Submit a job",
        description: SUBMIT_TRACE_NOTE,
        body: SubmitJobBody,
        response: {
          200: SubmitJobResponse,
          202: SubmitJobResponse,
          ...errors,
          413: ErrorResponse,
          415: ErrorResponse,
          429: QuotaErrorResponse,
          503: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      requireRole(request.principal, "admin", "producer");
      const idempotencyKey = headerValue(request.headers["idempotency-key"]);
      const input = await toJobInput(
        ctx,
        request.body as SubmitJobBody,
        request.principal,
        "",
        idempotencyKey,
      );
      withRequestTrace(request, [input]);
      const [job] = await ctx.spool.submit([input]);
      const now = Date.now();
      return reply
        .code(job!.duplicate ? 200 : 202)
        .header("location", `/jobs/${job!.id}`)
        .send(submitResponse(job!, job!.duplicate, now));
    },
  );

  app.post(
    "/jobs/batch",
    {
      schema: {
        summary: "Submit up to 1,000 jobs, all or nothing",
        description: SUBMIT_TRACE_NOTE,
        body: SubmitBatchBody,
        response: {
          202: SubmitBatchResponse,
          ...errors,
          413: ErrorResponse,
          415: ErrorResponse,
          429: QuotaErrorResponse,
          503: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      requireRole(request.principal, "admin", "producer");
      const body = request.body as SubmitBatchBody;
      const inputs: JobInput[] = [];
      for (const [i, item] of body.jobs.entries()) {
        inputs.push(await toJobInput(ctx, item, request.principal, `jobs[${i}].`));
      }
      // Every batch submission is a batch (SPEC §8): GET /batches/:id follows it.
      const onComplete = body.batch?.on_complete;
      const batch = newBatch(
        request.principal.tenant,
        onComplete === undefined
          ? null
          : await toJobInput(ctx, onComplete, request.principal, "batch.on_complete."),
        Date.now(),
        "batch.on_complete",
      );
      withRequestTrace(request, inputs);
      const jobs = await ctx.spool.submit(inputs, { batch });
      const now = Date.now();
      return reply.code(202).send({
        batch_id: batch.id,
        jobs: jobs.map((job) => ({
          ...submitResponse(job, job.duplicate, now),
          job: { ...toJobResource(job, now), batch_id: batch.id },
        })),
        count: jobs.length,
      });
    },
  );

  app.get(
    "/jobs/:id",
    {
      schema: {
        summary: "A job, with queue_position, eta_seconds and waiting_reason while it waits",
        params: JobIdParams,
        response: { 200: GetJobResponse, ...readErrors },
      },
    },
    async (request) => {
      requireRole(request.principal, "admin", "producer");
      const job = await visibleJob(ctx, request.principal, (request.params as { id: string }).id);
      const now = Date.now();
      const held = isHeldForDependencies(job); // no start time to estimate yet
      const [estimate, reason, links] = await Promise.all([
        held ? null : ctx.estimator.estimate(job, now),
        readWaitingReason(ctx.store, job, now),
        ctx.store.readJobLinks({ id: job.id }),
      ]);
      const resource = toJobResource(job, now, estimate);
      resource.waiting_reason = reason; // null unless waiting (docs/http-api.md)
      resource.batch_id = links.batchId;
      resource.depends_on = links.dependsOn;
      // `job` repeats the resource for clients that expect an envelope (seed 002's polling loop).
      return { ...resource, job: resource };
    },
  );

  app.get(
    "/jobs",
    {
      schema: {
        summary: "List jobs, newest first",
        querystring: ListJobsQuery,
        response: { 200: ListJobsResponse, ...readErrors },
      },
    },
    async (request) => {
      requireRole(request.principal, "admin", "producer");
      const query = request.query as {
        status?: string;
        queue?: string;
        type?: string;
        tag?: string;
        tenant?: string;
        limit?: number;
        cursor?: string;
        include?: string;
      };
      const include = new Set(query.include?.split(",") ?? []);
      const tenant = visibleTenant(request.principal, query.tenant);
      const page = await ctx.spool.list({
        ...omitUndefined({
          status: query.status,
          queue: query.queue,
          type: query.type,
          tag: query.tag,
          limit: query.limit,
          cursor: query.cursor,
        }),
        ...(tenant === undefined ? {} : { tenant }),
      });
      const now = Date.now();
      return {
        jobs: page.jobs.map((job) => toJobSummary(job, now, include)),
        count: page.jobs.length,
        next_cursor: page.nextCursor,
      };
    },
  );

  const cancel = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    requireRole(request.principal, "admin", "producer");
    const id = knownId((request.params as { id: string }).id);
    const tenant = visibleTenant(request.principal);
    const job = await ctx.spool.cancel(id, tenant === undefined ? {} : { tenant });
    const resource = toJobResource(job, Date.now());
    if (job.status === "cancelled") {
      return reply.code(200).send({
        job_id: job.id,
        status: "cancelled",
        message: `Job ${job.id} cancelled`,
        job: resource,
      });
    }
    return reply.code(202).send({
      job_id: job.id,
      status: job.status,
      cancel_requested: true,
      message: `Cancellation of running job ${job.id} requested`,
      job: resource,
    });
  };
  const cancelSchema = {
    params: JobIdParams,
    response: { 200: CancelJobResponse, 202: CancelJobResponse, ...errors, ...bodyErrors },
  };
  app.delete("/jobs/:id", { schema: { summary: "Cancel a job", ...cancelSchema } }, cancel);
  app.post(
    "/jobs/:id/cancel",
    { schema: { summary: "Cancel a job (alias of DELETE /jobs/:id)", ...cancelSchema } },
    cancel,
  );

  app.post(
    "/jobs/:id/retry",
    {
      schema: {
        summary: "Re-queue a failed or cancelled job (attempts reset)",
        params: JobIdParams,
        response: { 200: SubmitJobResponse, ...errors, ...bodyErrors },
      },
    },
    async (request) => {
      requireRole(request.principal, "admin", "producer");
      const id = knownId((request.params as { id: string }).id);
      const tenant = visibleTenant(request.principal);
      const job = await ctx.spool.retry(id, tenant === undefined ? {} : { tenant });
      return submitResponse(job, false, Date.now());
    },
  );
}

/** A job the principal may see, or 404. */
export async function visibleJob(
  ctx: AppContext,
  principal: Principal,
  id: string,
): Promise<JobRecord> {
  const tenant = principal.role === "admin" ? undefined : principal.tenant;
  const job = await ctx.spool.get(knownId(id), tenant === undefined ? {} : { tenant });
  if (job === null) throw new SpoolNotFoundError("job", id);
  return job;
}

/** A syntactically valid id; anything else is an unknown job (404), like an id nobody owns. */
export function knownId(id: string): string {
  if (!isUuid(id)) throw new SpoolNotFoundError("job", String(id).slice(0, 100));
  return id.toLowerCase();
}

function submitResponse(job: JobRecord, duplicate: boolean, now: number): Record<string, unknown> {
  return { job_id: job.id, status: job.status, duplicate, job: toJobResource(job, now) };
}

/** Turns an HTTP submission into a validated job input (field names in errors are snake_case). */
async function toJobInput(
  ctx: AppContext,
  body: SubmitJobBody,
  principal: Principal,
  prefix: string,
  idempotencyKey?: string,
): Promise<JobInput> {
  if (body.payload !== undefined && body.parameters !== undefined) {
    throw new SpoolValidationError(
      `${prefix}parameters`,
      "cannot be combined with payload (it is an alias)",
    );
  }
  if (body.run_at !== undefined && body.delay_seconds !== undefined) {
    // Checked here so the message names the HTTP fields, not the library's `runAt`.
    throw new SpoolValidationError(`${prefix}delay_seconds`, "cannot be combined with run_at");
  }
  const payload = (body.payload ?? body.parameters ?? {}) as JsonObject;
  const options: EnqueueOptions = { tenant: principal.tenant };
  if (body.queue !== undefined) options.queue = body.queue;
  if (body.priority !== undefined) options.priority = body.priority;
  if (body.max_attempts !== undefined) options.maxAttempts = body.max_attempts;
  if (body.tags !== undefined) options.tags = body.tags;
  if (body.webhook_url !== undefined) options.webhookUrl = body.webhook_url;
  if (body.concurrency_key !== undefined) options.concurrencyKey = body.concurrency_key;
  const uniqueKey = body.unique_key ?? idempotencyKey;
  if (uniqueKey !== undefined) options.uniqueKey = uniqueKey;
  if (body.run_at !== undefined) options.runAt = parseTimestamp(body.run_at, `${prefix}run_at`);
  if (body.delay_seconds !== undefined) {
    options.delay = secondsToMs(body.delay_seconds, `${prefix}delay_seconds`, 0, MAX_DELAY_MS);
  }
  if (body.timeout_seconds !== undefined) {
    options.timeout = secondsToMs(
      body.timeout_seconds,
      `${prefix}timeout_seconds`,
      1,
      MAX_TIMEOUT_MS,
    );
  }
  if (body.depends_on !== undefined) {
    if (body.run_at !== undefined || body.delay_seconds !== undefined) {
      throw new SpoolValidationError(
        `${prefix}depends_on`,
        "cannot be combined with run_at or delay_seconds",
      );
    }
    options.dependsOn = body.depends_on;
  }
  const checked = await withPrefix(prefix, () =>
    ctx.submissionHook === undefined
      ? Promise.resolve(options)
      : ctx.submissionHook(body.type, payload, options),
  );
  const input = ctx.spool.validate(body.type, payload, checked, prefix);
  if (input.webhookUrl !== null)
    await ctx.webhookGuard.checkUrl(input.webhookUrl, `${prefix}webhook_url`);
  // Errors about parents (unknown id, later item) name the HTTP field.
  return input.dependsOn === undefined
    ? input
    : { ...input, dependsOnField: `${prefix}depends_on` };
}

/** Runs a submission hook, naming its fields inside the batch item (`jobs[3].payload.x`). */
async function withPrefix<T>(prefix: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (prefix !== "" && error instanceof SpoolValidationError) {
      throw new SpoolValidationError(
        `${prefix}${error.field}`,
        String(error.details?.reason ?? error.message),
      );
    }
    throw error;
  }
}

/** Seconds (fractions allowed) to whole ms, within [minMs, maxMs]. */
export function secondsToMs(seconds: number, field: string, minMs: number, maxMs: number): number {
  const ms = Math.round(seconds * 1000);
  if (!Number.isFinite(ms) || ms < minMs || ms > maxMs) {
    throw new SpoolValidationError(
      field,
      `must be between ${minMs / 1000} and ${maxMs / 1000} seconds`,
    );
  }
  return ms;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === "" ? undefined : text;
}

function omitUndefined<T extends Record<string, unknown>>(
  value: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
