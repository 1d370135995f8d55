/**
 * SQL fragments shared by the statement templates of sql/jobs.ts (not statements themselves):
 * logging job events and sending wake-ups from inside a writing statement, as CTEs, so that
 * both commit — or roll back — with the change they describe, at no extra round trip.
 */
import type { SchemaNames } from "./names.js";

/**
 * An INSERT of job events into the pending log from `select`, whose columns are, in order:
 * at, name, job_id, tenant, queue, type, status, data (JSON). The statement's events become one
 * pending row of parallel arrays, in the order the SELECT yields them (all aggregated in one
 * pass, so element i of each is the same event; no events: no row), in the slot the statement's
 * snapshot names (migration 0020). `xid` comes from its default: the writing
 * transaction, which is what publication goes by (sql/events.ts).
 */
export const logEvents = (t: SchemaNames, select: string): string =>
  `INSERT INTO ${t.pendingEvents} (slot, at, name, job_id, tenant, queue, type, status, data)
  SELECT (SELECT slot FROM ${t.eventSlot}), array_agg(e.at::bigint), array_agg(e.name::text),
    array_agg(e.job_id::uuid), array_agg(e.tenant::text), array_agg(e.queue::text),
    array_agg(e.type::text), array_agg(e.status::text), array_agg(e.data::json)
  FROM (${select}) AS e(at, name, job_id, tenant, queue, type, status, data)
  HAVING count(*) > 0`;

/**
 * One `pg_notify` per distinct queue of the CTE `source` (rows restricted by `where`), on the
 * channel in `channel` (a parameter). Yields one row, so a statement can CROSS JOIN it to make
 * sure it is evaluated. PostgreSQL folds identical notifications of one transaction anyway; the
 * DISTINCT keeps a burst of inserts from building a long list first.
 */
export const notifyDistinctQueues = (source: string, where: string, channel: string): string =>
  `SELECT count(pg_notify(${channel}, queue)) AS notified
   FROM (SELECT DISTINCT queue FROM ${source} WHERE ${where}) AS distinct_queues`;

/**
 * Every job-count row: the folded base and the deltas appended since (migration 0009). Summed
 * in one statement (one snapshot), they are exact: the folder moves deltas into the base in one
 * transaction, so each is seen exactly once.
 */
export function allCounts(t: SchemaNames): string {
  return `SELECT tenant, queue, status, n FROM ${t.jobCounts}
  UNION ALL SELECT tenant, queue, status, n FROM ${t.jobCountDeltas}`;
}
