/**
 * The worker registry on SQLite: presence rows, heartbeats, listing, pruning, and the facts that
 * explain a waiting job. Registration runs in one IMMEDIATE transaction, so the "is the name
 * held by a live worker?" check and the insert cannot interleave with another process's.
 */
import { trafficWaitingFacts } from "./queue-traffic.js";
import {
  workerNameTakenError,
  type WorkerPresence,
  type WorkerRegistration,
} from "../../core/worker-presence.js";
import type { QueueWaitingFacts, WorkerHeartbeat } from "../store.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import * as workersSql from "./sql/workers.js";
import { jsonList, rowToWorker, type WorkerRow } from "../shared/presence-rows.js";

/** A `workers` row as this dialect returns it. */
type Row = WorkerRow<string>;

const toWorker = (row: Row): WorkerPresence => rowToWorker(row, jsonList);

/** Registers or refreshes a worker; throws when its name is held by another live worker. */
export function registerWorker(
  db: SqliteConnection,
  worker: WorkerRegistration,
  now: number,
): WorkerPresence {
  return db.write(() => {
    const keys = { name: worker.name, tenant: worker.tenant, id: worker.id };
    if (db.stmt(workersSql.SELECT_LIVE_NAME_HOLDER).get({ ...keys, now }) !== undefined)
      throw workerNameTakenError(worker.name);
    db.stmt(workersSql.DELETE_NAME_HOLDER).run(keys);
    const row = db.stmt(workersSql.UPSERT_WORKER).get({
      id: worker.id,
      name: worker.name,
      host: worker.host,
      pid: worker.pid,
      kind: worker.kind,
      tenant: worker.tenant,
      queues: JSON.stringify(worker.queues),
      types: JSON.stringify(worker.types),
      concurrency: worker.concurrency,
      running: worker.running,
      version: worker.version,
      stale_after_ms: worker.staleAfterMs,
      now,
    }) as Row;
    return toWorker(row);
  });
}

/** Refreshes workers' rows; returns the ids that have none. */
export function heartbeatWorkers(
  db: SqliteConnection,
  workers: readonly WorkerHeartbeat[],
  now: number,
): string[] {
  if (workers.length === 0) return [];
  return db.write(() =>
    workers
      .filter(
        (worker) =>
          db
            .stmt(workersSql.HEARTBEAT_WORKER)
            .get({ id: worker.id, running: worker.running ?? null, now }) === undefined,
      )
      .map((worker) => worker.id),
  );
}

/** Live workers by name (optionally one tenant's). */
export function listWorkers(
  db: SqliteConnection,
  params: { now: number; tenant?: string },
): WorkerPresence[] {
  return db.guard(() =>
    (
      db
        .stmt(workersSql.SELECT_LIVE_WORKERS)
        .all({ now: params.now, tenant: params.tenant ?? null }) as Row[]
    ).map(toWorker),
  );
}

/** Deletes a worker's row. */
export function removeWorker(db: SqliteConnection, id: string): boolean {
  return db.write(() => db.stmt(workersSql.DELETE_WORKER).run({ id }).changes > 0);
}

/** Deletes up to `limit` dead workers' rows. */
export function pruneWorkers(db: SqliteConnection, now: number, limit: number): number {
  return db.write(() => db.stmt(workersSql.PRUNE_WORKERS).run({ now, limit }).changes);
}

/** A queue's load and the live workers. */
export function queueWaitingFacts(
  db: SqliteConnection,
  queue: string,
  now: number,
  concurrencyKey?: string | null,
): QueueWaitingFacts {
  return db.guard(() => {
    const load = db.stmt(workersSql.SELECT_QUEUE_LOAD).get({ queue }) as {
      paused: number;
      concurrency: number | null;
      running: number;
    };
    return {
      paused: load.paused === 1,
      concurrency: load.concurrency,
      running: load.running,
      ...trafficWaitingFacts(db, queue, now, concurrencyKey),
      workers: (
        db.stmt(workersSql.SELECT_SERVING_WORKERS).all({ now }) as {
          queues: string;
          types: string;
          tenant: string | null;
        }[]
      ).map((row) => ({
        queues: JSON.parse(row.queues) as string[],
        types: JSON.parse(row.types) as string[],
        tenant: row.tenant,
      })),
    };
  });
}
