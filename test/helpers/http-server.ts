/** A real Spool HTTP server on a free port, over a fresh store, for HTTP tests. */
import type { Logger as PinoLogger } from "pino";
import { SpoolClient } from "../../src/client/client.js";
import { createApiKey } from "../../src/http/auth.js";
import { startServer, type RunningServer, type ServerOptions } from "../../src/http/server.js";
import { Spool, type SpoolOptions } from "../../src/index.js";
import { createSchemaFixture } from "./postgres.js";
import { tempSqliteUrl } from "./temp-dir.js";

/** The stores every HTTP suite runs on. */
export const HTTP_TEST_STORES = ["sqlite", "postgres"] as const;
/** One of them. */
export type TestStoreKind = (typeof HTTP_TEST_STORES)[number];

/** A running test server. */
export interface TestServer {
  spool: Spool;
  server: RunningServer;
  url: string;
  /** The store URL the server uses (for worker processes on the same store). */
  storeUrl: string;
  /** The PostgreSQL schema (postgres only). */
  schema?: string;
  adminKey: string;
  /** A client with the admin key (or with `token`). */
  client(token?: string): SpoolClient;
  /** Creates a key and returns its secret. */
  key(role: "admin" | "producer" | "worker", tenant?: string, queues?: string[]): Promise<string>;
  /** Raw request helper returning status, headers and parsed body. */
  fetch(
    method: string,
    path: string,
    options?: {
      token?: string | null;
      body?: string | undefined;
      headers?: Record<string, string>;
    },
  ): Promise<{ status: number; headers: Headers; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): Promise<void>;
}

/** Starts a server with auth on (the default) over a temp SQLite store. */
export async function startTestServer(
  options: {
    spool?: Partial<SpoolOptions>;
    auth?: boolean;
    bodyLimit?: number;
    store?: TestStoreKind;
    corsOrigins?: string[];
    logger?: PinoLogger;
    webhooks?: ServerOptions["webhooks"];
  } = {},
): Promise<TestServer> {
  const fixture = options.store === "postgres" ? createSchemaFixture() : undefined;
  const storeUrl = fixture?.url ?? options.spool?.url ?? tempSqliteUrl();
  const spool = await Spool.open({
    ...options.spool,
    url: storeUrl,
    ...(fixture === undefined ? {} : { storeTuning: { schema: fixture.schema, poolSize: 6 } }),
  });
  const server = await startServer({
    spool,
    port: 0,
    auth: options.auth ?? true,
    // Every answer of every HTTP test is checked against /openapi.json (response-contract.ts).
    validateResponses: true,
    ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
    ...(options.corsOrigins === undefined ? {} : { corsOrigins: options.corsOrigins }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.webhooks === undefined ? {} : { webhooks: options.webhooks }),
  });
  const adminKey = server.initialAdminKey ?? "";
  return {
    spool,
    server,
    url: server.url,
    storeUrl,
    ...(fixture === undefined ? {} : { schema: fixture.schema }),
    adminKey,
    client: (token = adminKey) => new SpoolClient({ baseUrl: server.url, token }),
    key: async (role, tenant = "default", queues) =>
      (await createApiKey(spool.store, { role, tenant, queues: queues ?? null, now: Date.now() }))
        .key,
    fetch: async (method, path, fetchOptions = {}) => {
      const token = fetchOptions.token === undefined ? adminKey : fetchOptions.token;
      const response = await fetch(server.url + path, {
        method,
        headers: {
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
          ...(fetchOptions.body === undefined ? {} : { "content-type": "application/json" }),
          ...fetchOptions.headers,
        },
        ...(fetchOptions.body === undefined ? {} : { body: fetchOptions.body }),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text === "" ? null : JSON.parse(text);
      } catch {
        // not JSON (metrics)
      }
      return { status: response.status, headers: response.headers, body };
    },
    close: async () => {
      await server.close();
      await spool.close();
      await fixture?.drop();
      assertNoContractViolations(server);
    },
  };
}

/** Fails the test when the server sent an answer its /openapi.json does not describe. */
export function assertNoContractViolations(server: RunningServer): void {
  const violations = server.built.contractViolations;
  if (violations.length > 0) {
    throw new Error(`answers broke /openapi.json:\n${violations.join("\n")}`);
  }
}
