/**
 * The types the route modules share with app.ts, in a module of their own so that routes never
 * import app.ts (which imports them): the import graph stays acyclic, type-only imports included
 * (`scripts/check-cycles.mjs`).
 */
import type { JsonObject } from "../core/json.js";
import type { Logger } from "../core/logger.js";
import type { EnqueueOptions } from "../core/options.js";
import type { Spool } from "../spool.js";
import type { Authenticator } from "./auth.js";
import type { ClaimWaiter } from "./claim-waiter.js";
import type { EventFeed } from "../events/event-feed.js";
import type { SpoolMetrics } from "./metrics.js";
import type { RemoteWorkerRegistry } from "./remote-workers.js";
import type { WaitingEstimator } from "./waiting-estimator.js";
import type { WebhookTargetGuard } from "./webhook-target-guard.js";

/**
 * Checks a submission of a job type that declared a payload schema (throwing
 * `SpoolValidationError` naming `payload.<field>`) and may fill in the type's defaults
 * (queue, timeout, attempts) where the caller left them unset.
 */
export type SubmissionHook = (
  type: string,
  payload: JsonObject,
  options: EnqueueOptions,
) => Promise<EnqueueOptions>;

/** What the route modules share. Routes reach the queue only through `spool` (the facade). */
export interface AppContext {
  spool: Spool;
  feed: EventFeed;
  metrics: SpoolMetrics;
  estimator: WaitingEstimator;
  claims: ClaimWaiter;
  /** Presence rows of remote workers, written on their claims and heartbeats. */
  remoteWorkers: RemoteWorkerRegistry;
  auth: Authenticator | null;
  submissionHook: SubmissionHook | undefined;
  maxResultBytes: number;
  logger: Logger;
  /** Open event streams, ended on shutdown. */
  streams: Set<{ close(): void }>;
  /** Most bytes queued for one live-event client before it is dropped (stream-writer.ts). */
  streamBufferBytes: number;
  /** Aborted when the server begins to shut down (long polls return, streams end). */
  closing: AbortSignal;
  /** The SSRF guard of webhook targets (subscriptions and per-job `webhook_url`). */
  webhookGuard: WebhookTargetGuard;
}
