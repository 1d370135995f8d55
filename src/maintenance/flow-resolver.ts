/**
 * Moves jobs held for their parents on (SPEC §8 "Dependencies", "Batches"): a held job whose
 * parents all completed becomes `queued`; one whose parent failed or was cancelled ends
 * `cancelled` with `DependencyFailed`, and its own dependents follow in the next round of the
 * same run; batches whose jobs are all final are finished and their `on_complete` job enqueued
 * (exactly once, by the store's conditional update). Runs on the maintenance leader; a round
 * reads only the held jobs' edges and the unfinished batches, never the jobs table as a whole.
 */
import type { Store } from "../store/store.js";
import type { MaintenanceService } from "./service.js";

/** Options of the flow resolver. */
export interface FlowResolverOptions {
  /** Default 250 ms (the promoter's cadence: a released job starts about as soon as a due one). */
  intervalMs?: number;
  /** Held jobs and batches per round. Default 500. */
  limit?: number;
  /** Rounds per run at most (each cascade level of cancellations takes one). Default 20. */
  maxRounds?: number;
  store: Store;
}

/** See the module header. */
export class FlowResolver implements MaintenanceService {
  readonly name = "flow-resolver";
  readonly intervalMs: number;
  private readonly limit: number;
  private readonly maxRounds: number;

  constructor(private readonly options: FlowResolverOptions) {
    this.intervalMs = options.intervalMs ?? 250;
    this.limit = options.limit ?? 500;
    this.maxRounds = options.maxRounds ?? 20;
  }

  /** Resolves until a round changes nothing (or `maxRounds`); returns how many jobs it moved. */
  async runOnce(now: number): Promise<number> {
    let total = 0;
    for (let round = 0; round < this.maxRounds; round++) {
      const done = await this.options.store.resolveFlows({ now, limit: this.limit });
      const moved = done.released + done.cancelled + done.onCompleteJobs.length;
      total += moved;
      if (moved === 0 && done.batchesFinished === 0) break;
    }
    return total;
  }
}
