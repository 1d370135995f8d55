/**
 * Opens the store a URL names (SPEC §5): `sqlite:<path>` (relative or absolute; the folder is
 * created), `sqlite::memory:`, or `postgres://…` / `postgresql://…`.
 */
import { SpoolValidationError } from "../core/errors.js";
import { SqliteStore } from "./sqlite/sqlite-store.js";
import type { Store } from "./store.js";

/** The default store URL. */
export const DEFAULT_STORE_URL = "sqlite:./data/spool.db";

/** Store-specific options passed through `Spool.open`. */
export interface StoreTuning {
  /** SQLite: how often other processes' writes are looked for while workers wait, ms. Default 20. */
  pollIntervalMs?: number | undefined;
  /** SQLite: how long a write waits for another process's lock, ms. Default 10,000. */
  busyTimeoutMs?: number | undefined;
  /** PostgreSQL: the schema Spool's tables live in. Default `spool`. */
  schema?: string | undefined;
  /** PostgreSQL: most connections in the pool. Default 10. */
  poolSize?: number | undefined;
  /** PostgreSQL: statement timeout of the API's list and count reads, ms. Default 5,000. */
  readTimeoutMs?: number | undefined;
}

/** The URL from the explicit value, else `SPOOL_URL`, else `DATABASE_URL`, else the default. */
export function resolveStoreUrl(
  url: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  return url ?? env.SPOOL_URL ?? env.DATABASE_URL ?? DEFAULT_STORE_URL;
}

/** Opens (but does not migrate) the store for `url`. */
export async function openStore(url: string, tuning: StoreTuning = {}): Promise<Store> {
  if (url.startsWith("sqlite:")) {
    let path = url.slice("sqlite:".length);
    if (path.startsWith("//")) path = path.slice(2); // sqlite://relative or sqlite:///absolute
    if (path.length === 0)
      throw new SpoolValidationError(
        "url",
        "a sqlite: URL needs a file path, e.g. sqlite:./data/spool.db",
      );
    const options: ConstructorParameters<typeof SqliteStore>[0] = { path };
    if (tuning.pollIntervalMs !== undefined) options.pollIntervalMs = tuning.pollIntervalMs;
    if (tuning.busyTimeoutMs !== undefined) options.busyTimeoutMs = tuning.busyTimeoutMs;
    return new SqliteStore(options);
  }
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    // Loaded on demand, so that SQLite-only programs never load the pg driver.
    const { PostgresStore } = await import("./postgres/postgres-store.js");
    const { url: connectionUrl, schema } = splitSchemaParam(url);
    const options: ConstructorParameters<typeof PostgresStore>[0] = { url: connectionUrl };
    if (schema !== undefined) options.schema = schema;
    if (tuning.schema !== undefined) options.schema = tuning.schema;
    if (tuning.poolSize !== undefined) options.poolSize = tuning.poolSize;
    if (tuning.readTimeoutMs !== undefined) options.readTimeoutMs = tuning.readTimeoutMs;
    return new PostgresStore(options);
  }
  throw new SpoolValidationError(
    "url",
    `unsupported store URL "${redact(url)}" (use sqlite:<path> or postgres://…)`,
  );
}

/**
 * A PostgreSQL URL's `schema` query parameter (Spool's, not libpq's: removed before the URL
 * reaches the driver), so that `spool serve --url postgres://…?schema=tenant_a` can use a
 * schema other than `spool` (an explicit `storeTuning.schema` wins).
 */
function splitSchemaParam(url: string): { url: string; schema?: string } {
  const query = url.indexOf("?");
  if (query < 0) return { url };
  const params = new URLSearchParams(url.slice(query + 1));
  const schema = params.get("schema");
  if (schema === null) return { url };
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new SpoolValidationError("url", "schema= must be a lower-case SQL identifier");
  params.delete("schema");
  const rest = params.toString();
  return { url: url.slice(0, query) + (rest === "" ? "" : `?${rest}`), schema };
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}
