/**
 * Traffic control on PostgreSQL outside the claim (SPEC §7): the rate-limit and key-cap settings
 * of `updateQueue`, the waiting facts they add, and the delayed wake-ups claim_jobs asks for.
 */
import { rateAllowance } from "../../core/traffic.js";
import type { QueuePatch, QueueWaitingFacts } from "../store.js";
import type { QueueRow } from "./job-row.js";
import { runStatement, type Queryable, type Statements } from "./postgres-pool.js";

/**
 * Applies the traffic fields of a patch (rate limit, key cap) after UPSERT_QUEUE; returns the
 * updated row, or undefined when the patch has none.
 */
export async function updateQueueTraffic(
  on: Queryable,
  statements: Statements,
  params: { name: string; patch: QueuePatch; now: number },
): Promise<QueueRow | undefined> {
  const { rateLimit, keyConcurrency } = params.patch;
  if (rateLimit === undefined && keyConcurrency === undefined) return undefined;
  const result = await runStatement<QueueRow>(on, statements.UPDATE_QUEUE_TRAFFIC, [
    params.name,
    params.now,
    rateLimit !== undefined,
    rateLimit?.limit ?? null,
    rateLimit?.periodMs ?? null,
    keyConcurrency !== undefined,
    keyConcurrency ?? null,
  ]);
  return result.rows[0];
}

/** The rate-limit and key-cap part of a queue's waiting facts. */
export async function trafficWaitingFacts(
  on: Queryable,
  statements: Statements,
  params: { queue: string; now: number; concurrencyKey?: string | null },
): Promise<Pick<QueueWaitingFacts, "rateLimitedUntil" | "keyConcurrency" | "keyRunning">> {
  const result = await runStatement<{
    rate_limit: number | null;
    rate_period_ms: number | null;
    rate_tat: number | null;
    key_concurrency: number | null;
    key_running: number;
  }>(on, statements.SELECT_QUEUE_TRAFFIC, [params.queue, params.concurrencyKey ?? null]);
  const row = result.rows[0];
  if (row === undefined) return { rateLimitedUntil: null, keyConcurrency: null, keyRunning: 0 };
  const budget =
    row.rate_limit === null || row.rate_period_ms === null
      ? null
      : rateAllowance(
          { limit: row.rate_limit, periodMs: row.rate_period_ms },
          row.rate_tat,
          params.now,
        );
  return {
    rateLimitedUntil: budget === null || budget.allowed > 0 ? null : budget.nextAt,
    keyConcurrency: row.key_concurrency,
    keyRunning: row.key_running,
  };
}

/** `<queue> +<ms>` (claim_jobs found the queue's bucket empty) as a delayed wake-up, else null. */
export function parseDelayedWakeup(payload: string): { queue: string; delayMs: number } | null {
  const match = /^(\S+) \+(\d+)$/.exec(payload);
  return match === null ? null : { queue: match[1]!, delayMs: Number(match[2]) };
}
