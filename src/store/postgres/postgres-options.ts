/**
 * The PostgreSQL store's options, their defaults, and their checks (all at construction: a bad
 * option fails `new PostgresStore`, not a later call).
 */
import { SpoolValidationError } from "../../core/errors.js";
import type { PoolSettings } from "./postgres-pool.js";

/** Options of the PostgreSQL store. */
export interface PostgresStoreOptions {
  /** How long a call waits for a connection before failing with StoreUnavailableError, ms. Default 5,000. */
  connectionTimeoutMs?: number;
  /**
   * Statement timeout of the API's list and count reads (listJobs, countJobsByState,
   * queueStats, jobPosition), ms: a read that runs longer is cancelled and fails with
   * StoreUnavailableError. Default 5,000.
   */
  readTimeoutMs?: number;
  /** Most pooled connections (the LISTEN connection comes on top). Default 10. */
  poolSize?: number;
  /** Schema of Spool's tables: `[a-z_][a-z0-9_]{0,62}`. Default `spool`. */
  schema?: string;
  /** `postgres://…` or `postgresql://…` connection URL. */
  url: string;
}

/** Default schema of Spool's tables. */
export const DEFAULT_POSTGRES_SCHEMA = "spool";
/** Schema names Spool accepts. */
const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

/** The options resolved: the schema, the read timeout and the pool's settings. */
export function resolvePostgresOptions(options: PostgresStoreOptions): {
  schema: string;
  readTimeoutMs: number;
  settings: PoolSettings;
} {
  const schema = options.schema ?? DEFAULT_POSTGRES_SCHEMA;
  if (!SCHEMA_RE.test(schema))
    throw new SpoolValidationError("schema", "must be a lower-case SQL identifier");
  const readTimeoutMs = options.readTimeoutMs ?? 5_000;
  if (!Number.isInteger(readTimeoutMs) || readTimeoutMs < 1)
    throw new SpoolValidationError("readTimeoutMs", "must be a positive integer");
  const poolSize = options.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 1)
    throw new SpoolValidationError("poolSize", "must be a positive integer");
  const settings: PoolSettings = {
    url: options.url,
    poolSize,
    connectionTimeoutMs: options.connectionTimeoutMs ?? 5_000,
    applicationName: `spool ${schema}`.slice(0, 63),
  };
  return { schema, readTimeoutMs, settings };
}
