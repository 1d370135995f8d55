/**
 * PostgreSQL helpers shared by the PostgreSQL-backed adapters: short-lived connections for
 * schema clean-up and for counting finished jobs. Identifiers come only from `uniqueName`.
 */
import pg from "pg";
import { pollUntil } from "../wait.js";

/** How long a helper waits for a connection before giving up, ms. */
const CONNECT_TIMEOUT_MS = 5_000;

/** Runs `fn` on a fresh connection to `url` and closes it afterwards. */
export async function withClient<T>(
  url: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Quotes a SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Drops `schema` and everything in it, if it exists. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  await withClient(url, (client) =>
    client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`),
  );
}

/**
 * Runs `sql` (returning one integer column `n`) on one connection every `intervalMs` until it
 * returns 0, or rejects after `timeoutMs`.
 */
export async function waitForZero(
  url: string,
  sql: string,
  options: { timeoutMs: number; intervalMs: number; what: string },
): Promise<void> {
  await withClient(url, (client) =>
    pollUntil(async () => {
      const result = await client.query<{ n: string | number }>(sql);
      return Number(result.rows[0]?.n ?? 0) === 0;
    }, options),
  );
}

/** Live and dead rows of every table in `schema` with any, most dead first. */
export async function tableRowsOf(
  url: string,
  schema: string,
): Promise<{ table: string; live: number; dead: number }[]> {
  return withClient(url, async (client) => {
    const result = await client.query<{ table: string; live: string; dead: string }>(
      `SELECT relname AS table, n_live_tup AS live, n_dead_tup AS dead FROM pg_stat_user_tables
       WHERE schemaname = $1 AND n_live_tup + n_dead_tup > 0 ORDER BY n_dead_tup DESC`,
      [schema],
    );
    return result.rows.map((r) => ({ table: r.table, live: Number(r.live), dead: Number(r.dead) }));
  });
}

/** Facts about the PostgreSQL server for the report. */
export interface PostgresFacts {
  version: string;
  synchronousCommit: string;
  fsync: string;
  sharedBuffers: string;
}

/** Reads the server version and durability settings. */
export async function postgresFacts(url: string): Promise<PostgresFacts> {
  return withClient(url, async (client) => {
    const show = async (name: string): Promise<string> => {
      const result = await client.query<Record<string, string>>(`SHOW ${name}`);
      return Object.values(result.rows[0] ?? {})[0] ?? "?";
    };
    return {
      version: await show("server_version"),
      synchronousCommit: await show("synchronous_commit"),
      fsync: await show("fsync"),
      sharedBuffers: await show("shared_buffers"),
    };
  });
}
