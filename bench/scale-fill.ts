/**
 * Fills a migrated Spool store with `count` finished jobs, fast, for the scale benchmark
 * (bench/scale.ts): one transaction of prepared INSERTs on SQLite, one INSERT … SELECT
 * generate_series on PostgreSQL. The jobs look like a day of retained history: 90 % completed,
 * 8 % failed, 2 % cancelled, spread over 6 queues, 4 tenants and 4 types, one in ten tagged,
 * finished evenly over the last 24 h. The count triggers keep counting during the fill, as they
 * would in production (so no recount is needed afterwards).
 */
import Database from "better-sqlite3";
import { uuidv7 } from "../src/core/ids.js";
import { withClient, quoteIdent } from "./systems/postgres.js";

export const FILL_QUEUES = ["default", "mail", "reports", "video", "webhooks", "billing"];
export const FILL_TENANTS = ["default", "acme", "globex", "initech"];
export const FILL_TYPES = ["bench.noop", "mail.send", "report.build", "video.encode"];
const DAY_MS = 86_400_000;

/** The state of the i-th filled job. */
function stateOf(i: number): "completed" | "failed" | "cancelled" {
  const r = i % 50;
  return r < 45 ? "completed" : r < 49 ? "failed" : "cancelled";
}

/** Fills a SQLite store file. */
export function fillSqlite(path: string, count: number, now: number): void {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    const insert = db.prepare(`
      INSERT INTO jobs (id, tenant, queue, type, payload, status, priority, progress, attempt,
        max_attempts, run_at, timeout_ms, backoff_base_ms, backoff_cap_ms, tags, result, error,
        errors, created_at, started_at, completed_at, updated_at)
      VALUES (@id, @tenant, @queue, @type, '{"i":1}', @status, 0, @progress, 1, 3, @run_at,
        60000, 1000, 3600000, @tags, @result, @error, @errors, @run_at, @started_at,
        @completed_at, @completed_at)`);
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const completedAt = now - DAY_MS + Math.floor((i * DAY_MS) / count);
        const status = stateOf(i);
        const error = `{"message":"boom","type":"Error","attempt":1,"at":${completedAt}}`;
        insert.run({
          id: uuidv7(completedAt - 70),
          tenant: FILL_TENANTS[i % FILL_TENANTS.length],
          queue: FILL_QUEUES[i % FILL_QUEUES.length],
          type: FILL_TYPES[i % FILL_TYPES.length],
          status,
          progress: status === "completed" ? 100 : 0,
          run_at: completedAt - 70,
          tags: i % 10 === 0 ? '["nightly"]' : "[]",
          result: status === "completed" ? '{"ok":true}' : null,
          error: status === "failed" ? error : null,
          errors: status === "failed" ? `[${error}]` : "[]",
          started_at: completedAt - 50,
          completed_at: completedAt,
        });
      }
    })();
    db.exec("ANALYZE");
  } finally {
    db.close();
  }
}

/** Fills a PostgreSQL store's schema, then VACUUM ANALYZE (as autovacuum would, eventually). */
export async function fillPostgres(
  url: string,
  schema: string,
  count: number,
  now: number,
): Promise<void> {
  const jobs = `${quoteIdent(schema)}.jobs`;
  const array = (items: string[]) => `ARRAY[${items.map((item) => `'${item}'`).join(",")}]`;
  // ids: UUIDv7 layout (48-bit ms, version 7, variant 8) from the creation time, so they sort
  // by time like the store's own; the random bits come from md5(i).
  const sql = `
    INSERT INTO ${jobs} (id, tenant, queue, type, payload, status, priority, progress, attempt,
      max_attempts, run_at, timeout_ms, backoff_base_ms, backoff_cap_ms, tags, result, error,
      errors, created_at, started_at, completed_at, updated_at)
    SELECT
      (lpad(to_hex(c - 70), 12, '0') || '7' || substr(md5(i::text), 1, 3) || '8' ||
        substr(md5(i::text), 4, 15))::uuid,
      (${array(FILL_TENANTS)})[i % ${FILL_TENANTS.length} + 1],
      (${array(FILL_QUEUES)})[i % ${FILL_QUEUES.length} + 1],
      (${array(FILL_TYPES)})[i % ${FILL_TYPES.length} + 1],
      '{"i":1}'::json, s, 0, CASE WHEN s = 'completed' THEN 100 ELSE 0 END, 1, 3, c - 70,
      60000, 1000, 3600000,
      CASE WHEN i % 10 = 0 THEN ARRAY['nightly'] ELSE '{}'::text[] END,
      CASE WHEN s = 'completed' THEN '{"ok":true}'::json END,
      CASE WHEN s = 'failed' THEN jsonb_build_object('message', 'boom', 'type', 'Error',
        'attempt', 1, 'at', c) END,
      CASE WHEN s = 'failed' THEN jsonb_build_array(jsonb_build_object('message', 'boom',
        'type', 'Error', 'attempt', 1, 'at', c)) ELSE '[]'::jsonb END,
      c - 70, c - 50, c, c
    FROM (
      SELECT i, ${now - DAY_MS}::bigint + (i::bigint * ${DAY_MS}) / ${Math.max(count, 1)} AS c,
        CASE WHEN i % 50 < 45 THEN 'completed' WHEN i % 50 < 49 THEN 'failed'
          ELSE 'cancelled' END AS s
      FROM generate_series(0, ${count - 1}) AS i
    ) AS g`;
  await withClient(url, async (client) => {
    if (count > 0) await client.query(sql);
    await client.query(`VACUUM ANALYZE ${jobs}`);
  });
}
