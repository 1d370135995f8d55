/** Queue settings on SQLite: registration on first use, listing, patching. */
import type { QueueDefaults } from "../../core/options.js";
import type { QueueConfig, QueuePatch } from "../store.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import { rowToQueue, type QueueRow } from "./job-row.js";
import * as queuesSql from "./sql/queues.js";
import * as trafficSql from "./sql/traffic.js";

/** Creates the queue's row on first use and returns its job defaults (inside a transaction). */
export function registerQueue(
  db: SqliteConnection,
  name: string,
  now: number,
): QueueDefaults | undefined {
  db.stmt(queuesSql.REGISTER_QUEUE).run({ name, now });
  const row = db.stmt(queuesSql.SELECT_QUEUE).get({ name }) as QueueRow | undefined;
  return row === undefined ? undefined : rowToQueue(row);
}

/** Every queue's settings. */
export function listQueues(db: SqliteConnection): QueueConfig[] {
  return db.guard(() => (db.stmt(queuesSql.SELECT_QUEUES).all() as QueueRow[]).map(rowToQueue));
}

/** Applies a patch (creating the row on first use). */
export function updateQueue(
  db: SqliteConnection,
  params: { name: string; patch: QueuePatch; now: number },
): QueueConfig {
  const { patch } = params;
  const value = <T>(v: T | undefined): T | null => (v === undefined ? null : v);
  const flag = (v: unknown): number => (v === undefined ? 0 : 1);
  const row = db.write(
    (): QueueRow =>
      db.stmt(queuesSql.UPSERT_QUEUE).get({
        name: params.name,
        paused: patch.paused === undefined ? null : patch.paused ? 1 : 0,
        concurrency: value(patch.concurrency),
        timeout_ms: value(patch.timeoutMs),
        max_attempts: value(patch.maxAttempts),
        backoff_base_ms: value(patch.backoffBaseMs),
        backoff_cap_ms: value(patch.backoffCapMs),
        set_paused: flag(patch.paused),
        set_concurrency: flag(patch.concurrency),
        set_timeout_ms: flag(patch.timeoutMs),
        set_max_attempts: flag(patch.maxAttempts),
        set_backoff_base_ms: flag(patch.backoffBaseMs),
        set_backoff_cap_ms: flag(patch.backoffCapMs),
        now: params.now,
      }) as QueueRow,
  );
  return rowToQueue(updateQueueTraffic(db, params) ?? row);
}

/** Applies the traffic fields of a patch (rate limit, key cap); undefined when it has none. */
function updateQueueTraffic(
  db: SqliteConnection,
  params: { name: string; patch: QueuePatch; now: number },
): QueueRow | undefined {
  const { rateLimit, keyConcurrency } = params.patch;
  if (rateLimit === undefined && keyConcurrency === undefined) return undefined;
  return db.write(
    () =>
      db.stmt(trafficSql.UPDATE_QUEUE_TRAFFIC).get({
        name: params.name,
        now: params.now,
        set_rate: rateLimit === undefined ? 0 : 1,
        rate_limit: rateLimit?.limit ?? null,
        rate_period_ms: rateLimit?.periodMs ?? null,
        set_key: keyConcurrency === undefined ? 0 : 1,
        key_concurrency: keyConcurrency ?? null,
      }) as QueueRow,
  );
}
