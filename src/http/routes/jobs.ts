/**
 * Producer routes: submit (one or a batch), read, list, cancel and retry jobs. A job of another
 * tenant answers 404 exactly like an unknown one (never 403).
 */
import type { JobRecord } from "../../core/job.js";
import type { JobInput } from "../../core/options.js";
import type { AppContext } from "../app-context.js";
import type { ZodApp } from "../zod-app.js";
import { requireRole, visibleTenant } from "../auth.js";
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
import { isHeldForDependencies } from "../../core/flows.js";
import { newBatch } from "../../spool-flows.js";
import { toJobInput } from "../job-input.js";
import { headerValue, knownId, omitUndefined, visibleJob } from "../route-helpers.js";

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
  registerSubmitRoute(app, ctx);
  registerSubmitBatchRoute(app, ctx);
  registerGetJobRoute(app, ctx);
  registerListJobsRoute(app, ctx);
  registerCancelRoutes(app, ctx);
  registerRetryRoute(app, ctx);
}

/** POST /jobs. */
function registerSubmitRoute(app: ZodApp, ctx: AppContext): void {
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
      const input = await toJobInput(ctx, request.body, request.principal, "", idempotencyKey);
      withRequestTrace(request, [input]);
      const [job] = await ctx.spool.submit([input]);
      const now = ctx.spool.now();
      return reply
        .code(job!.duplicate ? 200 : 202)
        .header("location", `/jobs/${job!.id}`)
        .send(submitResponse(job!, job!.duplicate, now));
    },
  );
}

/** POST /jobs/batch. */
function registerSubmitBatchRoute(app: ZodApp, ctx: AppContext): void {
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
      const body = request.body;
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
        ctx.spool.now(),
        "batch.on_complete",
      );
      withRequestTrace(request, inputs);
      const jobs = await ctx.spool.submit(inputs, { batch });
      const now = ctx.spool.now();
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
}

/** GET /jobs/:id. */
function registerGetJobRoute(app: ZodApp, ctx: AppContext): void {
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
      const job = await visibleJob(ctx, request.principal, request.params.id);
      const now = ctx.spool.now();
      const held = isHeldForDependencies(job); // no start time to estimate yet
      const [estimate, reason, links] = await Promise.all([
        held ? null : ctx.estimator.estimate(job, now),
        ctx.spool.admin.waitingReasonOf(job, now),
        ctx.spool.admin.jobLinks(job.id),
      ]);
      const resource = toJobResource(job, now, estimate);
      resource.waiting_reason = reason; // null unless waiting (docs/http-api.md)
      resource.batch_id = links.batchId;
      resource.depends_on = links.dependsOn;
      // `job` repeats the resource for clients that expect an envelope (seed 002's polling loop).
      return { ...resource, job: resource };
    },
  );
}

/** GET /jobs. */
function registerListJobsRoute(app: ZodApp, ctx: AppContext): void {
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
      const query = request.query;
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
      const now = ctx.spool.now();
      return {
        jobs: page.jobs.map((job) => toJobSummary(job, now, include)),
        count: page.jobs.length,
        next_cursor: page.nextCursor,
      };
    },
  );
}

/** DELETE /jobs/:id and its alias POST /jobs/:id/cancel. */
function registerCancelRoutes(app: ZodApp, ctx: AppContext): void {
  const routes = [
    ["DELETE", "/jobs/:id", "Cancel a job"],
    ["POST", "/jobs/:id/cancel", "Cancel a job (alias of DELETE /jobs/:id)"],
  ] as const;
  for (const [method, url, summary] of routes) {
    app.route({
      method,
      url,
      schema: {
        summary,
        params: JobIdParams,
        response: { 200: CancelJobResponse, 202: CancelJobResponse, ...errors, ...bodyErrors },
      },
      handler: async (request, reply) => {
        requireRole(request.principal, "admin", "producer");
        const id = knownId(request.params.id);
        const tenant = visibleTenant(request.principal);
        const job = await ctx.spool.cancel(id, tenant === undefined ? {} : { tenant });
        const resource = toJobResource(job, ctx.spool.now());
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
      },
    });
  }
}

/** POST /jobs/:id/retry. */
function registerRetryRoute(app: ZodApp, ctx: AppContext): void {
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
      const id = knownId(request.params.id);
      const tenant = visibleTenant(request.principal);
      const job = await ctx.spool.retry(id, tenant === undefined ? {} : { tenant });
      return submitResponse(job, false, ctx.spool.now());
    },
  );
}

function submitResponse(
  job: JobRecord,
  duplicate: boolean,
  now: number,
): { job_id: string; status: JobRecord["status"]; duplicate: boolean; job: JobResource } {
  return { job_id: job.id, status: job.status, duplicate, job: toJobResource(job, now) };
}

type JobResource = ReturnType<typeof toJobResource>;
