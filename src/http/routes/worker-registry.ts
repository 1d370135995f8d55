/**
 * `GET /workers`: the live workers (SPEC §6 "Workers are visible"). Admins see every worker; a
 * worker key sees the workers of its own tenant (itself and its peers); producers get 403.
 */
import type { WorkerPresence } from "../../core/worker-presence.js";
import type { AppContext } from "../app-context.js";
import type { ZodApp } from "../zod-app.js";
import { requireRole } from "../auth.js";
import {
  ErrorResponse,
  ListWorkersQuery,
  ListWorkersResponse,
  type WorkerResource,
} from "../contracts.js";

/** The worker resource (snake_case, ISO-8601 times). */
export function toWorkerResource(worker: WorkerPresence): WorkerResource {
  return {
    id: worker.id,
    name: worker.name,
    host: worker.host,
    pid: worker.pid,
    kind: worker.kind,
    tenant: worker.tenant,
    queues: worker.queues,
    types: worker.types,
    concurrency: worker.concurrency,
    running: worker.running,
    version: worker.version,
    started_at: worker.startedAt.toISOString(),
    last_seen_at: worker.lastSeenAt.toISOString(),
    stale_after_seconds: worker.staleAfterMs / 1000,
  };
}

/** Registers `GET /workers`. */
export function registerWorkerRegistryRoutes(app: ZodApp, ctx: AppContext): void {
  app.get(
    "/workers",
    {
      schema: {
        summary: "Live workers (admin; a worker key sees its own tenant's)",
        querystring: ListWorkersQuery,
        response: {
          200: ListWorkersResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
        },
      },
    },
    async (request) => {
      const principal = request.principal;
      requireRole(principal, "admin", "worker");
      const workers = await ctx.spool.workers(
        principal.role === "worker" ? { tenant: principal.tenant } : {},
      );
      return { workers: workers.map(toWorkerResource) };
    },
  );
}
