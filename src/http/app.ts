/**
 * Builds the HTTP API (SPEC §2) as a Fastify app, without listening: authentication, error
 * shape, body limits, request ids, OpenAPI, and the route modules. `server.ts` listens.
 */
import fastifyCors from "@fastify/cors";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import fastifyWebsocket from "@fastify/websocket";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import {
  jsonSchemaTransform,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import type { OpenAPIV3 } from "openapi-types";
import type { Logger as PinoLogger } from "pino";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { QuotaExceededError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { Spool } from "../spool.js";
import type { AppContext, SubmissionHook, ZodApp } from "./app-context.js";
import {
  ANONYMOUS_ADMIN,
  Authenticator,
  bearerToken,
  refuseQueryToken,
  type Principal,
} from "./auth.js";
import { HttpError, handleError } from "./errors.js";
import { installEnvelope } from "./envelope.js";
import {
  RouteTable,
  clientErrorHandler,
  frameworkErrorHandler,
  notFoundHandler,
} from "./framework-errors.js";
import { openApiExtras } from "./openapi-extras.js";
import { RequestLogController } from "./request-log.js";
import { installResponseContract } from "./response-contract.js";
import { installUpgradeGuard } from "./upgrade-guard.js";
import { toCreditsInfo } from "./routes/tenants.js";
import { SpoolMetrics } from "./metrics.js";
import { registerDashboardRoutes } from "./routes/dashboard.js";
import { registerEventRoutes } from "./routes/events.js";
import { registerBatchRoutes } from "./routes/batches.js";
import { registerJobRoutes } from "./routes/jobs.js";
import { registerJobLogRoutes } from "./routes/job-logs.js";
import { registerKeyRoutes } from "./routes/keys.js";
import { registerOpsRoutes } from "./routes/ops.js";
import { registerQueueRoutes } from "./routes/queues.js";
import { registerTenantRoutes } from "./routes/tenants.js";
import { registerWorkerRoutes } from "./routes/workers.js";
import { registerWorkerRegistryRoutes } from "./routes/worker-registry.js";
import { registerScheduleRoutes } from "./routes/schedules.js";
import { RemoteWorkerRegistry } from "./remote-workers.js";
import { WaitingEstimator } from "./waiting-estimator.js";
import { ClaimWaiter } from "./claim-waiter.js";
import { WebhookDispatcher } from "./webhooks.js";
import { WebhookDeliverer, type WebhookSettings } from "./webhook-deliverer.js";
import { WebhookTargetGuard } from "./webhook-target-guard.js";
import { registerWebhookRoutes } from "./routes/webhooks.js";

export type { AppContext, SubmissionHook, ZodApp } from "./app-context.js";

/** Options of the app. */
export interface AppOptions {
  /** Require API keys. False only for loopback servers (`--no-auth`; checked by server.ts). */
  auth: boolean;
  /** Largest request body, bytes. Default 1 MiB. */
  bodyLimit?: number;
  /** Origins allowed to call the API from a browser (CORS). Default none (CORS off). */
  corsOrigins?: readonly string[];
  /** A pino logger for request logs; false for none. Default false. */
  logger?: PinoLogger | false;
  /** Largest handler result accepted from remote workers, bytes. Default 1 MiB. */
  maxResultBytes?: number;
  /** Per-type submission checks and defaults (from handler modules). */
  submissionHook?: SubmissionHook;
  /** The Spool instance the API serves. */
  spool: Spool;
  /**
   * Check every answer against /openapi.json (tests; response-contract.ts). Default: on when
   * `SPOOL_VALIDATE_RESPONSES=1`.
   */
  validateResponses?: boolean;
  /** Most bytes queued for one live-event client (SSE, WebSocket) before it is dropped. Default 1 MiB. */
  streamBufferBytes?: number;
  /**
   * Deliver webhooks (per-job `webhook_url` and subscriptions) from this server, and which
   * non-public targets are allowed. Default: on, per-job deliveries unsigned, no allow-list.
   */
  webhooks?: false | WebhookSettings;
}

declare module "fastify" {
  interface FastifyRequest {
    /** The caller, set by the auth hook (public routes: undefined). */
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** No API key needed (health checks, docs). */
    public?: boolean;
    /** The key may come as `?access_token=` (event streams only). */
    accessToken?: boolean;
  }
}

/** The built app and what it needs closed. */
export interface BuiltApp {
  app: FastifyInstance;
  context: AppContext;
  /** Answers that broke the published contract (response-validation mode only). */
  contractViolations: readonly string[];
  /** Ends event streams and long polls, leaves the Spool's feed, closes the app. */
  close(): Promise<void>;
}

const noopLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Builds the app (routes registered, not listening). */
export async function buildApp(options: AppOptions): Promise<BuiltApp> {
  const pino = options.logger === undefined ? false : options.logger;
  const app = Fastify({
    loggerInstance: pino === false ? undefined : pino,
    logger: pino === false ? false : undefined,
    bodyLimit: options.bodyLimit ?? 1_048_576,
    requestIdHeader: "x-request-id",
    genReqId: () => randomUUID(),
    logController: new RequestLogController(),
    // Longer than any name the API takes (tenants 128); beyond it, a 400 in the error shape.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 256 },
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;
  acceptEmptyBodies(app);
  app.setValidatorCompiler(validatorCompiler);
  // Response schemas document the API; bodies are plain JSON (the contract is checked in tests).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  const routes = new RouteTable();
  routes.install(app);
  // First of all hooks: every answer, refusals included, names its request.
  app.addHook("onRequest", async (request, reply) => {
    void reply.header("x-request-id", request.id);
  });
  installUpgradeGuard(app);
  installEnvelope(app);
  app.setNotFoundHandler(notFoundHandler(routes));

  const store = options.spool.store;
  const logger: Logger = pino === false ? noopLogger : (pino as unknown as Logger);
  const shutdown = new AbortController();
  // The Spool's feed (one per process, shared with `spool.on`); the app only subscribes.
  const feed = await options.spool.eventFeed();
  const metrics = new SpoolMetrics(store);
  const unsubscribes = [feed.subscribe((event) => metrics.observe(event))];
  const context: AppContext = {
    spool: options.spool,
    store,
    feed,
    metrics,
    estimator: new WaitingEstimator(store),
    claims: new ClaimWaiter(store),
    remoteWorkers: new RemoteWorkerRegistry(store, logger),
    auth: options.auth ? new Authenticator(store) : null,
    submissionHook: options.submissionHook,
    maxResultBytes: options.maxResultBytes ?? 1_048_576,
    logger,
    streams: new Set(),
    streamBufferBytes: options.streamBufferBytes ?? 1024 * 1024,
    closing: shutdown.signal,
    webhookGuard: new WebhookTargetGuard(
      options.webhooks === false ? [] : (options.webhooks?.allow ?? []),
    ),
  };

  app.setErrorHandler(async (error, request, reply) => {
    // Seed 004's frontend reads `credits_info` from the credits 429.
    const extra =
      error instanceof QuotaExceededError
        ? { credits_info: await creditsInfoOf(options.spool, error) }
        : {};
    handleError(error, request, reply, extra);
    return reply;
  });
  if (options.corsOrigins !== undefined && options.corsOrigins.length > 0) {
    // Before the auth hook: a preflight carries no key and is answered here.
    await app.register(fastifyCors, {
      origin: [...options.corsOrigins],
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
  app.addHook("onResponse", async (request, reply) => {
    metrics.httpRequests.inc({
      method: request.method,
      route: request.routeOptions.url ?? "unmatched",
      status: String(reply.statusCode),
    });
  });

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
  const validate = options.validateResponses ?? process.env.SPOOL_VALIDATE_RESPONSES === "1";
  const contract = validate
    ? installResponseContract(app, (violation) =>
        logger.error({ violation }, "response breaks the published contract"),
      )
    : null;
  await app.register(fastifySwaggerUi, { routePrefix: "/docs", uiConfig: { deepLinking: false } });
  await app.register(fastifyWebsocket, { options: { maxPayload: 65_536 } });

  const typed = app.withTypeProvider<ZodTypeProvider>() as unknown as ZodApp;
  registerOpsRoutes(typed, context);
  registerJobRoutes(typed, context);
  registerWorkerRoutes(typed, context);
  registerWorkerRegistryRoutes(typed, context);
  registerQueueRoutes(typed, context);
  registerEventRoutes(typed, context);
  registerKeyRoutes(typed, context);
  registerTenantRoutes(typed, context);
  registerScheduleRoutes(typed, context);
  registerDashboardRoutes(typed, context);
  registerJobLogRoutes(typed, context);
  registerBatchRoutes(typed, context);
  registerWebhookRoutes(typed, context);
  app.get("/openapi.json", { config: { public: true }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  await app.ready();
  const webhooks =
    options.webhooks === false
      ? null
      : new WebhookDispatcher({
          spool: options.spool,
          logger,
          guard: context.webhookGuard,
          secret: options.webhooks?.secret,
          ...(options.webhooks?.concurrency === undefined
            ? {}
            : { concurrency: options.webhooks.concurrency }),
        });
  if (webhooks !== null) {
    unsubscribes.push(feed.subscribe(webhooks.onEvent));
    await webhooks.start();
  }
  const subscriptions =
    options.webhooks === false
      ? null
      : new WebhookDeliverer({
          ...options.webhooks?.delivery,
          store,
          logger,
          guard: context.webhookGuard,
        });
  if (subscriptions !== null) {
    unsubscribes.push(feed.subscribe(() => subscriptions.wake()));
    subscriptions.start();
  }

  return {
    app,
    context,
    contractViolations: contract?.violations ?? [],
    close: async () => {
      shutdown.abort();
      for (const stream of [...context.streams]) stream.close();
      for (const unsubscribe of unsubscribes) unsubscribe();
      await webhooks?.stop();
      await subscriptions?.stop();
      await app.close();
    },
  };
}

/**
 * Bodies are JSON only, but an empty body is accepted whatever the Content-Type (seed 002's
 * Python sends `Content-Type: application/json` on `DELETE /jobs/:id` with no body): routes that
 * take a body then fail their schema ("body: is required"), body-less routes just work. A
 * non-empty body of another type is answered 415, never parsed as a string.
 */
function acceptEmptyBodies(app: FastifyInstance): void {
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

/** `credits_info` for a credits 429 (from the error's own facts if the store cannot answer). */
async function creditsInfoOf(spool: Spool, error: QuotaExceededError): Promise<unknown> {
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
      resets_at: new Date(Date.now() + error.retryAfterMs).toISOString(),
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
