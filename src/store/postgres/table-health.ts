/**
 * Dead-tuple accounting, vacuuming and analysing of the PostgreSQL store's own tables, for the
 * table vacuumer (src/maintenance/table-vacuumer.ts). Counts come from the statistics system
 * (`pg_stat_user_tables`), which counts dead versions and modifications whether or not
 * autovacuum runs.
 *
 * VACUUM cannot run inside a transaction, so it runs on a pool client in autocommit mode. A
 * session advisory lock per schema makes processes that decide at once take turns instead of
 * queueing on the table's vacuum lock: the loser skips the round.
 */
import { createHash } from "node:crypto";
import type pg from "pg";
import type { TableHealth } from "../store.js";
import { runStatement, type Statements } from "./postgres-pool.js";
import { quoteIdentifier } from "./sql/names.js";

/**
 * The tables the vacuumer looks after: everything Spool updates or deletes from. The pending
 * event slots only ever lose rows through TRUNCATE (and aborted inserts), but are cheap to list.
 */
export const MAINTAINED_TABLES = [
  "jobs",
  "job_events",
  "job_events_pending_0",
  "job_events_pending_1",
  "job_event_publisher",
  "job_event_slot",
  "queues",
  "tenant_usage",
  "job_logs",
  // Every claim and completion appends a delta; the folder deletes them all: after a million
  // jobs, 137,000 dead rows that every count read and fold scanned.
  "job_count_deltas",
  "job_counts",
  // Updated in place by leases, heartbeats, deliveries and schedules: small, cheap to keep tidy.
  "ready_tenants",
  "workers",
  "maintenance_leaders",
  "webhook_deliveries",
  "webhook_cursor",
  "schedules",
] as const;

/** The advisory-lock key of a schema's vacuumer (a signed 64-bit integer, as text). */
export function vacuumLockKey(schema: string): string {
  return createHash("sha256")
    .update(`spool.vacuum:${schema}`)
    .digest()
    .readBigInt64BE(0)
    .toString();
}

/** Live and dead row versions of the maintained tables of `schema`. */
export async function readTableHealth(
  pool: pg.Pool,
  statements: Statements,
  schema: string,
): Promise<TableHealth[]> {
  const result = await runStatement<{
    table: string;
    live: number;
    dead: number;
    modified: number;
  }>(pool, statements.SELECT_TABLE_HEALTH, [schema, MAINTAINED_TABLES]);
  return result.rows.map((row) => ({
    table: row.table,
    liveRows: row.live,
    deadRows: row.dead,
    modifiedSinceAnalyze: row.modified,
  }));
}

/**
 * VACUUM (ANALYZE) — or, with `analyzeOnly`, ANALYZE — of one maintained table, unless another
 * process is at it.
 */
export async function vacuumTable(
  pool: pg.Pool,
  statements: Statements,
  schema: string,
  table: string,
  analyzeOnly = false,
): Promise<boolean> {
  if (!(MAINTAINED_TABLES as readonly string[]).includes(table)) {
    throw new Error(`not a maintained table: ${table}`);
  }
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    const key = vacuumLockKey(schema);
    const locked = await runStatement<{ locked: boolean }>(client, statements.TRY_LOCK_VACUUM, [
      key,
    ]);
    if (locked.rows[0]?.locked !== true) return false;
    try {
      // A utility statement: not preparable, so not one of the named statements.
      const target = `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
      await client.query(analyzeOnly ? `ANALYZE ${target}` : `VACUUM (ANALYZE) ${target}`);
    } finally {
      await runStatement(client, statements.UNLOCK_VACUUM, [key]);
    }
    return true;
  } catch (error) {
    broken = error as Error;
    throw error;
  } finally {
    client.release(broken);
  }
}
