/**
 * Server-side routines (`claim_jobs`, `claim_fair_candidates`, the ready-tenant triggers) that live in source files rather than in
 * migrations, so the hottest SQL can change like any other code. After the migrations, the
 * migrator applies each routine whose text changed — `CREATE OR REPLACE`, idempotent — and
 * records its SHA-256 in the `schema_routines` ledger, so an unchanged routine costs a restart
 * one read of the ledger and no DDL.
 */
import { createHash } from "node:crypto";
import type { Queryable } from "./postgres-pool.js";
import { CLAIM_FUNCTION, CLAIM_FUNCTION_NAME } from "./sql/claim-function.js";
import { FAIR_CLAIM_FUNCTION, FAIR_CLAIM_FUNCTION_NAME } from "./sql/fair-claim-function.js";
import { READY_TENANTS_ROUTINE, READY_TENANTS_ROUTINE_NAME } from "./sql/ready-tenants.js";
import type { SchemaNames } from "./sql/names.js";

/** A routine: its ledger name and the SQL that (re)creates it, with unqualified names. */
export interface Routine {
  name: string;
  sql: string;
}

/** Every routine, applied in this order after the migrations. */
export const ROUTINES: readonly Routine[] = [
  { name: CLAIM_FUNCTION_NAME, sql: CLAIM_FUNCTION },
  { name: FAIR_CLAIM_FUNCTION_NAME, sql: FAIR_CLAIM_FUNCTION },
  { name: READY_TENANTS_ROUTINE_NAME, sql: READY_TENANTS_ROUTINE },
];

/** The checksum recorded for a routine's text. */
export function routineChecksum(routine: Routine): string {
  return createHash("sha256").update(routine.sql).digest("hex");
}

/** True when the ledger exists and records every routine's current checksum. */
export async function routinesUpToDate(client: Queryable, names: SchemaNames): Promise<boolean> {
  const found = await client.query<{ found: string | null }>({
    text: "SELECT to_regclass($1)::text AS found",
    values: [names.routines],
  });
  if (found.rows[0]?.found == null) return false;
  const recorded = await recordedChecksums(client, names);
  return ROUTINES.every((routine) => recorded.get(routine.name) === routineChecksum(routine));
}

/**
 * Applies the routines whose checksum differs from the ledger's, inside the migrator's
 * transaction and lock, with `search_path` already pointing at the schema. Returns their names.
 */
export async function applyRoutines(client: Queryable, names: SchemaNames): Promise<string[]> {
  await client.query(`CREATE TABLE IF NOT EXISTS ${names.routines} (
    name       TEXT        PRIMARY KEY,
    checksum   TEXT        NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
  const recorded = await recordedChecksums(client, names);
  const applied: string[] = [];
  for (const routine of ROUTINES) {
    const checksum = routineChecksum(routine);
    if (recorded.get(routine.name) === checksum) continue;
    await client.query(routine.sql);
    await client.query(
      `INSERT INTO ${names.routines} (name, checksum) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()`,
      [routine.name, checksum],
    );
    applied.push(routine.name);
  }
  return applied;
}

async function recordedChecksums(
  client: Queryable,
  names: SchemaNames,
): Promise<Map<string, string>> {
  const result = await client.query<{ name: string; checksum: string }>(
    `SELECT name, checksum FROM ${names.routines}`,
  );
  return new Map(result.rows.map((row) => [row.name, row.checksum]));
}
