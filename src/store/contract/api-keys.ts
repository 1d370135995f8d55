/**
 * Part of the store contract (`Store`, store.ts, states the conventions).
 * API keys (hashes only).
 */

/** Roles of API keys (SPEC §2). */
export type ApiKeyRole = "admin" | "producer" | "worker";

/** An API key as stored: never the key itself, only its hash. */
export interface ApiKeyRecord {
  id: string;
  name: string | null;
  /** The first characters of the key, to recognise it in listings. */
  prefix: string;
  role: ApiKeyRole;
  tenant: string;
  /** Queues a worker key may claim from; null = any. */
  queues: string[] | null;
  createdAt: Date;
  revokedAt: Date | null;
}

/** API keys (hashes only). */
export interface ApiKeyStore {
  /** Stores a new API key (its hash only). */
  createApiKey(params: {
    id: string;
    hash: string;
    prefix: string;
    name: string | null;
    role: ApiKeyRole;
    tenant: string;
    queues: string[] | null;
    now: number;
  }): Promise<ApiKeyRecord>;
  /** The key with this hash, revoked or not, or null. */
  findApiKey(params: { hash: string }): Promise<ApiKeyRecord | null>;
  /** Every key, newest first. */
  listApiKeys(): Promise<ApiKeyRecord[]>;
  /** Revokes a key; throws `SpoolNotFoundError` for an unknown id. */
  revokeApiKey(params: { id: string; now: number }): Promise<ApiKeyRecord>;
}
