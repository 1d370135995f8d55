/**
 * Row mappings of the worker registry and the API-key table, shared by both stores. The rows
 * differ only in how their list columns arrive — JSON text on SQLite, `text[]` decoded by
 * node-postgres — so each dialect passes its decoder (`List`) and the mapping is written once.
 */
import type { WorkerPresence } from "../../core/worker-presence.js";
import type { ApiKeyRecord, ApiKeyRole } from "../store.js";

/** A `workers` row; `L` is how the dialect stores a list of names. */
export interface WorkerRow<L> {
  id: string;
  name: string;
  host: string;
  pid: number | null;
  kind: "local" | "remote";
  tenant: string | null;
  queues: L;
  types: L;
  concurrency: number;
  running: number;
  version: string;
  stale_after_ms: number;
  started_at: number;
  last_seen_at: number;
}

/** An `api_keys` row; `L` is how the dialect stores a list of names. */
export interface ApiKeyRow<L> {
  id: string;
  name: string | null;
  prefix: string;
  hash: string;
  role: ApiKeyRole;
  tenant: string;
  queues: L | null;
  created_at: number;
  revoked_at: number | null;
}

/** Decodes a stored list of names. */
export type ListDecoder<L> = (stored: L) => string[];

/** The one row → record mapping of the registry. */
export function rowToWorker<L>(row: WorkerRow<L>, list: ListDecoder<L>): WorkerPresence {
  return {
    id: row.id,
    name: row.name,
    host: row.host,
    pid: row.pid,
    kind: row.kind,
    tenant: row.tenant,
    queues: list(row.queues),
    types: list(row.types),
    concurrency: row.concurrency,
    running: row.running,
    version: row.version,
    staleAfterMs: row.stale_after_ms,
    startedAt: new Date(row.started_at),
    lastSeenAt: new Date(row.last_seen_at),
  };
}

/** The API key for a row (never its hash). */
export function rowToApiKey<L>(row: ApiKeyRow<L>, list: ListDecoder<L>): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role,
    tenant: row.tenant,
    queues: row.queues === null ? null : list(row.queues),
    createdAt: new Date(row.created_at),
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
  };
}

/** SQLite's decoder: lists are JSON text. */
export const jsonList: ListDecoder<string> = (stored) => JSON.parse(stored) as string[];

/** PostgreSQL's decoder: node-postgres already returns `text[]` as an array. */
export const arrayList: ListDecoder<string[]> = (stored) => stored;
