/**
 * Keeps the store's hot tables free of dead row versions where the database does not (on
 * PostgreSQL with autovacuum off or lagging). Every job's transitions leave dead versions in
 * `jobs` and dead entries in its indexes — a claim's old `queued` entry stays at the front of the
 * claim index until a vacuum removes it, and every later claim steps over it — so the cost of
 * the hot path would otherwise grow with the number of jobs that went through.
 *
 * Every `intervalMs` it reads the tables' live and dead counts (one cheap statistics query) and
 * vacuums the table with the most dead rows among those over both thresholds: `minDeadRows`
 * and `deadFraction` of its live rows (autovacuum's rule, with a lower fraction). When none is
 * due, it ANALYZEs the table most modified since its statistics were gathered, over
 * `minModifiedRows` and `analyzeFraction` of its live rows: without fresh statistics the
 * planner believes a table bulk-loaded with a million jobs still empty, and the claim's cached
 * generic plan sorted every queued row on each claim (1.5 s per claim with 990,000 queued,
 * measured; issue 15's "160 jobs/s"). The cost stays bounded: one table per round, and after a vacuum that took d ms none starts before
 * d × (1 − maxShare) / maxShare ms have passed, so vacuuming takes at most `maxShare` of this
 * process's wall time. Only stores with the `tableMaintenance` capability get one (SQLite
 * reclaims space itself).
 */
import type { Store, TableHealth } from "../store/store.js";
import type { MaintenanceService } from "./service.js";

/** Options of the table vacuumer. */
export interface TableVacuumerOptions {
  /** Default 2,000 ms. */
  intervalMs?: number;
  /** Dead rows below which a table is left alone. Default 10,000. */
  minDeadRows?: number;
  /** Dead rows, as a fraction of live rows, below which a table is left alone. Default 0.1. */
  deadFraction?: number;
  /** Rows modified since the last ANALYZE below which it is not analysed. Default 1,000. */
  minModifiedRows?: number;
  /** The same, as a fraction of live rows. Default 0.1. */
  analyzeFraction?: number;
  /** Most of the wall time spent vacuuming (0–1]. Default 0.2. */
  maxShare?: number;
  store: Store;
}

/** Thresholds of the table vacuumer. */
export interface VacuumThresholds {
  minDeadRows: number;
  deadFraction: number;
  minModifiedRows: number;
  analyzeFraction: number;
}

/**
 * What to do now, if anything: VACUUM the table with most dead rows over both dead-row
 * thresholds, else ANALYZE the one most modified over both analyze thresholds. Pure.
 */
export function tableToVacuum(
  tables: readonly TableHealth[],
  thresholds: VacuumThresholds,
): { table: string; analyzeOnly: boolean } | undefined {
  const vacuum = tables
    .filter(
      (t) =>
        t.deadRows >= thresholds.minDeadRows && t.deadRows >= thresholds.deadFraction * t.liveRows,
    )
    .sort((a, b) => b.deadRows - a.deadRows)[0];
  if (vacuum !== undefined) return { table: vacuum.table, analyzeOnly: false };
  const analyze = tables
    .filter(
      (t) =>
        t.modifiedSinceAnalyze >= thresholds.minModifiedRows &&
        t.modifiedSinceAnalyze >= thresholds.analyzeFraction * t.liveRows,
    )
    .sort((a, b) => b.modifiedSinceAnalyze - a.modifiedSinceAnalyze)[0];
  return analyze === undefined ? undefined : { table: analyze.table, analyzeOnly: true };
}

/** See the module header. */
export class TableVacuumer implements MaintenanceService {
  readonly name = "table-vacuumer";
  readonly intervalMs: number;
  private readonly thresholds: VacuumThresholds;
  private readonly maxShare: number;
  /** Wall-clock time (performance.now) before which no vacuum starts. */
  private restUntil = 0;

  constructor(private readonly options: TableVacuumerOptions) {
    this.intervalMs = options.intervalMs ?? 2_000;
    this.thresholds = {
      minDeadRows: options.minDeadRows ?? 10_000,
      deadFraction: options.deadFraction ?? 0.1,
      minModifiedRows: options.minModifiedRows ?? 1_000,
      analyzeFraction: options.analyzeFraction ?? 0.1,
    };
    this.maxShare = Math.min(1, Math.max(0.01, options.maxShare ?? 0.2));
  }

  /** Vacuums or analyses at most one table; returns how many it did (0 or 1). */
  async runOnce(): Promise<number> {
    const { store } = this.options;
    if (!store.capabilities.tableMaintenance) return 0;
    // The budget is about this process's elapsed time, not the (possibly fake) store clock.
    if (performance.now() < this.restUntil) return 0;
    const chosen = tableToVacuum(await store.readTableHealth(), this.thresholds);
    if (chosen === undefined) return 0;
    const started = performance.now();
    const ran = await store.vacuumTable(chosen);
    const tookMs = performance.now() - started;
    this.restUntil = performance.now() + (tookMs * (1 - this.maxShare)) / this.maxShare;
    return ran ? 1 : 0;
  }
}
