/**
 * Applies the PostgreSQL migrations (`migrations/NNNN_name.sql`) to one schema.
 *
 * Everything happens in one transaction that first takes a transaction-scoped advisory lock
 * keyed on the schema, so any number of processes starting at once migrate exactly once: the
 * first applies the pending files while the others wait on the lock, then find nothing left to
 * do. A crash mid-way rolls the whole transaction back (PostgreSQL DDL is transactional).
 * The files use unqualified names; `SET LOCAL search_path` points them at the target schema for
 * this transaction only. After the migrations, in the same transaction, the server-side
 * routines whose text changed are (re)created (postgres-routines.ts). Processes that find both
 * ledgers up to date skip the lock and all DDL, so a restart needs no CREATE privilege.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type pg from "pg";
import { loadMigrations } from "../migrate.js";
import type { MigrationResult } from "../store.js";
import { PG_TYPES } from "./job-row.js";
import { withTransaction, type Queryable } from "./postgres-pool.js";
import { applyRoutines, routinesUpToDate } from "./postgres-routines.js";
import type { SchemaNames } from "./sql/names.js";

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), "migrations");

/** Applies pending migrations to the schema `names` points at, using clients of `pool`. */
export async function migratePostgres(
  pool: pg.Pool,
  schema: string,
  names: SchemaNames,
): Promise<MigrationResult> {
  const migrations = loadMigrations(MIGRATIONS_DIR);
  const latest = migrations.length;
  const current = await appliedVersions(pool, names, false);
  if (
    current !== null &&
    migrations.every((m) => current.has(m.version)) &&
    (await routinesUpToDate(pool, names))
  )
    return { applied: [], version: Math.max(latest, ...current) };

  return withTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [
      `spool.migrate:${schema}`,
    ]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${names.schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${names.migrations} (
      version    INTEGER     PRIMARY KEY,
      name       TEXT        NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const done = (await appliedVersions(client, names, true)) ?? new Set<number>();
    const applied: number[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await client.query(`SET LOCAL search_path TO ${names.schema}`);
      await client.query(migration.sql);
      await client.query(`INSERT INTO ${names.migrations} (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    await client.query(`SET LOCAL search_path TO ${names.schema}`);
    await applyRoutines(client, names);
    return { applied, version: Math.max(latest, ...done) };
  });
}

/** The versions recorded in the ledger, or null when it does not exist yet. */
async function appliedVersions(
  client: Queryable,
  names: SchemaNames,
  exists: boolean,
): Promise<Set<number> | null> {
  if (!exists) {
    const found = await client.query<{ found: string | null }>({
      text: "SELECT to_regclass($1)::text AS found",
      values: [names.migrations],
    });
    if (found.rows[0]?.found == null) return null;
  }
  const result = await client.query<{ version: number }>({
    text: `SELECT version FROM ${names.migrations}`,
    types: PG_TYPES,
  });
  return new Set(result.rows.map((row) => row.version));
}
