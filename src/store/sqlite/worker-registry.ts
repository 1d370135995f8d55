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

interface WorkerRow {
  id: string;
  name: string;
  host: string;
  pid: number | null;
  kind: "local" | "remote";
  tenant: string | null;
  queues: string;
  types: string;
  concurrency: number;
  running: number;
  version: string;
  stale_after_ms: number;
  started_at: number;
  last_seen_at: number;
}

/** The one row → record mapping of the registry. */
function rowToWorker(row: WorkerRow): WorkerPresence {
  return {
    id: row.id,
    name: row.name,
    host: row.host,
    pid: row.pid,
    kind: row.kind,
    tenant: row.tenant,
    queues: JSON.parse(row.queues) as string[],
    types: JSON.parse(row.types) as string[],
    concurrency: row.concurrency,
    running: row.running,
    version: row.version,
    staleAfterMs: row.stale_after_ms,
    startedAt: new Date(row.started_at),
    lastSeenAt: new Date(row.last_seen_at),
  };
}

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
    }) as WorkerRow;
    return rowToWorker(row);
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
        .all({ now: params.now, tenant: params.tenant ?? null }) as WorkerRow[]
    ).map(rowToWorker),
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
