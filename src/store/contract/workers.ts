/**
 * Part of the store contract (`Store`, store.ts, states the conventions).
 * Worker presence.
 */
import type { WorkerPresence, WorkerRegistration } from "../../core/worker-presence.js";

/** One worker's heartbeat; `running` undefined keeps the stored count (remote workers). */
export interface WorkerHeartbeat {
  id: string;
  running?: number;
}

/** Worker presence. */
export interface WorkerStore {
  /**
   * Registers (or re-registers, by id) a worker's presence row. A live worker is one whose last
   * heartbeat is less than its `staleAfterMs` ago. Throws `SpoolConflictError` (code
   * `worker_name_taken`) when another live worker has the same name in the same tenant scope
   * (unscoped workers — local ones and admin-key remote ones — share one); a dead one's row is
   * replaced. Re-registering an id merges its queues and types (remote workers announce them
   * one claim at a time) and keeps its `startedAt`.
   */
  registerWorker(params: { worker: WorkerRegistration; now: number }): Promise<WorkerPresence>;
  /**
   * Marks workers as seen at `now` (one call for many). Returns the ids that have no row any
   * more (pruned after a long silence): those workers must register again.
   */
  heartbeatWorkers(params: { workers: readonly WorkerHeartbeat[]; now: number }): Promise<string[]>;
  /**
   * Live workers by name; with `tenant`, only that tenant's. A remote worker's `running` is
   * the number of running jobs that name it as their worker.
   */
  listWorkers(params: { now: number; tenant?: string }): Promise<WorkerPresence[]>;
  /** Deletes a worker's row (graceful stop). Returns false when there was none. */
  removeWorker(params: { id: string }): Promise<boolean>;
  /** Deletes rows of dead workers (silent past their `staleAfterMs`); at most `limit`. */
  pruneWorkers(params: { now: number; limit: number }): Promise<number>;
}
