/**
 * Presence of remote HTTP workers (SPEC §6 "Workers are visible"). A remote worker does not
 * register itself: the server registers it on its claim calls (name = the claim's `worker`,
 * queues and types from its claims, concurrency = `max_jobs`) and refreshes it on claims and
 * heartbeats, so a worker busy with one long job stays listed. It is gone 3 lease periods
 * (its claims' `lease_seconds`) after its last call.
 *
 * Writes are throttled per worker to one per third of a lease (the cadence of local workers'
 * heartbeats), plus one whenever a claim names a new queue, type or concurrency: a worker that
 * long-polls in a tight loop does not turn every claim into a registry write. The throttle is per
 * process; with several API servers each writes at most at that rate.
 *
 * Ids are `remote:<tenant or *>:<name>`: names are unique per tenant scope, so two tenants' workers
 * may share a name, and a claim whose name a live worker of the same scope holds (a local worker,
 * say) is refused with 409 `worker_name_taken` before any job is handed out.
 */
import type { JobRecord } from "../core/job.js";
import type { Logger } from "../core/logger.js";
import { ANY_TYPE, workerStaleAfterMs } from "../core/worker-presence.js";
import type { SpoolWorkers } from "../spool-workers.js";
import type { Principal } from "./auth.js";

/** What a claim call tells about its worker. */
export interface RemoteClaim {
  name: string;
  queue: string;
  /** Types of the claim body; undefined = any. */
  types: readonly string[] | undefined;
  maxJobs: number;
  leaseMs: number;
  /** The caller's address. */
  host: string;
  /** The caller's User-Agent, if any. */
  userAgent: string | undefined;
}

interface Written {
  at: number;
  everyMs: number;
  queues: Set<string>;
  types: Set<string>;
  concurrency: number;
}

/** Bounds the throttle's memory; past it the map starts over (a few extra writes, no harm). */
const MAX_TRACKED = 10_000;

/** See the module header. */
export class RemoteWorkerRegistry {
  private readonly written = new Map<string, Written>();
  /** Each worker's last claimed `lease_seconds` (ms), so a heartbeat renews by the same period. */
  private readonly claimLeases = new Map<string, number>();

  constructor(
    private readonly workers: SpoolWorkers,
    private readonly logger: Logger,
  ) {}

  /** Registers or refreshes the claiming worker; throws `SpoolConflictError` for a taken name. */
  async onClaim(principal: Principal, claim: RemoteClaim, now: number): Promise<void> {
    const tenant = principal.role === "worker" ? principal.tenant : null;
    const id = remoteWorkerId(tenant, claim.name);
    const types = claim.types === undefined || claim.types.length === 0 ? [ANY_TYPE] : claim.types;
    if (this.claimLeases.size >= MAX_TRACKED) this.claimLeases.clear();
    this.claimLeases.set(id, claim.leaseMs);
    const last = this.written.get(id);
    if (
      last !== undefined &&
      now - last.at < last.everyMs &&
      last.queues.has(claim.queue) &&
      types.every((type) => last.types.has(type)) &&
      last.concurrency === claim.maxJobs
    )
      return;
    const staleAfterMs = workerStaleAfterMs(claim.leaseMs);
    const row = await this.workers.registerWorker({
      worker: {
        id,
        name: claim.name,
        host: claim.host,
        pid: null,
        kind: "remote",
        tenant,
        queues: [claim.queue],
        types,
        concurrency: claim.maxJobs,
        running: 0,
        version: claim.userAgent?.slice(0, 100) || "unknown",
        staleAfterMs,
      },
      now,
    });
    if (this.written.size >= MAX_TRACKED) this.written.clear();
    this.written.set(id, {
      at: now,
      everyMs: Math.floor(claim.leaseMs / 3),
      queues: new Set(row.queues),
      types: new Set(row.types),
      concurrency: claim.maxJobs,
    });
  }

  /**
   * The lease period the worker holding `job` asked for on its last claim through this process;
   * undefined when unknown (a local worker's job, or a claim served by another API server).
   */
  claimLeaseMs(principal: Principal, job: JobRecord): number | undefined {
    if (job.worker === null) return undefined;
    const id = remoteWorkerId(principal.role === "worker" ? principal.tenant : null, job.worker);
    return this.claimLeases.get(id);
  }

  /** Refreshes the worker holding `job` after one of its heartbeats. Never throws. */
  async onHeartbeat(principal: Principal, job: JobRecord, now: number): Promise<void> {
    if (job.worker === null) return;
    const id = remoteWorkerId(principal.role === "worker" ? principal.tenant : null, job.worker);
    const last = this.written.get(id);
    if (last !== undefined && now - last.at < last.everyMs) return;
    try {
      const missing = await this.workers.heartbeatWorkers({ workers: [{ id }], now });
      // A worker not registered (a local worker's job, or a row already pruned) is left alone:
      // its next claim registers it with what the claim says.
      if (missing.length === 0 && last !== undefined) last.at = now;
    } catch (error) {
      this.logger.warn(
        { err: error, workerId: id },
        "refreshing a remote worker's presence failed",
      );
    }
  }
}

/** The registry id of a remote worker: unique per tenant scope and name. */
export function remoteWorkerId(tenant: string | null, name: string): string {
  return `remote:${tenant ?? "*"}:${name}`;
}
