/**
 * Remote-worker routes: claim (long-polling; only the job `types` the worker names), heartbeat,
 * complete, fail — every report fenced by the lease token (a stale token answers 409). Worker
 * keys are scoped to their tenant and, optionally, to a list of queues.
 */
import { assertClaimTypes } from "../../core/claim-types.js";
import { LeaseLostError } from "../../core/errors.js";
import type { FastifyRequest } from "fastify";
import type { z } from "zod";
import type { JobErrorEntry, JobRecord } from "../../core/job.js";
import {
  DEFAULT_LEASE_MS,
  assertQueueName,
  encodeResult,
  validateProgress,
} from "../../core/options.js";
import type { AppContext } from "../app-context.js";
import type { ZodApp } from "../zod-app.js";
import { requireQueueAccess, requireRole, type Principal } from "../auth.js";
import {
  ClaimBody,
  ClaimResponse,
  CompleteBody,
  CompleteResponse,
  ErrorResponse,
  FailBody,
  FailResponse,
  HeartbeatBody,
  HeartbeatResponse,
  JobIdParams,
  QueueNameParams,
} from "../contracts.js";
import type { RemoteClaim } from "../remote-workers.js";
import { toClaimedJobResource } from "../serialize.js";
import { REPORT_TRACE_NOTE, requestTraceContext } from "../trace-headers.js";
import { parentContextOf, recordClaimSpans, traceSettle } from "../../worker/tracing.js";
import type { Context } from "@opentelemetry/api";
import { secondsToMs, visibleJob } from "../route-helpers.js";

const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  409: ErrorResponse,
  413: ErrorResponse,
  415: ErrorResponse,
  503: ErrorResponse,
};

/** Registers the remote-worker routes. */
export function registerWorkerRoutes(app: ZodApp, ctx: AppContext): void {
  registerClaimRoute(app, ctx);
  registerHeartbeatRoute(app, ctx);
  registerCompleteRoute(app, ctx);
  registerFailRoute(app, ctx);
}

