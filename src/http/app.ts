/**
 * Builds the HTTP API (SPEC §2) as a Fastify app, without listening: authentication, error
 * shape, body limits, request ids, OpenAPI, and the route modules. `server.ts` listens.
 */
import Fastify, { type FastifyInstance } from "fastify";
import { validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import type { Logger as PinoLogger } from "pino";
import { randomUUID } from "node:crypto";
import { QuotaExceededError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { Spool } from "../spool.js";
import type { AppContext, SubmissionHook } from "./app-context.js";
import type { ZodApp } from "./zod-app.js";
import {
  acceptEmptyBodies,
  creditsInfoOf,
  installAuthHook,
  registerCors,
  registerDocsAndSockets,
  registerOpenApi,
} from "./app-setup.js";
import { Authenticator, type Principal } from "./auth.js";
import { handleError } from "./errors.js";
import { installEnvelope } from "./envelope.js";
import {
  RouteTable,
  clientErrorHandler,
  frameworkErrorHandler,
  notFoundHandler,
} from "./framework-errors.js";
import { RequestLogController } from "./request-log.js";
import { installResponseContract } from "./response-contract.js";
import { installUpgradeGuard } from "./upgrade-guard.js";
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
import { registerTenantSettingsRoutes } from "./routes/tenant-settings.js";
import { registerBulkRoutes } from "./routes/bulk.js";
import { registerConsoleRoutes } from "./routes/console.js";
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

export type { AppContext, SubmissionHook } from "./app-context.js";

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
  const app = createFastify(pino, options.bodyLimit ?? 1_048_576);
  const logger: Logger = pino === false ? noopLogger : (pino as unknown as Logger);
  const shutdown = new AbortController();
  // The Spool's feed (one per process, shared with `spool.on`); the app only subscribes.
  const feed = await options.spool.eventFeed();
  const context = buildContext(options, logger, shutdown.signal, feed);
  const unsubscribes = [feed.subscribe((event) => context.metrics.observe(event))];
  app.setErrorHandler(async (error, request, reply) => {
    // Seed 004's frontend reads `credits_info` from the credits 429.
    const extra =
      error instanceof QuotaExceededError
        ? { credits_info: await creditsInfoOf(options.spool, error) }
        : {};
    handleError(error, request, reply, extra);
    return reply;
  });
  await registerCors(app, options.corsOrigins);
  installAuthHook(app, context);
  app.addHook("onResponse", async (request, reply) => {
    context.metrics.httpRequests.inc({
      method: request.method,
      route: request.routeOptions.url ?? "unmatched",
      status: String(reply.statusCode),
    });
  });
  await registerOpenApi(app);
  const validate = options.validateResponses ?? process.env.SPOOL_VALIDATE_RESPONSES === "1";
  const contract = validate
    ? installResponseContract(app, (violation) =>
        logger.error({ violation }, "response breaks the published contract"),
      )
    : null;
  await registerDocsAndSockets(app);
  registerRoutes(app.withTypeProvider<ZodTypeProvider>(), context);
  app.get("/openapi.json", { config: { public: true }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
  await app.ready();
  const deliveries = await startDeliveries(options, context, unsubscribes);
  return {
    app,
    context,
    contractViolations: contract?.violations ?? [],
    close: async () => {
      shutdown.abort();
      for (const stream of [...context.streams]) stream.close();
      for (const unsubscribe of unsubscribes) unsubscribe();
      await deliveries.stop();
      await app.close();
    },
  };
}

/** The Fastify instance with the hooks every answer needs (ids, envelope, 404s, upgrades). */
function createFastify(pino: PinoLogger | false, bodyLimit: number): FastifyInstance {
  const app = Fastify({
    loggerInstance: pino === false ? undefined : pino,
    logger: pino === false ? false : undefined,
    bodyLimit,
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
  return app;
}

/** What the route modules share; every call goes through the Spool facade. */
function buildContext(
  options: AppOptions,
  logger: Logger,
  closing: AbortSignal,
  feed: AppContext["feed"],
): AppContext {
  const spool = options.spool;
  const metrics = new SpoolMetrics(spool.admin);
  return {
    spool,
    feed,
    metrics,
    estimator: new WaitingEstimator(spool.admin),
    claims: new ClaimWaiter(spool.remoteWorkers),
    remoteWorkers: new RemoteWorkerRegistry(spool.remoteWorkers, logger),
    auth: options.auth ? new Authenticator(spool.admin, { now: () => spool.now() }) : null,
    submissionHook: options.submissionHook,
    maxResultBytes: options.maxResultBytes ?? 1_048_576,
    logger,
    streams: new Set(),
    streamBufferBytes: options.streamBufferBytes ?? 1024 * 1024,
    closing,
    webhookGuard: new WebhookTargetGuard(
      options.webhooks === false ? [] : (options.webhooks?.allow ?? []),
    ),
  };
}

/** Registers every route module, in the order of the OpenAPI document. */
function registerRoutes(app: ZodApp, context: AppContext): void {
  registerOpsRoutes(app, context);
  registerJobRoutes(app, context);
  registerWorkerRoutes(app, context);
  registerWorkerRegistryRoutes(app, context);
  registerQueueRoutes(app, context);
  registerEventRoutes(app, context);
  registerKeyRoutes(app, context);
  registerTenantRoutes(app, context);
  registerTenantSettingsRoutes(app, context);
  registerScheduleRoutes(app, context);
  registerBulkRoutes(app, context);
  registerConsoleRoutes(app, context);
  registerDashboardRoutes(app);
  registerJobLogRoutes(app, context);
  registerBatchRoutes(app, context);
  registerWebhookRoutes(app, context);
}

/** Starts webhook delivery (per-job `webhook_url` and subscriptions) unless it is off. */
async function startDeliveries(
  options: AppOptions,
  context: AppContext,
  unsubscribes: (() => void)[],
): Promise<{ stop(): Promise<void> }> {
  if (options.webhooks === false) return { stop: async () => undefined };
  const settings = options.webhooks;
  const { spool, logger, feed } = context;
  const webhooks = new WebhookDispatcher({
    spool,
    logger,
    guard: context.webhookGuard,
    secret: settings?.secret,
    ...(settings?.concurrency === undefined ? {} : { concurrency: settings.concurrency }),
  });
  unsubscribes.push(feed.subscribe(webhooks.onEvent));
  await webhooks.start();
  const subscriptions = new WebhookDeliverer({
    clock: { now: () => spool.now() },
    ...settings?.delivery,
    spool,
    logger,
    guard: context.webhookGuard,
  });
  unsubscribes.push(feed.subscribe(() => subscriptions.wake()));
  await subscriptions.prepare();
  subscriptions.start();
  return {
    stop: async () => {
      await webhooks.stop();
      await subscriptions.stop();
    },
  };
}
