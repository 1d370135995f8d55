/** API keys on PostgreSQL: only hashes are stored (the key itself is shown once, at creation). */
import { SpoolNotFoundError } from "../../core/errors.js";
import type { ApiKeyRecord, ApiKeyRole } from "../store.js";
import { runStatement, type Queryable, type Statements } from "./postgres-pool.js";
import { arrayList, rowToApiKey, type ApiKeyRow } from "../shared/presence-rows.js";

/** An `api_keys` row as this dialect returns it. */
type Row = ApiKeyRow<string[]>;

const toApiKey = (row: Row): ApiKeyRecord => rowToApiKey(row, arrayList);

/** Stores a new key. */
export async function createApiKey(
  on: Queryable,
  statements: Statements,
  key: {
    id: string;
    hash: string;
    prefix: string;
    name: string | null;
    role: ApiKeyRole;
    tenant: string;
    queues: string[] | null;
    now: number;
  },
): Promise<ApiKeyRecord> {
  const result = await runStatement<Row>(on, statements.INSERT_API_KEY, [
    key.id,
    key.name,
    key.prefix,
    key.hash,
    key.role,
    key.tenant,
    key.queues,
    key.now,
  ]);
  return toApiKey(result.rows[0]!);
}

/** The key with this hash, or null. */
export async function findApiKey(
  on: Queryable,
  statements: Statements,
  hash: string,
): Promise<ApiKeyRecord | null> {
  const result = await runStatement<Row>(on, statements.SELECT_API_KEY_BY_HASH, [hash]);
  const row = result.rows[0];
  return row === undefined ? null : toApiKey(row);
}

/** Every key, newest first. */
export async function listApiKeys(on: Queryable, statements: Statements): Promise<ApiKeyRecord[]> {
  const result = await runStatement<Row>(on, statements.SELECT_API_KEYS, []);
  return result.rows.map(toApiKey);
}

/** Revokes a key (idempotent: the first revocation time is kept). */
export async function revokeApiKey(
  on: Queryable,
  statements: Statements,
  id: string,
  now: number,
): Promise<ApiKeyRecord> {
  const result = await runStatement<Row>(on, statements.REVOKE_API_KEY, [id, now]);
  const row = result.rows[0];
  if (row === undefined) throw new SpoolNotFoundError("api key", id);
  return toApiKey(row);
}
