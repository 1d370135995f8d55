/**
 * Job log routes (SPEC §8 "Job logs"): `GET /jobs/:id/logs` (producers read their own tenant's
 * jobs; another tenant's job answers 404) and `POST /jobs/:id/logs` for remote workers, fenced
 * by the lease token like heartbeat and complete (a stale token answers 409 and writes
 * nothing).
 */
import { LeaseLostError, SpoolNotFoundError } from "../../core/errors.js";
import { MAX_LOG_LINES_PER_JOB } from "../../core/limits.js";
import type { AppContext } from "../app-context.js";
import type { ZodApp } from "../zod-app.js";
import { requireQueueAccess, requireRole } from "../auth.js";
import {
  AppendLogsBody,
  AppendLogsResponse,
  ErrorResponse,
  JobIdParams,
  JobLogsQuery,
  JobLogsResponse,
} from "../contracts.js";
import { knownId, omitUndefined, visibleJob } from "../route-helpers.js";

const readErrors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  503: ErrorResponse,
};
const writeErrors = { ...readErrors, 409: ErrorResponse, 413: ErrorResponse, 415: ErrorResponse };

/** Registers the job log routes. */
export function registerJobLogRoutes(app: ZodApp, ctx: AppContext): void {
  registerReadRoute(app, ctx);
  registerAppendRoute(app, ctx);
}

function registerReadRoute(app: ZodApp, ctx: AppContext): void {
  app.get(
    "/jobs/:id/logs",
    {
      schema: {
        summary: "A job's log lines, oldest first (per attempt with ?attempt=, paged by ?after=)",
        params: JobIdParams,
        querystring: JobLogsQuery,
        response: { 200: JobLogsResponse, ...readErrors },
      },
    },
    async (request) => {
      const principal = request.principal;
      requireRole(principal, "admin", "producer");
      const id = knownId(request.params.id);
      const page = await ctx.spool.logs(id, {
        ...omitUndefined(request.query),
        ...(principal.role === "admin" ? {} : { tenant: principal.tenant }),
      });
      if (page === null) throw new SpoolNotFoundError("job", id);
      return {
        job_id: id,
        lines: page.lines.map((line) => ({
          seq: line.seq,
          attempt: line.attempt,
          level: line.level,
          message: line.message,
          at: line.at.toISOString(),
        })),
        dropped_lines: page.droppedLines,
        next_after: page.nextAfter,
        has_more: page.hasMore,
      };
    },
  );
}

function registerAppendRoute(app: ZodApp, ctx: AppContext): void {
  app.post(
    "/jobs/:id/logs",
    {
      schema: {
        summary: "Append log lines to the attempt holding the lease (remote workers)",
        params: JobIdParams,
        body: AppendLogsBody,
        response: { 200: AppendLogsResponse, ...writeErrors },
      },
    },
    async (request) => {
      requireRole(request.principal, "admin", "worker");
      const job = await visibleJob(ctx, request.principal, request.params.id);
      requireQueueAccess(request.principal, job.queue);
      const body = request.body;
      const now = ctx.spool.now();
      const lines = body.lines.map((line) =>
        typeof line === "string"
          ? { message: line, level: "info" as const, at: now }
          : { message: line.message, level: line.level ?? "info", at: now },
      );
      const [outcome] = await ctx.spool.remoteWorkers.appendJobLogs({
        entries: [{ id: job.id, leaseToken: body.lease_token, lines }],
        keepLines: MAX_LOG_LINES_PER_JOB,
        now,
      });
      if (!outcome?.ok) throw new LeaseLostError(job.id);
      return { job_id: job.id, accepted: lines.length, last_seq: outcome.lastSeq };
    },
  );
}
