/**
 * The parts of building the app that are not routes: body parsing, CORS, the OpenAPI document
 * and docs UI, the auth hook, the credits 429's `credits_info`. app.ts composes them in order.
 */
import fastifyCors from "@fastify/cors";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import fastifyWebsocket from "@fastify/websocket";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { jsonSchemaTransform } from "fastify-type-provider-zod";
import type { OpenAPIV3 } from "openapi-types";
import { z } from "zod";
import type { QuotaExceededError } from "../core/errors.js";
import type { Spool } from "../spool.js";
import type { AppContext } from "./app-context.js";
import { ANONYMOUS_ADMIN, bearerToken, refuseQueryToken, type Principal } from "./auth.js";
import { HttpError } from "./errors.js";
import { openApiExtras } from "./openapi-extras.js";
import { toCreditsInfo } from "./routes/credits-resource.js";

/**
 * Bodies are JSON only, but an empty body is accepted whatever the Content-Type (seed 002's
 * Python sends `Content-Type: application/json` on `DELETE /jobs/:id` with no body): routes that
 * take a body then fail their schema ("body: is required"), body-less routes just work. A
 * non-empty body of another type is answered 415, never parsed as a string.
 */
export function acceptEmptyBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    if (body === "") done(null, undefined);
    else parseJson(request, body as string, done);
  });
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => {
    if (body === "") done(null, undefined);
    else
      done(
        new HttpError(
          415,
          "unsupported_media_type",
          "send JSON with Content-Type: application/json",
        ),
        undefined,
      );
  });
}

/** CORS for `origins` (none: CORS stays off). Before the auth hook: a preflight carries no key. */
export async function registerCors(
  app: FastifyInstance,
  origins: readonly string[] | undefined,
): Promise<void> {
  if (origins === undefined || origins.length === 0) return;
  await app.register(fastifyCors, {
    origin: [...origins],
    methods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
    allowedHeaders: [
      "Authorization",
      "Content-Type",
      "Idempotency-Key",
      "Last-Event-ID",
      "X-Request-Id",
      "traceparent",
      "tracestate",
    ],
    exposedHeaders: ["Location", "Retry-After", "X-Request-Id"],
    maxAge: 600,
  });
}

/** Sets `request.principal` on every route but the public ones (health checks, API docs). */
export function installAuthHook(app: FastifyInstance, context: AppContext): void {
  app.decorateRequest("principal", undefined as unknown as Principal);
  app.addHook("onRequest", async (request: FastifyRequest) => {
    const route = request.routeOptions.url;
    if (route !== undefined) refuseQueryToken(request);
    // Unmatched routes get their 404; health checks and the API docs need no key.
    if (route === undefined || request.routeOptions.config.public === true) return;
    if (route === "/docs" || route.startsWith("/docs/")) return;
    request.principal =
      context.auth === null
        ? ANONYMOUS_ADMIN
        : await context.auth.authenticate(bearerToken(request));
  });
}

/** The OpenAPI document (`app.swagger()`), built from the routes' zod schemas. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "Spool",
        description: "Asynchronous job queue: submit, follow, work and control jobs.",
        version: "0.1.0",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
    transform: transformWithRawResponses,
    transformObject: (documentObject) =>
      openApiExtras(
        (documentObject as { openapiObject: Partial<OpenAPIV3.Document> }).openapiObject,
      ),
  });
}

/** The docs UI at /docs and WebSocket support (after the response contract is installed). */
export async function registerDocsAndSockets(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwaggerUi, { routePrefix: "/docs", uiConfig: { deepLinking: false } });
  await app.register(fastifyWebsocket, { options: { maxPayload: 65_536 } });
}

/** `credits_info` for a credits 429 (from the error's own facts if the store cannot answer). */
export async function creditsInfoOf(spool: Spool, error: QuotaExceededError): Promise<unknown> {
  const details = error.details as { tenant: string; period: "daily" | "monthly"; limit: number };
  try {
    return toCreditsInfo(await spool.credits(details.tenant), details.period);
  } catch {
    const daily = details.period === "daily";
    return {
      tier: "custom",
      daily_limit: daily ? details.limit : null,
      daily_used: daily ? details.limit : 0,
      monthly_limit: daily ? null : details.limit,
      monthly_used: daily ? 0 : details.limit,
      resets_at: new Date(spool.now() + error.retryAfterMs).toISOString(),
    };
  }
}

/**
 * The zod transform for OpenAPI, letting non-JSON responses (SSE, Prometheus text) through as
 * already-written OpenAPI response objects (`rawResponse` in contracts).
 */
const transformWithRawResponses: typeof jsonSchemaTransform = (input) => {
  const response = input.schema?.response as Record<string, unknown> | undefined;
  if (response === undefined) return jsonSchemaTransform(input);
  const raw = Object.entries(response).filter(([, value]) => !(value instanceof z.ZodType));
  if (raw.length === 0) return jsonSchemaTransform(input);
  const zodOnly = Object.fromEntries(
    Object.entries(response).filter(([, value]) => value instanceof z.ZodType),
  );
  const out = jsonSchemaTransform({ ...input, schema: { ...input.schema, response: zodOnly } });
  const schema = out.schema as { response?: Record<string, unknown> };
  return {
    ...out,
    schema: { ...out.schema, response: { ...schema.response, ...Object.fromEntries(raw) } },
  } as ReturnType<typeof jsonSchemaTransform>;
};