/** POST /queues/:name/claim. */
function registerClaimRoute(app: ZodApp, ctx: AppContext): void {
  app.post(
    "/queues/:name/claim",
    {
      schema: {
        summary: "Claim jobs (long-polls up to wait_seconds)",
        params: QueueNameParams,
        body: ClaimBody,
        response: { 200: ClaimResponse, ...errors },
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      requireRole(principal, "admin", "worker");
      const queue = request.params.name;
      assertQueueName(queue, "name");
      requireQueueAccess(principal, queue);
      const body = request.body;
      if (body.types !== undefined) assertClaimTypes(body.types, "types");
      const leaseMs = secondsToMs(
        body.lease_seconds ?? DEFAULT_LEASE_MS / 1000,
        "lease_seconds",
        1_000,
        3_600_000,
      );
      const claim = remoteClaim(request, body, queue, leaseMs);
      await ctx.remoteWorkers.onClaim(principal, claim, ctx.spool.now());
      const gone = new AbortController();
      // The response closing before we answer means the client went away (the request's own
      // 'close' fires as soon as its body has been read, so it cannot tell us that).
      reply.raw.once("close", () => gone.abort());
      const stop = AbortSignal.any([gone.signal, ctx.closing]);
      return { jobs: await claimUntilDeadline(ctx, principal, body, claim, stop) };
    },
  );
}

/** Claims until a job comes or `wait_seconds` pass, waiting for hints in between (no polling). */
async function claimUntilDeadline(
  ctx: AppContext,
  principal: Principal,
  body: z.infer<typeof ClaimBody>,
  claim: RemoteClaim,
  stop: AbortSignal,
): Promise<z.infer<typeof ClaimResponse>["jobs"]> {
  const deadline = ctx.spool.now() + (body.wait_seconds ?? 0) * 1000;
  for (;;) {
    // A client that went away must not be handed jobs it will never run.
    if (stop.aborted) return [];
    const started = performance.now();
    const jobs = await ctx.spool.remoteWorkers.claimJobs({
      queues: [claim.queue],
      workerId: body.worker,
      limit: claim.maxJobs,
      leaseMs: claim.leaseMs,
      ...tenantScope(principal),
      ...(body.types === undefined ? {} : { types: body.types }),
    });
    if (jobs.length > 0 || ctx.spool.now() >= deadline) {
      // One read for the whole claim: the parents' results of jobs that have parents.
      const parents = await ctx.spool.remoteWorkers.parentResults(jobs);
      recordClaimSpans(jobs, started, body.worker);
      const now = ctx.spool.now();
      return jobs.map((job) => ({
        ...toClaimedJobResource(job, now),
        parent_results: parents.get(job.id) ?? [],
      }));
    }
    await ctx.claims.wait(claim.queue, deadline - ctx.spool.now(), stop);
  }
}

/** POST /jobs/:id/heartbeat. */
function registerHeartbeatRoute(app: ZodApp, ctx: AppContext): void {
  app.post(
    "/jobs/:id/heartbeat",
    {
      schema: {
        summary: "Extend a lease and report progress",
        params: JobIdParams,
        body: HeartbeatBody,
        response: { 200: HeartbeatResponse, ...errors },
      },
    },
    async (request) => {
      const job = await reportedJob(ctx, request.principal, request.params.id);
      const body = request.body;
      const lease: {
        id: string;
        leaseToken: string;
        progress?: number;
        progressMessage?: string | null;
      } = { id: job.id, leaseToken: body.lease_token };
      if (body.progress !== undefined || body.progress_message !== undefined) {
        const checked = validateProgress(body.progress ?? job.progress, body.progress_message);
        lease.progress = checked.progress;
        if (body.progress_message !== undefined) lease.progressMessage = checked.message;
      }
      // Without lease_seconds a heartbeat renews by the period the claim asked for: a worker
      // that claimed 120 s leases and beats every 60 s must not drop to the 30 s default.
      const leaseMs =
        body.lease_seconds === undefined
          ? (ctx.remoteWorkers.claimLeaseMs(request.principal, job) ?? DEFAULT_LEASE_MS)
          : secondsToMs(body.lease_seconds, "lease_seconds", 1_000, 3_600_000);
      const [outcome] = await ctx.spool.remoteWorkers.extendLeases({ leases: [lease], leaseMs });
      if (!outcome?.ok) throw new LeaseLostError(job.id);
      await ctx.remoteWorkers.onHeartbeat(request.principal, job, ctx.spool.now());
      return {
        job_id: job.id,
        lease_expires_at: outcome.leaseExpiresAt.toISOString(),
        cancel_requested: outcome.cancelRequested,
      };
    },
  );
}

/** POST /jobs/:id/complete. */
function registerCompleteRoute(app: ZodApp, ctx: AppContext): void {
  app.post(
    "/jobs/:id/complete",
    {
      schema: {
        summary: "Record a successful attempt",
        description: REPORT_TRACE_NOTE,
        params: JobIdParams,
        body: CompleteBody,
        response: { 200: CompleteResponse, ...errors },
      },
    },
    async (request) => {
      const job = await reportedJob(ctx, request.principal, request.params.id);
      const body = request.body;
      const resultJson = encodeResult(body.result, ctx.maxResultBytes);
      return traceSettle(job, "complete", reportParent(request, job), async () => {
        const [outcome] = await ctx.spool.remoteWorkers.completeJobs({
          completions: [{ id: job.id, leaseToken: body.lease_token, resultJson }],
        });
        if (!outcome?.ok) throw new LeaseLostError(job.id);
        return { job_id: job.id, status: outcome.status };
      });
    },
  );
}

/** POST /jobs/:id/fail. */
function registerFailRoute(app: ZodApp, ctx: AppContext): void {
  app.post(
    "/jobs/:id/fail",
    {
      schema: {
        summary: "Record a failed attempt (retried with backoff unless retryable is false)",
        description: REPORT_TRACE_NOTE,
        params: JobIdParams,
        body: FailBody,
        response: { 200: FailResponse, ...errors },
      },
    },
    async (request) => {
      const job = await reportedJob(ctx, request.principal, request.params.id);
      const body = request.body;
      const error: Omit<JobErrorEntry, "at"> = {
        message: body.error.message,
        type: body.error.type ?? "Error",
        attempt: job.attempt,
      };
      const failure = {
        job,
        leaseToken: body.lease_token,
        error,
        retryable: body.retryable ?? true,
      };
      const recorded = await traceSettle(job, "fail", reportParent(request, job), () =>
        ctx.spool.remoteWorkers.failJob(failure),
      );
      return { job_id: job.id, status: recorded.status, run_at: recorded.runAt.toISOString() };
    },
  );
}

/** The job a worker reports on: a worker or admin key, the job visible to it, its queue allowed. */
async function reportedJob(ctx: AppContext, principal: Principal, id: string): Promise<JobRecord> {
  requireRole(principal, "admin", "worker");
  const job = await visibleJob(ctx, principal, id);
  requireQueueAccess(principal, job.queue);
  return job;
}

/**
 * The parent of a remote worker's `settle` span: its attempt's span when it sent `traceparent`,
 * else the job's own trace.
 */
function reportParent(request: FastifyRequest, job: JobRecord): Context {
  return parentContextOf(requestTraceContext(request) ?? job.traceContext);
}

/** What a claim call says about its worker, for the registry (`types` read when present). */
function remoteClaim(
  request: FastifyRequest,
  body: z.infer<typeof ClaimBody>,
  queue: string,
  leaseMs: number,
): RemoteClaim {
  return {
    name: body.worker,
    queue,
    types: body.types,
    maxJobs: body.max_jobs ?? 1,
    leaseMs,
    host: request.ip,
    userAgent: request.headers["user-agent"],
  };
}

/** Worker keys claim only their tenant's jobs; admins claim any. */
function tenantScope(principal: Principal): { tenant?: string } {
  return principal.role === "worker" ? { tenant: principal.tenant } : {};
}
