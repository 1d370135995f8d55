/** Spool's public library API (SPEC §3). */
export { Spool } from "./spool.js";
export type {
  EnqueuedJob,
  ListOptions,
  MaintenanceIntervals,
  SpoolOptions,
  Stats,
} from "./spool-options.js";
export {
  InvalidTransitionError,
  JobCancelledError,
  JobTimeoutError,
  LeaseLostError,
  QuotaExceededError,
  SpoolConflictError,
  SpoolError,
  SpoolNotFoundError,
  SpoolValidationError,
  StoreUnavailableError,
  UnrecoverableError,
} from "./core/errors.js";
export type { JobEvent, JobEventMap, JobEventName } from "./core/events.js";
export { JOB_EVENT_NAMES } from "./core/events.js";
export type { ClaimedJob, JobErrorEntry, JobRecord } from "./core/job.js";
export type { JsonObject, JsonValue } from "./core/json.js";
export type { Logger } from "./core/logger.js";
export type { EnqueueOptions, EnqueueRequest } from "./core/options.js";
export type { TenantCredits } from "./core/quota.js";
export {
  DEFAULT_TIERS,
  type TenantSettings,
  type TierLimits,
  type TierOptions,
  type TierPolicy,
} from "./core/tiers.js";
export type { ListTenantsOptions, TenantSettingsPatch } from "./spool-tenants.js";
export { FINAL_STATES, JOB_STATES, type JobState } from "./core/states.js";
export {
  WAITING_REASON_CODES,
  type WaitingReason,
  type WaitingReasonCode,
} from "./core/waiting-reason.js";
export type { WorkerKind, WorkerPresence } from "./core/worker-presence.js";
export type { QueueConfig, QueuePatch, Store, StoreCapabilities } from "./store/store.js";
export { openStore } from "./store/open-store.js";
export { SqliteStore, type SqliteStoreOptions } from "./store/sqlite/sqlite-store.js";
export { Worker, type WorkerEventMap, type WorkerOptions } from "./worker/worker.js";
export type { HandlerMap, JobContext, JobHandler } from "./worker/handler.js";
export {
  createSandbox,
  sandboxHandlers,
  SandboxExitError,
  type HandlerDefinition,
  type HandlerModuleEntry,
  type HandlerModuleMap,
  type Sandbox,
  type SandboxOptions,
} from "./worker/sandbox.js";
export type { JobLogLevel, JobLogLine, LogOptions } from "./core/job-logs.js";
export type { JobLogs, LogsOptions } from "./spool-logs.js";
export type { BatchOptions, SubmittedBatch } from "./spool-flows.js";
export {
  DEPENDENCY_FAILED,
  type BatchCounts,
  type BatchRecord,
  type ParentResult,
} from "./core/flows.js";
export type { SavedSchedule, ScheduleScope } from "./spool-schedules.js";
export type { ScheduleJobOptions, ScheduleOptions, ScheduleRecord } from "./core/schedule.js";
