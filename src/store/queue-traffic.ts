/**
 * The traffic settings of a queue row as the store contract shows them (both stores store them
 * in the same columns: rate_limit, rate_period_ms, key_concurrency; migration 0009/0011).
 */
import type { RateLimit } from "../core/traffic.js";

/** The traffic columns of a `queues` row. */
export interface QueueTrafficColumns {
  rate_limit: number | null;
  rate_period_ms: number | null;
  key_concurrency: number | null;
}

/** `rateLimit` and `keyConcurrency` of a queue row. */
export function queueTraffic(row: QueueTrafficColumns): {
  rateLimit: RateLimit | null;
  keyConcurrency: number | null;
} {
  return {
    rateLimit:
      row.rate_limit == null || row.rate_period_ms == null
        ? null
        : { limit: row.rate_limit, periodMs: Number(row.rate_period_ms) },
    keyConcurrency: row.key_concurrency ?? null,
  };
}
