/** What SQLite knows about a queue's traffic limits that explains a waiting job (SPEC §6, §7). */
import { rateAllowance } from "../../core/traffic.js";
import type { QueueWaitingFacts } from "../store.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import type { QueueRow } from "./job-row.js";
import { rateOf } from "./traffic-claim.js";
import * as queuesSql from "./sql/queues.js";
import * as trafficSql from "./sql/traffic.js";

/** The rate-limit and key-cap part of a queue's waiting facts (inside a read). */
export function trafficWaitingFacts(
  db: SqliteConnection,
  queue: string,
  now: number,
  concurrencyKey: string | null | undefined,
): Pick<QueueWaitingFacts, "rateLimitedUntil" | "keyConcurrency" | "keyRunning"> {
  const config = db.stmt(queuesSql.SELECT_QUEUE).get({ name: queue }) as QueueRow | undefined;
  const rate = rateOf(config);
  const budget = rate === null ? null : rateAllowance(rate, config!.rate_tat, now);
  const keyConcurrency = config?.key_concurrency ?? null;
  const keyRunning =
    keyConcurrency === null || concurrencyKey == null
      ? 0
      : (db
          .stmt(trafficSql.COUNT_RUNNING_OF_KEY)
          .pluck()
          .get({ queue, key: concurrencyKey }) as number);
  return {
    rateLimitedUntil: budget === null || budget.allowed > 0 ? null : budget.nextAt,
    keyConcurrency,
    keyRunning,
  };
}
