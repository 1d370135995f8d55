/**
 * The store contract: everything the engine needs from a database, in queue terms. SQLite and
 * PostgreSQL implement it, and both pass one conformance suite (test/conformance/).
 *
 * Conventions: one params object in, one typed result out; times are ms since the Unix epoch
 * (`now` is always passed in, never read by the store); every write from a worker is fenced by
 * the lease token and fails with `LeaseLostError` (or a `{ ok: false }` entry in batch calls)
 * when the token no longer matches.
 */
import type { StoreLifecycle } from "./contract/lifecycle.js";
import type { JobStore } from "./contract/jobs.js";
import type { LeaseStore } from "./contract/leases.js";
import type { MaintenanceStore } from "./contract/maintenance.js";
import type { QueueStore } from "./contract/queues.js";
import type { EventStore } from "./contract/events.js";
import type { ApiKeyStore } from "./contract/api-keys.js";
import type { TenantStore } from "./contract/tenants.js";
import type { WorkerStore } from "./contract/workers.js";
import type { ScheduleStore } from "./contract/schedules.js";
import type { JobLogStore } from "./contract/job-logs.js";
import type { FlowStore } from "./contract/flows.js";
import type { WebhookStore } from "./contract/webhooks.js";

export type {
  StoreCapabilities,
  MigrationResult,
  JobsAvailableListener,
  StoreLifecycle,
} from "./contract/lifecycle.js";
export type { EnqueueOutcome, JobFilter, StateCounts, JobStore } from "./contract/jobs.js";
export type {
  LeaseRenewal,
  LeaseRenewalOutcome,
  Completion,
  CompletionOutcome,
  Failure,
  FailedAttemptOutcome,
  LeaseStore,
} from "./contract/leases.js";
export type {
  MovedJob,
  TableHealth,
  Leadership,
  MaintenanceStore,
} from "./contract/maintenance.js";
export type {
  QueueConfig,
  QueuePatch,
  DurationPercentiles,
  QueueStats,
  QueueWaitingFacts,
  QueueStore,
} from "./contract/queues.js";
export type { StoredJobEvent, StoredJobEventOf, EventStore } from "./contract/events.js";
export type { ApiKeyRole, ApiKeyRecord, ApiKeyStore } from "./contract/api-keys.js";
export type { TenantStore } from "./contract/tenants.js";
export type { WorkerHeartbeat, WorkerStore } from "./contract/workers.js";
export type { ScheduleStore } from "./contract/schedules.js";
export type { JobLogAppend, JobLogAppendOutcome, JobLogStore } from "./contract/job-logs.js";
export type { FlowStore } from "./contract/flows.js";
export type { WebhookStore } from "./contract/webhooks.js";

/** The store contract: every capability interface of contract/*.ts. */
export interface Store
  extends
    StoreLifecycle,
    JobStore,
    LeaseStore,
    MaintenanceStore,
    QueueStore,
    EventStore,
    ApiKeyStore,
    TenantStore,
    WorkerStore,
    ScheduleStore,
    JobLogStore,
    FlowStore,
    WebhookStore {}
