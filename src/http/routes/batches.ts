/**
 * GET /batches/:id (SPEC §8 "Batches"): a batch's jobs counted by state, its progress and its
 * `on_complete` job. Tenant-isolated like jobs: another tenant's batch answers 404, exactly like
 * an unknown one.
 */
import { SpoolNotFoundError } from "../../core/errors.js";
import type { BatchRecord } from "../../core/flows.js";
import { isUuid } from "../../core/ids.js";
import type { AppContext } from "../app-context.js";
import type { ZodApp } from "../zod-app.js";
import { requireRole, visibleTenant } from "../auth.js";
import { BatchIdParams, BatchResource, ErrorResponse } from "../contracts.js";

/** Registers the batch routes. */
export function registerBatchRoutes(app: ZodApp, ctx: AppContext): void {
  app.get(
    "/batches/:id",
    {
      schema: {
        summary: "A batch: its jobs by state, progress and on_complete job",
        params: BatchIdParams,
        response: {
          200: BatchResource,
          401: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
          503: ErrorResponse,
        },
      },
    },
    async (request) => {
      requireRole(request.principal, "admin", "producer");
      const { id } = request.params;
      const tenant = visibleTenant(request.principal);
      const batch = isUuid(id)
        ? await ctx.spool.getBatch(id, tenant === undefined ? {} : { tenant })
        : null;
      if (batch === null) throw new SpoolNotFoundError("batch", id.slice(0, 100));
      return toBatchResource(batch);
    },
  );
}

/** The batch resource (snake_case, ISO-8601 UTC timestamps). */
export function toBatchResource(batch: BatchRecord): BatchResource {
  return {
    batch_id: batch.id,
    tenant: batch.tenant,
    total: batch.total,
    counts: batch.counts,
    finished: batch.finished,
    progress: batch.progress,
    created_at: batch.createdAt.toISOString(),
    finished_at: batch.finishedAt?.toISOString() ?? null,
    on_complete_job_id: batch.onCompleteJobId,
  };
}
