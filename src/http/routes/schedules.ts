/**
 * Cron schedule routes (SPEC §8): `PUT /schedules/:name` creates (201) or replaces (200),
 * `GET /schedules`, `GET /schedules/:name`, `DELETE /schedules/:name`, and
 * `POST /schedules/:name/pause` / `resume`. Admins and producers may use them; a producer works
 * in its own tenant only, and another tenant's schedule answers 404 (names are per tenant, so
 * nothing about another tenant's schedules can be learnt). Admins act in their own tenant
 * unless `?tenant=` names another; `GET /schedules` shows them every tenant's.
 */
import { SpoolNotFoundError, SpoolValidationError } from "../../core/errors.js";
import type { JsonObject } from "../../core/json.js";
import type { EnqueueOptions } from "../../core/options.js";
import type { ScheduleOptions, ScheduleRecord } from "../../core/schedule.js";
import type { SavedSchedule } from "../../spool-schedules.js";
import type { AppContext } from "../app-context.js";
import type { ZodApp } from "../zod-app.js";
import { requireRole, visibleTenant, type Principal } from "../auth.js";
import { ErrorResponse } from "../contracts.js";
import {
  DeleteScheduleResponse,
  ListSchedulesResponse,
  PutScheduleBody,
  PutScheduleResponse,
  ScheduleNameParams,
  ScheduleResource,
  ScheduleTenantQuery,
} from "../schedule-contracts.js";
import { secondsToMs } from "../route-helpers.js";
import { MAX_TIMEOUT_MS } from "../../core/limits.js";

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 503: ErrorResponse };
const bodyErrors = { 413: ErrorResponse, 415: ErrorResponse };
const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

/** The schedule as the API shows it. */
export function toScheduleResource(s: ScheduleRecord): ScheduleResource {
  return {
    name: s.name,
    tenant: s.tenant,
    cron: s.cron,
    timezone: s.timezone,
    type: s.type,
    queue: s.queue,
    payload: s.payload,
    options: {
      priority: s.options.priority,
      max_attempts: s.options.maxAttempts,
      timeout_seconds: s.options.timeout === null ? null : s.options.timeout / 1000,
      tags: s.options.tags,
      webhook_url: s.options.webhookUrl,
    },
    paused: s.paused,
    next_run_at: iso(s.nextRunAt),
    last_run_at: iso(s.lastRunAt),
    last_job_id: s.lastJobId,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
  };
}

/** Library option names → the HTTP body's, for 400s that name the field as sent. */
const HTTP_FIELDS: Record<string, string> = {
  priority: "options.priority",
  maxAttempts: "options.max_attempts",
  timeout: "options.timeout_seconds",
  tags: "options.tags",
  webhookUrl: "options.webhook_url",
};

/** The tenant a by-name call acts in: a producer's own, an admin's own or `?tenant=`. */
function tenantFor(principal: Principal, query: { tenant?: string | undefined }): string {
  const requested = query.tenant;
  return visibleTenant(principal, requested) ?? principal.tenant;
}

const byName = { params: ScheduleNameParams, querystring: ScheduleTenantQuery };

/** Registers the schedule routes. */
export function registerScheduleRoutes(app: ZodApp, ctx: AppContext): void {
  registerScheduleWrites(app, ctx);
  registerScheduleReads(app, ctx);
  registerScheduleControl(app, ctx);
}

/** PUT and DELETE /schedules/:name. */
function registerScheduleWrites(app: ZodApp, ctx: AppContext): void {
  app.put(
    "/schedules/:name",
    {
      schema: {
        summary: "Create (201) or replace (200) a cron schedule",
        ...byName,
        body: PutScheduleBody,
        response: { 200: PutScheduleResponse, 201: PutScheduleResponse, ...errors, ...bodyErrors },
      },
    },
    async (request, reply) => {
      requireRole(request.principal, "admin", "producer");
      const { name } = request.params;
      const tenant = tenantFor(request.principal, request.query);
      const saved = await putSchedule(ctx, name, tenant, request.body);
      const { created, ...schedule } = saved;
      return reply.code(created ? 201 : 200).send({ ...toScheduleResource(schedule), created });
    },
  );

  app.delete(
    "/schedules/:name",
    {
      schema: {
        summary: "Delete a cron schedule (jobs it enqueued stay)",
        ...byName,
        response: { 200: DeleteScheduleResponse, ...errors, 404: ErrorResponse },
      },
    },
    async (request) => {
      requireRole(request.principal, "admin", "producer");
      const { name } = request.params;
      const tenant = tenantFor(request.principal, request.query);
      if (!(await ctx.spool.unschedule(name, { tenant })))
        throw new SpoolNotFoundError("schedule", name);
      return { name, deleted: true as const };
    },
  );
}

