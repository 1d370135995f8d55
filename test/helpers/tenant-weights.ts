/**
 * Sets a tenant's fair-scheduling weight with raw SQL (the `tenants` table of migrations
 * SQLite 0008 / PostgreSQL 0010), for tests of fair scheduling written before the route that
 * sets it (`PUT /tenants/:tenant {weight}`) was merged.
 */
import Database from "better-sqlite3";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { adminQuery, PG_TEST_URL } from "./postgres.js";

const upsert = (table: string, params: [string, string, string]): string =>
  `INSERT INTO ${table} (tenant, weight, updated_at) VALUES (${params.join(", ")})
  ON CONFLICT (tenant) DO UPDATE SET weight = excluded.weight, updated_at = excluded.updated_at`;

/** Gives `tenant` the weight `weight` (1…1000) in `store`'s database. */
export async function setTenantWeight(
  store: Store,
  tenant: string,
  weight: number,
  url = PG_TEST_URL,
): Promise<void> {
  if (store instanceof PostgresStore) {
    await adminQuery(
      upsert(`"${store.schema}".tenants`, ["$1", "$2", "$3"]),
      [tenant, weight, Date.now()],
      url,
    );
    return;
  }
  if (store instanceof SqliteStore) {
    const db = new Database(store.path);
    try {
      db.prepare(upsert("tenants", ["?", "?", "?"])).run(tenant, weight, Date.now());
    } finally {
      db.close();
    }
    return;
  }
  throw new Error("setTenantWeight: unknown store");
}
