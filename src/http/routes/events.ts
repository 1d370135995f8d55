/**
 * Live events: Server-Sent Events for one job (ends once the job is final) and for every job
 * the caller may see, and the same stream over WebSocket. Events come from the store's event
 * log, so they include work done by any process. SSE streams carry `id:` (the log position):
 * a client reconnecting with `Last-Event-ID` resumes without gaps. Every stream writes through a
 * bounded `StreamWriter`: a client that stops reading is dropped (and may resume).
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { WebSocket } from "@fastify/websocket";
import { isFinalState } from "../../core/states.js";
import type { StoredJobEvent } from "../../store/store.js";
import type { AppContext } from "../app-context.js";
import type { ZodApp } from "../zod-app.js";
import { requireRole, visibleTenant, type Principal } from "../auth.js";
import { ErrorResponse, EventStreamResponse, EventsQuery, JobIdParams } from "../contracts.js";
import { toEventResource } from "../event-feed.js";
import { toJobResource } from "../serialize.js";
import { StreamWriter } from "../stream-writer.js";
import { knownId, visibleJob } from "../route-helpers.js";
import { assertQueueName } from "../../core/options.js";

const KEEPALIVE_MS = 15_000;
const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  503: ErrorResponse,
};

/** An open SSE response. */
interface SseStream {
  send(event: string, data: unknown, id?: number): void;
  close(): void;
}

/** Starts an SSE response on a hijacked reply. */
function openSse(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  onClose: () => void,
): SseStream {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache, no-transform",
    connection: "keep-alive",
    "x-accel-buffering": "no",
    "x-request-id": request.id,
  });
  // Bounded: a client that stops reading is dropped, never buffered for without limit.
  const writer = new StreamWriter(
    {
      write: (chunk) => res.write(chunk),
      bufferedBytes: () => res.writableLength,
      destroy: () => res.destroy(),
    },
    {
      describe: { stream: "sse", url: request.url, requestId: request.id },
      logger: ctx.logger,
      maxBufferedBytes: ctx.streamBufferBytes,
    },
  );
  writer.write("retry: 2000\n\n");
  let open = true;
  const keepalive = setInterval(() => writer.write(": keep-alive\n\n"), KEEPALIVE_MS);
  const stream: SseStream = {
    send(event, data, id) {
      if (!open) return;
      writer.write(
        `${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`,
      );
    },
    close() {
      if (!open) return;
      open = false;
      clearInterval(keepalive);
      ctx.streams.delete(stream);
      onClose();
      if (!res.destroyed) res.end();
    },
  };
  ctx.streams.add(stream);
  res.once("close", () => stream.close());
  return stream;
}

/** Whether the principal may see an event. */
function visible(principal: Principal, event: StoredJobEvent): boolean {
  return principal.role === "admin" || event.tenant === principal.tenant;
}

