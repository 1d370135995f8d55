/**
 * Worker presence (SPEC §6 "Workers are visible"): the row every worker — in-process, `spool
 * worker`, or remote over HTTP — registers and heartbeats, and the rules that read it. Pure:
 * the store keeps the rows, callers pass `now`.
 */
import { SpoolConflictError } from "./errors.js";

/** Where a worker runs: in a Spool process (`local`) or behind the HTTP API (`remote`). */
export type WorkerKind = "local" | "remote";

/** The type wildcard: a worker that lists it serves every type (generic remote workers). */
export const ANY_TYPE = "*";

/**
 * A worker silent for this many lease periods is gone: not listed, not counted as serving its
 * queues, and its name is free again. Three periods tolerate two missed heartbeats (a long GC
 * pause, a slow store) before a live worker is declared dead.
 */
export const WORKER_STALE_LEASE_PERIODS = 3;

/** How long a worker with leases of `leaseMs` may stay silent before it is gone, ms. */
export function workerStaleAfterMs(leaseMs: number): number {
  return WORKER_STALE_LEASE_PERIODS * leaseMs;
}

/** What a worker announces about itself when it registers. */
export interface WorkerRegistration {
  /** Unique id of this worker instance (job.worker of local workers). */
  id: string;
  /** Name, exactly as given; unique among live workers. */
  name: string;
  host: string;
  /** Process id; null for remote workers (unknown). */
  pid: number | null;
  kind: WorkerKind;
  /** Tenant of a remote worker whose key is scoped to one; null = serves every tenant. */
  tenant: string | null;
  queues: readonly string[];
  /** Job types it serves; `["*"]` = any. */
  types: readonly string[];
  concurrency: number;
  /** Jobs running now. */
  running: number;
  /** Spool version (local) or the client's announced version (remote; `unknown` if none). */
  version: string;
  /** Silence after which the worker is gone, ms (see `workerStaleAfterMs`). */
  staleAfterMs: number;
}

/** A live worker as the store lists it. */
export interface WorkerPresence extends Omit<WorkerRegistration, "queues" | "types"> {
  queues: string[];
  types: string[];
  startedAt: Date;
  lastSeenAt: Date;
}

/** The facts about a job that decide whether a worker can run it. */
export interface ServedJob {
  queue: string;
  type: string;
  tenant: string;
}

/** True when `worker` claims from the job's queue, serves its type, and may see its tenant. */
export function servesJob(
  worker: Pick<WorkerPresence, "queues" | "types" | "tenant">,
  job: ServedJob,
): boolean {
  if (!worker.queues.includes(job.queue)) return false;
  if (worker.tenant !== null && worker.tenant !== job.tenant) return false;
  return worker.types.includes(ANY_TYPE) || worker.types.includes(job.type);
}

/** The conflict of a name held by another live worker (the same on every store; HTTP 409). */
export function workerNameTakenError(name: string): SpoolConflictError {
  return new SpoolConflictError(`a live worker named "${name}" is already registered`, {
    code: "worker_name_taken",
    details: { name },
  });
}
