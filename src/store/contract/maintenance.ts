/**
 * Part of the store contract (`Store`, store.ts, states the conventions).
 * Maintenance: rescue, promotion, pruning, count folding, table health, leadership.
 */
import type { JobState } from "../../core/states.js";

/** A job moved by maintenance, with what listeners need to know. */
export interface MovedJob {
  id: string;
  queue: string;
  type: string;
  status: JobState;
  attempt: number;
}

/** Live and dead row versions of one of the store's tables (`tableMaintenance` stores). */
export interface TableHealth {
  /** The table's name (unqualified), as `vacuumTable` takes it. */
  table: string;
  liveRows: number;
  deadRows: number;
  /** Rows inserted, updated or deleted since the planner's statistics were last gathered. */
  modifiedSinceAnalyze: number;
}

/**
 * A maintenance leadership as the store recorded it: who holds `name` and until when. A holder
 * leads while `now < expiresAt` and must renew before then; nobody else can take the row over
 * until it has expired.
 */
export interface Leadership {
  /** True when the caller (`holder` of the request) is the leader now. */
  leader: boolean;
  /** The current holder (the caller, or whoever else leads). */
  holder: string;
  /** When the current holder's lease ends, ms since the epoch. */
  expiresAt: number;
  /** When the current holder took the leadership over (unchanged by renewals). */
  acquiredAt: number;
}

/** Maintenance: rescue, promotion, pruning, count folding, table health, leadership. */
export interface MaintenanceStore {
  /** Moves running jobs whose lease expired to `retrying` (an attempt counted) or `failed`. */
  rescueExpiredLeases(params: {
    now: number;
    limit: number;
    random: () => number;
  }): Promise<MovedJob[]>;
  /** Moves `scheduled`/`retrying` jobs whose runAt has come to `queued`. */
  promoteDueJobs(params: { now: number; limit: number }): Promise<MovedJob[]>;
  /** Deletes finished jobs older than their state's retention; at most `limit` rows. */
  pruneFinishedJobs(params: {
    completedBefore: number;
    failedBefore: number;
    cancelledBefore: number;
    limit: number;
  }): Promise<number>;
  /**
   * Folds the job-count deltas appended by concurrent writers into the base counts (PostgreSQL;
   * stores that update their counts in place do nothing). Counts read the same before and after:
   * this only keeps the delta rows few. Returns how many delta rows it folded.
   */
  foldJobCounts(): Promise<number>;
  /**
   * Takes or renews the leadership `name` for `holder` until `now + leaseMs`: succeeds when the
   * row is free, expired by `now`, or already `holder`'s; otherwise reports the current leader.
   * Atomic across processes (one winner per expiry).
   */
  acquireLeadership(params: {
    name: string;
    holder: string;
    leaseMs: number;
    now: number;
  }): Promise<Leadership>;
  /** Gives the leadership up when `holder` has it (a no-op otherwise), so a peer takes over at once. */
  releaseLeadership(params: { name: string; holder: string }): Promise<void>;
  /** The hot tables' live and dead row versions (empty without `tableMaintenance`). */
  readTableHealth(): Promise<TableHealth[]>;
  /**
   * Reclaims one table's dead row versions and dead index entries and refreshes its planner
   * statistics (PostgreSQL: `VACUUM (ANALYZE)`), or with `analyzeOnly` only the latter
   * (`ANALYZE`), skipping it when another process is at it; returns whether it ran. Only tables
   * `readTableHealth` reported. A no-op without `tableMaintenance`.
   */
  vacuumTable(params: { table: string; analyzeOnly?: boolean }): Promise<boolean>;
}
