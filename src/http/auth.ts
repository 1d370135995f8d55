/**
 * API keys, roles and tenants (SPEC §2). Keys are `spool_` + 256 random bits, shown once; the
 * store keeps only their SHA-256 (a fast hash is right for high-entropy keys: there is nothing
 * to brute-force). Lookups are cached for `cacheMs` (default 5 s), so a revoked key stops
 * working within that time without a database read per request.
 */
import { createHash, randomBytes } from "node:crypto";
import type { FastifyRequest } from "fastify";
import type { Clock } from "../core/clock.js";
import { DEFAULT_TENANT, assertQueueName, assertTenant } from "../core/options.js";
import { uuidv7 } from "../core/ids.js";
import type { ApiKeyRecord, ApiKeyRole, Store } from "../store/store.js";
import { HttpError } from "./errors.js";

/** Who is calling. */
export interface Principal {
  /** Key id; `anonymous` when auth is off. */
  keyId: string;
  role: ApiKeyRole;
  tenant: string;
  /** Queues a worker may claim from; null = any. */
  queues: string[] | null;
}

/** The principal of every request on a server started with `--no-auth`. */
export const ANONYMOUS_ADMIN: Principal = {
  keyId: "anonymous",
  role: "admin",
  tenant: DEFAULT_TENANT,
  queues: null,
};

/**
 * Where keys are kept, in the calls this module makes: the Spool instance's admin calls
 * (`spool.admin`, what the HTTP API passes) or a store (the CLI's `keys create`).
 */
export type ApiKeyStore = Pick<Store, "createApiKey" | "findApiKey" | "listApiKeys">;

/** SHA-256 of a key, hex. */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** Creates a key: returns the secret (show it once) and the stored record. */
export async function createApiKey(
  store: ApiKeyStore,
  options: {
    role: ApiKeyRole;
    tenant?: string;
    name?: string | null;
    queues?: string[] | null;
    now: number;
  },
): Promise<{ key: string; record: ApiKeyRecord }> {
  const tenant = options.tenant ?? DEFAULT_TENANT;
  assertTenant(tenant);
  options.queues?.forEach((queue, i) => assertQueueName(queue, `queues[${i}]`));
  const key = `spool_${randomBytes(32).toString("base64url")}`;
  const record = await store.createApiKey({
    id: `key_${uuidv7(options.now).replace(/-/g, "").slice(0, 20)}`,
    hash: hashApiKey(key),
    prefix: key.slice(0, 12),
    name: options.name ?? null,
    role: options.role,
    tenant,
    queues: options.queues ?? null,
    now: options.now,
  });
  return { key, record };
}

/** Creates an admin key when the store has none (first start). Returns the secret, or null. */
export async function ensureAdminKey(
  store: ApiKeyStore,
  now: number,
): Promise<{ key: string; record: ApiKeyRecord } | null> {
  if ((await store.listApiKeys()).some((key) => key.revokedAt === null)) return null;
  return createApiKey(store, { role: "admin", name: "initial admin key", now });
}

/** Resolves bearer tokens to principals, with a short cache. */
export class Authenticator {
  private readonly cache = new Map<string, { principal: Principal | null; until: number }>();

  constructor(
    private readonly store: ApiKeyStore,
    private readonly clock: Clock,
    private readonly cacheMs = 5_000,
  ) {}

  /** The principal for `token`; throws 401 for a missing, unknown or revoked key. */
  async authenticate(token: string | undefined): Promise<Principal> {
    if (token === undefined || token === "") {
      throw new HttpError(
        401,
        "unauthorized",
        "missing API key (Authorization: Bearer <key>)",
        undefined,
        {
          "www-authenticate": 'Bearer realm="spool"',
        },
      );
    }
    const hash = hashApiKey(token);
    const now = this.clock.now();
    const cached = this.cache.get(hash);
    let principal: Principal | null;
    if (cached !== undefined && cached.until > now) {
      principal = cached.principal;
    } else {
      const record = await this.store.findApiKey({ hash });
      principal =
        record === null || record.revokedAt !== null
          ? null
          : { keyId: record.id, role: record.role, tenant: record.tenant, queues: record.queues };
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(hash, { principal, until: now + this.cacheMs });
    }
    if (principal === null) {
      throw new HttpError(401, "unauthorized", "invalid or revoked API key", undefined, {
        "www-authenticate": 'Bearer realm="spool", error="invalid_token"',
      });
    }
    return principal;
  }

  /** Forgets cached lookups (after a revocation in this process). */
  clear(): void {
    this.cache.clear();
  }
}

/**
 * The bearer token of a request: the Authorization header, or the `access_token` query parameter
 * on the routes that accept it (event streams, for EventSource and browsers' WebSocket, which
 * cannot send headers). Elsewhere a query token is refused with 400 (`refuseQueryToken`): URLs
 * end up in proxies' logs, browser history and Referer headers, so keys must not travel in them
 * where a header works.
 */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === "string") {
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    return match?.[1]?.trim();
  }
  if (request.routeOptions.config.accessToken !== true) return undefined;
  const token = queryField(request, "access_token");
  return typeof token === "string" ? token : undefined;
}

/** Throws 400 when a route that does not accept `access_token` is given one. */
export function refuseQueryToken(request: FastifyRequest): void {
  if (request.routeOptions.config.accessToken === true) return;
  if (!hasQueryField(request, "access_token")) return;
  throw new HttpError(
    400,
    "validation_error",
    "access_token: is accepted only on GET /events, GET /jobs/:id/events and /ws; send Authorization: Bearer <key>",
    {
      field: "access_token",
      reason: "is accepted only on event streams; send Authorization: Bearer <key>",
    },
  );
}

/** Throws 403 unless the principal has one of `roles`. */
export function requireRole(principal: Principal, ...roles: ApiKeyRole[]): void {
  if (!roles.includes(principal.role)) {
    throw new HttpError(
      403,
      "forbidden",
      `this endpoint needs a ${roles.join(" or ")} key; this key is ${principal.role}`,
    );
  }
}

/** The tenant filter for reads: admins see every tenant (or the one they ask for), others their own. */
export function visibleTenant(principal: Principal, requested?: string): string | undefined {
  if (principal.role === "admin") return requested;
  return principal.tenant;
}

/** Throws 403 unless a worker key may claim from `queue`. */
export function requireQueueAccess(principal: Principal, queue: string): void {
  if (
    principal.role === "worker" &&
    principal.queues !== null &&
    !principal.queues.includes(queue)
  ) {
    throw new HttpError(403, "forbidden", `this worker key may not use queue ${queue}`);
  }
}

/** Whether the (parsed) query string has `name`; hooks run before any route schema applies. */
function hasQueryField(request: FastifyRequest, name: string): boolean {
  const query: unknown = request.query;
  return typeof query === "object" && query !== null && name in query;
}

/** The query string's `name` field as parsed (a string, an array, or undefined). */
function queryField(request: FastifyRequest, name: string): unknown {
  const query: unknown = request.query;
  return typeof query === "object" && query !== null ? Reflect.get(query, name) : undefined;
}
