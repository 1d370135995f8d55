/**
 * Connections for the PostgreSQL store: the pool's settings, named statements built once per
 * schema, and the transaction helper. Every query runs with `PG_TYPES`, as a named (prepared)
 * statement where it is one of Spool's, and on whatever client it is given — a pool client or
 * the caller's own client for a transactional enqueue.
 */
import { createHash } from "node:crypto";
import pg from "pg";
import { SpoolValidationError } from "../../core/errors.js";
import { PG_TYPES } from "./job-row.js";
import { isConnectionError } from "./postgres-errors.js";
import * as eventsSql from "./sql/events.js";
import * as insightsSql from "./sql/insights.js";
import * as jobLogsSql from "./sql/job-logs.js";
import * as jobsSql from "./sql/jobs.js";
import * as leadersSql from "./sql/leaders.js";
import { schemaNames, type SchemaNames, type SqlTemplate } from "./sql/names.js";
import * as queuesSql from "./sql/queues.js";
import * as quotasSql from "./sql/quotas.js";
import * as tenantsSql from "./sql/tenants.js";
import * as trafficSql from "./sql/traffic.js";
import * as workersSql from "./sql/workers.js";
import * as flowsSql from "./sql/flows.js";
import * as schedulesSql from "./sql/schedules.js";
import * as webhooksSql from "./sql/webhooks.js";

const STATEMENT_MODULES = [
  jobsSql,
  queuesSql,
  eventsSql,
  insightsSql,
  quotasSql,
  workersSql,
  leadersSql,
  tenantsSql,
  jobLogsSql,
  flowsSql,
  schedulesSql,
  webhooksSql,
  trafficSql,
] as const;

/** A statement ready to run: a stable name (so each connection prepares it once) and its text. */
export interface NamedStatement {
  name: string;
  text: string;
}

/** The exported statement names of a module (distributes over a union of modules). */
type TemplateNames<M> = M extends unknown
  ? { [K in keyof M]: M[K] extends SqlTemplate ? K : never }[keyof M]
  : never;

/** Every named statement of the store, for one schema. */
export type Statements = Record<TemplateNames<(typeof STATEMENT_MODULES)[number]>, NamedStatement>;

/**
 * Builds every statement of sql/*.ts for `schema`. Statement names carry a
 * hash of the schema and the text: prepared-statement names are per connection and truncated
 * to 63 bytes by the server, and a caller's client may serve stores of several schemas.
 */
export function buildStatements(names: SchemaNames): Statements {
  const statements: Record<string, NamedStatement> = {};
  for (const module of STATEMENT_MODULES) {
    for (const [key, template] of Object.entries(module)) {
      if (typeof template !== "function") continue;
      const text = (template as SqlTemplate)(names);
      const hash = createHash("sha1").update(text).digest("hex").slice(0, 12);
      statements[key] = { name: `spool_${hash}_${key.toLowerCase()}`, text };
    }
  }
  return statements as Statements;
}

/** Anything that runs queries: a pool, a pool client or a caller's client. */
export interface Queryable {
  query: pg.ClientBase["query"];
}

/** Runs a named statement with `values`; rows come back decoded with `PG_TYPES`. */
export async function runStatement<R extends pg.QueryResultRow>(
  on: Queryable,
  statement: NamedStatement,
  values: readonly unknown[],
): Promise<pg.QueryResult<R>> {
  return on.query<R>({
    name: statement.name,
    text: statement.text,
    values: values as unknown[],
    types: PG_TYPES,
  });
}

/**
 * The caller's client of a transactional enqueue, checked: it must run queries, and must not be
 * a pool (each pool query could land on another connection, outside the caller's transaction).
 */
export function callerClient(client: unknown): Queryable {
  if (
    typeof client !== "object" ||
    client === null ||
    typeof (client as Queryable).query !== "function"
  )
    throw new SpoolValidationError(
      "client",
      "must be a connected pg client with an open transaction",
    );
  if ("totalCount" in client && "idleCount" in client)
    throw new SpoolValidationError(
      "client",
      "must be a client (pool.connect()) inside a transaction, not a pool",
    );
  return client as Queryable;
}

/** Settings of the store's connections. */
export interface PoolSettings {
  /** Name shown in pg_stat_activity. */
  applicationName: string;
  /** How long to wait for a connection (new, or a free one from a full pool), ms. */
  connectionTimeoutMs: number;
  /** Most connections. */
  poolSize: number;
  url: string;
}

/** Connection settings shared by the pool and the LISTEN client. */
export function clientConfig(settings: PoolSettings, applicationName: string): pg.ClientConfig {
  return {
    connectionString: settings.url,
    application_name: applicationName,
    connectionTimeoutMillis: settings.connectionTimeoutMs,
    // Notice a dead peer (server crash, network cut) on idle connections within ~a minute.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}

/** A pool whose connection errors never crash the process (they surface on the next query). */
export function createPool(settings: PoolSettings): pg.Pool {
  const pool = new pg.Pool({
    ...clientConfig(settings, settings.applicationName),
    max: settings.poolSize,
    idleTimeoutMillis: 30_000,
  });
  // An idle client whose server connection dies emits 'error' on the pool (which drops it);
  // a checked-out one emits it on itself. Unhandled, either would crash the process.
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  return pool;
}

/**
 * Runs `fn` inside BEGIN … COMMIT on one pool client. Rolls back on error; a client whose
 * connection failed is destroyed instead of going back to the pool.
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    if (isConnectionError(error)) broken = error as Error;
    else
      await client.query("ROLLBACK").catch((rollbackError: unknown) => {
        broken = rollbackError as Error;
      });
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * Runs the read `fn` in a READ ONLY transaction whose statements are cancelled after
 * `timeoutMs` (SQLSTATE 57014), so a read the indexes cannot serve (a filter nobody foresaw, a
 * lock held by a migration) gives up instead of occupying a connection and a backend for as
 * long as it takes. One extra round trip (both settings travel in one simple query).
 */
export async function withReadTimeout<T>(
  pool: pg.Pool,
  timeoutMs: number,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  return withTransaction(pool, async (client) => {
    await client.query(
      `SET TRANSACTION READ ONLY; SET LOCAL statement_timeout = ${Math.trunc(timeoutMs)}`,
    );
    return fn(client);
  });
}

/** The schema's quoted names and its statements. */
export function prepareSchema(schema: string): { names: SchemaNames; statements: Statements } {
  const names = schemaNames(schema);
  return { names, statements: buildStatements(names) };
}
