/** API keys on SQLite: only hashes are stored (the key itself is shown once, at creation). */
import { SpoolNotFoundError } from "../../core/errors.js";
import type { ApiKeyRecord, ApiKeyRole } from "../store.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import * as eventsSql from "./sql/events.js";
import { jsonList, rowToApiKey, type ApiKeyRow } from "../shared/presence-rows.js";

/** An `api_keys` row as this dialect returns it. */
type Row = ApiKeyRow<string>;

const toApiKey = (row: Row): ApiKeyRecord => rowToApiKey(row, jsonList);

/** Stores a new key. */
export function createApiKey(
  db: SqliteConnection,
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
): ApiKeyRecord {
  const row = db.write(
    () =>
      db.stmt(eventsSql.INSERT_API_KEY).get({
        id: key.id,
        name: key.name,
        prefix: key.prefix,
        hash: key.hash,
        role: key.role,
        tenant: key.tenant,
        queues: key.queues === null ? null : JSON.stringify(key.queues),
        now: key.now,
      }) as Row,
    { durable: true },
  );
  return toApiKey(row);
}

/** The key with this hash, or null. */
export function findApiKey(db: SqliteConnection, hash: string): ApiKeyRecord | null {
  const row = db.guard(
    () => db.stmt(eventsSql.SELECT_API_KEY_BY_HASH).get({ hash }) as Row | undefined,
  );
  return row === undefined ? null : toApiKey(row);
}

/** Every key, newest first. */
export function listApiKeys(db: SqliteConnection): ApiKeyRecord[] {
  return db.guard(() => (db.stmt(eventsSql.SELECT_API_KEYS).all() as Row[]).map(toApiKey));
}

/** Revokes a key (idempotent: the first revocation time is kept). */
export function revokeApiKey(db: SqliteConnection, id: string, now: number): ApiKeyRecord {
  const row = db.write(
    () => db.stmt(eventsSql.REVOKE_API_KEY).get({ id, now }) as Row | undefined,
    {
      durable: true,
    },
  );
  if (row === undefined) throw new SpoolNotFoundError("api key", id);
  return toApiKey(row);
}
