/**
 * `POST /jobs/bulk`: cancel or retry many jobs — exactly the given `ids`, or every job matching
 * a filter. A filter is worked through one batch per call (default 200 jobs, newest first, the
 * order of `GET /jobs`); the answer says what the batch did and carries `next_cursor` until the
 * filter is exhausted, so a client shows progress and can stop, and no call holds the store for
 * long. Tenant-scoped like every route: a producer acts on its own tenant's jobs only (other
 * tenants' ids count as skipped, as if unknown).
 */
import { SpoolConflictError, SpoolError, SpoolNotFoundError } from "../../core/errors.js";
import type { JobRecord } from "../../core/job.js";
import type { AppContext } from "../app-context.js";
import type { ZodApp } from "../zod-app.js";
import { requireRole, visibleTenant } from "../auth.js";
import { BulkJobsBody, BulkJobsResponse, ErrorResponse } from "../contracts.js";
import type { z } from "zod";
import { isUuid } from "../../core/ids.js";
import { errorBody } from "../route-helpers.js";

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };
const DEFAULT_BATCH = 200;
const MAX_REPORTED_ERRORS = 20;

type Body = z.infer<typeof BulkJobsBody>;
type Answer = z.infer<typeof BulkJobsResponse>;

/** Registers `POST /jobs/bulk`. */
export function registerBulkRoutes(app: ZodApp, ctx: AppContext): void {
  app.post(
    "/jobs/bulk",
    {
      schema: {
        summary: "Cancel or retry many jobs: `ids`, or a filter one batch per call",
        body: BulkJobsBody,
        response: { 200: BulkJobsResponse, ...errors },
      },
    },
    async (request, reply) => {
      requireRole(request.principal, "admin", "producer");
      const body = request.body;
      if ((body.ids === undefined) === (body.filter === undefined)) {
        return reply.code(400).send(
          errorBody("validation_error", "give exactly one of ids or filter", {
            field: body.ids === undefined ? "filter" : "ids",
          }),
        );
      }
      const tenant = visibleTenant(request.principal, body.filter?.tenant);
      const scope = tenant === undefined ? {} : { tenant };
      if (body.ids !== undefined) {
        return { ...(await act(ctx, body.action, body.ids, scope)), next_cursor: null, done: true };
      }
      const { tenant: _ignored, ...filter } = body.filter!;
      const page = await ctx.spool.list({
        ...withoutUndefined(filter),
        ...scope,
        limit: body.limit ?? DEFAULT_BATCH,
        ...(body.cursor === undefined ? {} : { cursor: body.cursor }),
      });
      const ids = page.jobs.filter((job) => applies(body.action, job)).map((job) => job.id);
      const answer = await act(ctx, body.action, ids, scope);
      const notApplicable = page.jobs.length - ids.length;
      return {
        ...answer,
        processed: answer.processed + notApplicable,
        skipped: answer.skipped + notApplicable,
        next_cursor: page.nextCursor,
        done: page.nextCursor === null,
      };
    },
  );
}

/** Whether the action can apply to a job in its current state (others are skipped unread). */
function applies(action: Body["action"], job: JobRecord): boolean {
  if (action === "retry") return job.status === "failed" || job.status === "cancelled";
  return job.status !== "completed" && job.status !== "failed" && job.status !== "cancelled";
}

async function act(
  ctx: AppContext,
  action: Body["action"],
  ids: readonly string[],
  scope: { tenant?: string },
): Promise<Omit<Answer, "next_cursor" | "done">> {
  const answer: Omit<Answer, "next_cursor" | "done"> = {
    action,
    processed: 0,
    succeeded: 0,
    skipped: 0,
    errors: [],
  };
  for (const id of ids) {
    answer.processed += 1;
    if (!isUuid(id)) {
      answer.skipped += 1;
      continue;
    }
    try {
      if (action === "cancel") await ctx.spool.cancel(id.toLowerCase(), scope);
      else await ctx.spool.retry(id.toLowerCase(), scope);
      answer.succeeded += 1;
    } catch (error) {
      // A job that changed state meanwhile, or is not the caller's, is skipped, not an error.
      if (error instanceof SpoolConflictError || error instanceof SpoolNotFoundError) {
        answer.skipped += 1;
      } else if (error instanceof SpoolError) {
        answer.skipped += 1;
        if (answer.errors.length < MAX_REPORTED_ERRORS)
          answer.errors.push({ job_id: id, code: error.code, message: error.message });
      } else {
        throw error;
      }
    }
  }
  return answer;
}

function withoutUndefined(value: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