/** POST /schedules/:name/pause and /resume. */
function registerScheduleControl(app: ZodApp, ctx: AppContext): void {
  for (const action of ["pause", "resume"] as const) {
    app.post(
      `/schedules/:name/${action}`,
      {
        schema: {
          summary:
            action === "pause"
              ? "Pause a cron schedule (no ticks are enqueued)"
              : "Resume a cron schedule from its first tick after now",
          ...byName,
          response: { 200: ScheduleResource, ...errors, 404: ErrorResponse },
        },
      },
      async (request) => {
        requireRole(request.principal, "admin", "producer");
        const { name } = request.params;
        const tenant = tenantFor(request.principal, request.query);
        const schedule =
          action === "pause"
            ? await ctx.spool.pauseSchedule(name, { tenant })
            : await ctx.spool.resumeSchedule(name, { tenant });
        return toScheduleResource(schedule);
      },
    );
  }
}

/** GET /schedules and GET /schedules/:name. */
function registerScheduleReads(app: ZodApp, ctx: AppContext): void {
  app.get(
    "/schedules",
    {
      schema: {
        summary: "Cron schedules with their next and last run (admins: every tenant's)",
        querystring: ScheduleTenantQuery,
        response: { 200: ListSchedulesResponse, ...errors },
      },
    },
    async (request) => {
      requireRole(request.principal, "admin", "producer");
      const tenant = visibleTenant(request.principal, request.query.tenant);
      const schedules = await ctx.spool.schedules(tenant === undefined ? {} : { tenant });
      return { schedules: schedules.map(toScheduleResource), count: schedules.length };
    },
  );

  app.get(
    "/schedules/:name",
    {
      schema: {
        summary: "One cron schedule",
        ...byName,
        response: { 200: ScheduleResource, ...errors, 404: ErrorResponse },
      },
    },
    async (request) => {
      requireRole(request.principal, "admin", "producer");
      const { name } = request.params;
      const tenant = tenantFor(request.principal, request.query);
      const schedule = await ctx.spool.getSchedule(name, { tenant });
      if (schedule === null) throw new SpoolNotFoundError("schedule", name);
      return toScheduleResource(schedule);
    },
  );
}

/** Validates a PUT body (the type's payload schema included) and saves the schedule. */
async function putSchedule(
  ctx: AppContext,
  name: string,
  tenant: string,
  body: PutScheduleBody,
): Promise<SavedSchedule> {
  if (body.payload !== undefined && body.parameters !== undefined)
    throw new SpoolValidationError(
      "parameters",
      "cannot be combined with payload (it is an alias)",
    );
  const payload = (body.payload ?? body.parameters ?? {}) as JsonObject;
  const o = body.options ?? {};
  let options: EnqueueOptions = { tenant };
  if (body.queue !== undefined) options.queue = body.queue;
  if (o.priority !== undefined) options.priority = o.priority;
  if (o.max_attempts !== undefined) options.maxAttempts = o.max_attempts;
  if (o.tags !== undefined) options.tags = o.tags;
  if (o.webhook_url !== undefined) options.webhookUrl = o.webhook_url;
  if (o.timeout_seconds !== undefined)
    options.timeout = secondsToMs(o.timeout_seconds, "options.timeout_seconds", 1, MAX_TIMEOUT_MS);
  if (ctx.submissionHook !== undefined)
    options = await ctx.submissionHook(body.type, payload, options);
  const scheduleOptions: ScheduleOptions = {
    ...options,
    ...(body.timezone === undefined ? {} : { timezone: body.timezone }),
  };
  try {
    return await ctx.spool.schedule(name, body.cron, body.type, payload, scheduleOptions);
  } catch (error) {
    if (!(error instanceof SpoolValidationError)) throw error;
    const renamed = HTTP_FIELDS[error.field];
    if (renamed === undefined) throw error;
    throw new SpoolValidationError(renamed, String(error.details?.reason ?? error.message));
  }
}
