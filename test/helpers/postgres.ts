/**
 * PostgreSQL for tests: a real server (never a mock), one fresh schema per test, dropped
 * afterwards. The server comes from `SPOOL_TEST_PG_URL`, else the local trust-auth one. When it
 * cannot be reached, `migrate()` fails and so does the test — loudly, never skipped.
 */
import pg from "pg";
import { randomToken } from "../../src/core/ids.js";
import {
  PostgresStore,
  type PostgresStoreOptions,
} from "../../src/store/postgres/postgres-store.js";

/** The test server's URL. */
export const PG_TEST_URL =
  process.env.SPOOL_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** A new schema name, unique across parallel test processes. */
export function freshSchemaName(): string {
  return `t_${randomToken().slice(0, 16)}`;
}

/** Runs `sql` on a short-lived connection of its own (outside any store's pool). */
export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  sql: string,
  values: unknown[] = [],
): Promise<pg.QueryResult<R>> {
  const client = new pg.Client({ connectionString: PG_TEST_URL });
  await client.connect();
  try {
    return await client.query<R>(sql, values);
  } finally {
    await client.end();
  }
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/** A PostgreSQL store in a schema of its own that `close()` also drops. */
export class TestPostgresStore extends PostgresStore {
  override async close(): Promise<void> {
    await super.close();
    await dropSchema(this.schema);
  }
}

/** A fresh, migrated store in a new schema (dropped when the store closes). */
export async function openTestPostgresStore(
  options: Partial<PostgresStoreOptions> = {},
): Promise<TestPostgresStore> {
  const store = new TestPostgresStore({
    url: PG_TEST_URL,
    schema: freshSchemaName(),
    poolSize: 4,
    ...options,
  });
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}

/** Terminates the server processes of `schema`'s connections whose application_name starts with `prefix`. */
export async function terminateBackends(applicationName: string): Promise<number> {
  const result = await adminQuery<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity
     WHERE application_name = $1 AND pid <> pg_backend_pid() AND pg_terminate_backend(pid)`,
    [applicationName],
  );
  return result.rowCount ?? 0;
}
