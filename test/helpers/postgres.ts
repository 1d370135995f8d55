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
  url = PG_TEST_URL,
): Promise<pg.QueryResult<R>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query<R>(sql, values);
  } finally {
    await client.end();
  }
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string, url = PG_TEST_URL): Promise<void> {
  await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`, [], url);
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

/** A schema for a test that opens several stores (or Spool instances, or processes) on it. */
export interface SchemaFixture {
  schema: string;
  url: string;
  /** A new store on the schema (its own pool); closed by `drop` unless closed before. */
  openStore(options?: Partial<PostgresStoreOptions>): PostgresStore;
  /** Closes the stores opened here, then drops the schema. */
  drop(): Promise<void>;
}

/**
 * A fresh schema (not migrated; `Spool.open` or `store.migrate()` does that) on the test server,
 * or on `url` (a private cluster, test/helpers/private-postgres.ts).
 */
export function createSchemaFixture(url = PG_TEST_URL): SchemaFixture {
  const schema = freshSchemaName();
  const stores: PostgresStore[] = [];
  return {
    schema,
    url,
    openStore(options = {}) {
      const store = new PostgresStore({ url, schema, poolSize: 4, ...options });
      stores.push(store);
      return store;
    },
    async drop() {
      await Promise.all(stores.map((store) => store.close()));
      await dropSchema(schema, url);
    },
  };
}

/** Terminates the server processes of the connections named `applicationName`; returns how many. */
export async function terminateBackends(applicationName: string): Promise<number> {
  // Two steps, so the terminate can never run on rows the filter would have excluded (the
  // planner is free to evaluate WHERE conditions in any order).
  const found = await adminQuery<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()",
    [applicationName],
  );
  const pids = found.rows.map((row) => row.pid);
  if (pids.length === 0) return 0;
  const result = await adminQuery<{ pid: number }>(
    "SELECT pid FROM unnest($1::int[]) AS pid WHERE pg_terminate_backend(pid)",
    [pids],
  );
  return result.rowCount ?? 0;
}