function lastEventId(request: FastifyRequest): number | undefined {
  const header = request.headers["last-event-id"];
  const value = Number(Array.isArray(header) ? header[0] : header);
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** Registers the event routes. */
export function registerEventRoutes(app: ZodApp, ctx: AppContext): void {
  registerJobEventsRoute(app, ctx);
  registerEventsRoute(app, ctx);
  registerWebSocketRoute(app, ctx);
}

/** GET /jobs/:id/events: one job's events over SSE, until it is final. */
function registerJobEventsRoute(app: ZodApp, ctx: AppContext): void {
  app.get(
    "/jobs/:id/events",
    {
      config: { accessToken: true },
      schema: {
        summary: "SSE of one job's events, until it is final",
        params: JobIdParams,
        querystring: EventsQuery.pick({ access_token: true }),
        response: { 200: EventStreamResponse, ...errors },
      },
    },
    async (request, reply) => {
      requireRole(request.principal, "admin", "producer");
      const principal = request.principal;
      const id = knownId(request.params.id);
      await visibleJob(ctx, principal, id); // 404 before the stream opens
      let unsubscribe = (): void => undefined;
      const stream = openSse(ctx, request, reply, () => unsubscribe());
      const finish = (event: StoredJobEvent | null): Promise<void> =>
        sendFinalEvent(ctx, stream, id, event);
      let finishing = false;
      unsubscribe = ctx.feed.subscribe((event) => {
        if (event.jobId !== id || finishing) return;
        if (isFinalState(event.status) && event.name !== "job.queued") {
          finishing = true;
          void finish(event);
        } else {
          stream.send(event.name, toEventResource(event), event.seq);
        }
      }, lastEventId(request));
      // The job may have finished before we subscribed: then its final event is history.
      const current = await ctx.spool.get(id);
      if (current !== null && isFinalState(current.status) && !finishing) {
        finishing = true;
        await finish(null);
      } else if (current !== null) {
        stream.send("job.snapshot", {
          event: "job.snapshot",
          job_id: current.id,
          status: current.status,
          job: toJobResource(current, ctx.spool.now()),
        });
      }
    },
  );
}

/**
 * Sends a job's final event (`event`, or, when it finished before the stream subscribed, one
 * made from the job as it is now) with the job resource, and ends the stream.
 */
async function sendFinalEvent(
  ctx: AppContext,
  stream: SseStream,
  id: string,
  event: StoredJobEvent | null,
): Promise<void> {
  const job = await ctx.spool.get(id);
  if (job !== null) {
    const now = ctx.spool.now();
    const data =
      event === null
        ? {
            event: `job.${job.status}`,
            job_id: job.id,
            queue: job.queue,
            type: job.type,
            status: job.status,
            at: new Date(now).toISOString(),
          }
        : toEventResource(event);
    stream.send(String(data.event), { ...data, job: toJobResource(job, now) }, event?.seq);
  }
  stream.close();
}

/** GET /events: every job event the caller may see, over SSE. */
function registerEventsRoute(app: ZodApp, ctx: AppContext): void {
  app.get(
    "/events",
    {
      config: { accessToken: true },
      schema: {
        summary: "SSE of every job event you may see (?queue=)",
        querystring: EventsQuery,
        response: { 200: EventStreamResponse, ...errors },
      },
    },
    async (request, reply) => {
      requireRole(request.principal, "admin", "producer");
      const filter = eventFilter(request.principal, request.query);
      let unsubscribe = (): void => undefined;
      const stream = openSse(ctx, request, reply, () => unsubscribe());
      unsubscribe = ctx.feed.subscribe((event) => {
        if (filter(event)) stream.send(event.name, toEventResource(event), event.seq);
      }, lastEventId(request));
    },
  );
}

/** GET /ws: the same stream as /events over a WebSocket. */
function registerWebSocketRoute(app: ZodApp, ctx: AppContext): void {
  app.get(
    "/ws",
    {
      websocket: true,
      config: { accessToken: true },
      // Documented by hand in /openapi.json (app.ts): @fastify/websocket hides its routes.
      schema: { querystring: EventsQuery, response: errors },
      // Every refusal happens here, before the upgrade, so it is a real HTTP answer (the same
      // roles and filters as /events); the upgrade guard then closes the socket.
      preHandler: async (request) => {
        requireRole(request.principal, "admin", "producer");
        eventFilter(request.principal, request.query);
      },
    },
    (socket: WebSocket, request) => {
      const filter = eventFilter(request.principal, request.query);
      const writer = new StreamWriter(
        {
          write: (chunk) => socket.send(chunk),
          bufferedBytes: () => socket.bufferedAmount,
          destroy: () => socket.terminate(),
        },
        {
          describe: { stream: "ws", url: request.url, requestId: request.id },
          logger: ctx.logger,
          maxBufferedBytes: ctx.streamBufferBytes,
        },
      );
      const unsubscribe = ctx.feed.subscribe((event) => {
        if (filter(event) && socket.readyState === socket.OPEN)
          writer.write(JSON.stringify(toEventResource(event)));
      });
      const stream = {
        close: () => {
          unsubscribe();
          ctx.streams.delete(stream);
          if (socket.readyState === socket.OPEN) socket.close(1001, "server shutting down");
        },
      };
      ctx.streams.add(stream);
      socket.on("close", () => {
        unsubscribe();
        ctx.streams.delete(stream);
      });
    },
  );
}

/** The events a principal asked for and may see. */
function eventFilter(
  principal: Principal,
  query: { queue?: string | undefined; job_id?: string | undefined },
): (event: StoredJobEvent) => boolean {
  if (query.queue !== undefined) assertQueueName(query.queue, "queue");
  const jobId = query.job_id === undefined ? undefined : knownId(query.job_id);
  const tenant = visibleTenant(principal);
  return (event) =>
    visible(principal, event) &&
    (tenant === undefined || event.tenant === tenant) &&
    (query.queue === undefined || event.queue === query.queue) &&
    (jobId === undefined || event.jobId === jobId);
}
