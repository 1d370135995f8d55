/** Queue settings on PostgreSQL: listing and the patch-style upsert of `updateQueue`. */
import type { QueueConfig, QueuePatch } from "../store.js";
import { rowToQueue, type QueueRow } from "./job-row.js";
import { runStatement, type Queryable, type Statements } from "./postgres-pool.js";
import { updateQueueTraffic } from "./queue-traffic.js";
import { patchWakesWorkers } from "../shared/wake-rules.js";

/** Every configured (or used) queue's settings, by name. */
export async function listQueues(on: Queryable, statements: Statements): Promise<QueueConfig[]> {
  const result = await runStatement<QueueRow>(on, statements.SELECT_QUEUES, []);
  return result.rows.map(rowToQueue);
}

/**
 * Applies `patch` to a queue's settings (creating the row on first use): `undefined` leaves a
 * field alone, `null` clears it. Notifies the queue when the patch may free up claims.
 */
export async function updateQueue(
  on: Queryable,
  statements: Statements,
  channel: string,
  params: { name: string; patch: QueuePatch; now: number },
): Promise<QueueConfig> {
  const { patch } = params;
  const value = <T>(v: T | undefined): T | null => (v === undefined ? null : v);
  const result = await runStatement<QueueRow>(on, statements.UPSERT_QUEUE, [
    params.name,
    value(patch.paused),
    value(patch.concurrency),
    value(patch.timeoutMs),
    value(patch.maxAttempts),
    value(patch.backoffBaseMs),
    value(patch.backoffCapMs),
    params.now,
    patch.paused !== undefined,
    patch.concurrency !== undefined,
    patch.timeoutMs !== undefined,
    patch.maxAttempts !== undefined,
    patch.backoffBaseMs !== undefined,
    patch.backoffCapMs !== undefined,
  ]);
  const traffic = await updateQueueTraffic(on, statements, params);
  if (patchWakesWorkers(patch))
    await runStatement(on, statements.NOTIFY_QUEUES, [channel, [params.name]]);
  return rowToQueue(traffic ?? result.rows[0]!);
}
