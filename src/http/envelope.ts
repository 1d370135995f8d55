/**
 * The envelope every JSON answer carries, added in one place for every route (including routes
 * other modules register later): `"success": true|false` (seed 002's clients read it; false for
 * every status ≥ 400) and, in error bodies, `error.request_id` (the `x-request-id` header, so a
 * user's report can be matched to the server's log line). Route modules return their resources
 * and never spell the envelope themselves; their declared response schemas gain the same fields
 * here, so the OpenAPI document describes what is sent.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from "fastify";
import { z } from "zod";

/** Whether an HTTP status means success in the envelope. */
export function isSuccessStatus(status: number): boolean {
  return status < 400;
}

/** Adds `success` (and `request_id` for errors) to a JSON body; other payloads pass through. */
export function envelope(payload: unknown, status: number, requestId: string): unknown {
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) return payload;
  if (Buffer.isBuffer(payload)) return payload;
  const body = payload as Record<string, unknown>;
  const out: Record<string, unknown> = { success: isSuccessStatus(status), ...body };
  const error = body.error;
  if (status >= 400 && error !== null && typeof error === "object" && !Array.isArray(error)) {
    out.error = { ...(error as Record<string, unknown>), request_id: requestId };
  }
  return out;
}

/** The OpenAPI document itself (`/openapi.json`, the docs UI's copy) is sent as it is. */
function isDocument(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  return route === "/openapi.json" || route === "/docs/json" || route === "/docs/yaml";
}

/** The schema of a response as sent: the route's schema plus the envelope's fields. */
function withEnvelope(schema: unknown, status: number): unknown {
  if (!(schema instanceof z.ZodObject)) return schema;
  return schema.extend({
    success: z.literal(isSuccessStatus(status)).describe("false exactly when status ≥ 400"),
  });
}

/**
 * Installs the envelope on an app: an `onRoute` hook that extends every declared JSON response
 * schema, and a `preSerialization` hook that adds the fields to every object body (routes,
 * error handler, not-found handler). Call before any route is registered.
 */
export function installEnvelope(app: FastifyInstance): void {
  app.addHook("onRoute", (route: RouteOptions) => {
    const response = (route.schema as { response?: Record<string, unknown> } | undefined)?.response;
    if (response === undefined) return;
    for (const [status, schema] of Object.entries(response)) {
      response[status] = withEnvelope(schema, Number(status));
    }
  });
  app.addHook(
    "preSerialization",
    async (request: FastifyRequest, reply: FastifyReply, payload: unknown) =>
      isDocument(request) ? payload : envelope(payload, reply.statusCode, request.id),
  );
}
