/**
 * The worker registry on PostgreSQL: presence rows, heartbeats, listing, pruning, and the facts
 * that explain a waiting job. Registration is one transaction: refuse a live holder of the name,
 * delete a dead one, upsert. Two hosts registering one name at the same moment both pass the
 * check; the unique index on `name` then refuses the second, which maps to the same conflict.
 */
import type pg from "pg";
import {
  workerNameTakenError,
  type WorkerPresence,
  type WorkerRegistration,
} from "../../core/worker-presence.js";
import type { QueueWaitingFacts, WorkerHeartbeat } from "../store.js";
import { runStatement, withTransaction, type Queryable, type Statements } from "./postgres-pool.js";
import { arrayList, rowToWorker, type WorkerRow } from "../shared/presence-rows.js";

/** A `workers` row as this dialect returns it. */
type Row = WorkerRow<string[]>;

const toWorker = (row: Row): WorkerPresence => rowToWorker(row, arrayList);

const NAME_INDEX = "workers_name_idx";

/** Registers or refreshes a worker; throws when its name is held by another live worker. */
export async function registerWorker(
  pool: pg.Pool,
  statements: Statements,
  worker: WorkerRegistration,
  now: number,
): Promise<WorkerPresence> {
  try {
    return await withTransaction(pool, async (client) => {
      const scope = [worker.name, worker.tenant, worker.id];
      const holder = await runStatement(client, statements.SELECT_LIVE_NAME_HOLDER, [
        ...scope,
        now,
      ]);
      if (holder.rowCount !== 0) throw workerNameTakenError(worker.name);
      await runStatement(client, statements.DELETE_NAME_HOLDER, scope);
      const result = await runStatement<Row>(client, statements.UPSERT_WORKER, [
        worker.id,
        worker.name,
        worker.host,
        worker.pid,
        worker.kind,
        worker.tenant,
        worker.queues,
        worker.types,
        worker.concurrency,
        worker.running,
        worker.version,
        worker.staleAfterMs,
        now,
      ]);
      return toWorker(result.rows[0]!);
    });
  } catch (error) {
    const { code, constraint } = error as { code?: string; constraint?: string };
    if (code === "23505" && constraint === NAME_INDEX) throw workerNameTakenError(worker.name);
    throw error;
  }
}

/** Refreshes workers' rows in one statement; returns the ids that have none. */
export async function heartbeatWorkers(
  on: Queryable,
  statements: Statements,
  workers: readonly WorkerHeartbeat[],
  now: number,
): Promise<string[]> {
  if (workers.length === 0) return [];
  const result = await runStatement<{ id: string }>(on, statements.HEARTBEAT_WORKER, [
    workers.map((worker) => worker.id),
    workers.map((worker) => worker.running ?? null),
    now,
  ]);
  const seen = new Set(result.rows.map((row) => row.id));
  return workers.filter((worker) => !seen.has(worker.id)).map((worker) => worker.id);
}

/** Live workers by name (optionally one tenant's). */
export async function listWorkers(
  on: Queryable,
  statements: Statements,
  params: { now: number; tenant?: string },
): Promise<WorkerPresence[]> {
  const result = await runStatement<Row>(on, statements.SELECT_LIVE_WORKERS, [
    params.now,
    params.tenant ?? null,
  ]);
  return result.rows.map(toWorker);
}

/** Deletes a worker's row. */
export async function removeWorker(
  on: Queryable,
  statements: Statements,
  id: string,
): Promise<boolean> {
  const result = await runStatement(on, statements.DELETE_WORKER, [id]);
  return (result.rowCount ?? 0) > 0;
}

/** Deletes up to `limit` dead workers' rows. */
export async function pruneWorkers(
  on: Queryable,
  statements: Statements,
  now: number,
  limit: number,
): Promise<number> {
  const result = await runStatement(on, statements.PRUNE_WORKERS, [now, limit]);
  return result.rowCount ?? 0;
}

/** A queue's load and the live workers. */
export async function queueWaitingFacts(
  on: Queryable,
  statements: Statements,
  queue: string,
  now: number,
): Promise<Omit<QueueWaitingFacts, "rateLimitedUntil" | "keyConcurrency" | "keyRunning">> {
  const [load, workers] = await Promise.all([
    runStatement<{ paused: boolean; concurrency: number | null; running: number }>(
      on,
      statements.SELECT_QUEUE_LOAD,
      [queue],
    ),
    runStatement<{ queues: string[]; types: string[]; tenant: string | null }>(
      on,
      statements.SELECT_SERVING_WORKERS,
      [now],
    ),
  ]);
  const row = load.rows[0]!;
  return {
    paused: row.paused,
    concurrency: row.concurrency,
    running: row.running,
    workers: workers.rows,
  };
}
