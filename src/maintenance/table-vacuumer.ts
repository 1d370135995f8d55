/**
 * Keeps the store's hot tables free of dead row versions where the database does not (on
 * PostgreSQL with autovacuum off or lagging). Every job's transitions leave dead versions in
 * `jobs` and dead entries in its indexes — a claim's old `queued` entry stays at the front of the
 * claim index until a vacuum removes it, and every later claim steps over it — so the cost of
 * the hot path would otherwise grow with the number of jobs that went through.
 *
 * Every `intervalMs` it reads the tables' live and dead counts (one cheap statistics query) and
 * vacuums the table with the most dead rows among those over both thresholds: `minDeadRows`
 * and `deadFraction` of its live rows (autovacuum's rule, with a far lower fraction). The cost
 * stays bounded: one table per round, and after a vacuum that took d ms none starts before
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
  /** Most of the wall time spent vacuuming (0–1]. Default 0.2. */
  maxShare?: number;
  store: Store;
}

/**
 * The table to vacuum now, if any: the one with most dead rows over both thresholds. Pure.
 */
export function tableToVacuum(
  tables: readonly TableHealth[],
  thresholds: { minDeadRows: number; deadFraction: number },
): TableHealth | undefined {
  const due = tables.filter(
    (t) =>
      t.deadRows >= thresholds.minDeadRows && t.deadRows >= thresholds.deadFraction * t.liveRows,
  );
  return due.sort((a, b) => b.deadRows - a.deadRows)[0];
}

/** See the module header. */
export class TableVacuumer implements MaintenanceService {
  readonly name = "table-vacuumer";
  readonly intervalMs: number;
  private readonly thresholds: { minDeadRows: number; deadFraction: number };
  private readonly maxShare: number;
  /** Wall-clock time (performance.now) before which no vacuum starts. */
  private restUntil = 0;

  constructor(private readonly options: TableVacuumerOptions) {
    this.intervalMs = options.intervalMs ?? 2_000;
    this.thresholds = {
      minDeadRows: options.minDeadRows ?? 10_000,
      deadFraction: options.deadFraction ?? 0.1,
    };
    this.maxShare = Math.min(1, Math.max(0.01, options.maxShare ?? 0.2));
  }

  /** Vacuums at most one table; returns how many it vacuumed (0 or 1). */
  async runOnce(): Promise<number> {
    const { store } = this.options;
    if (!store.capabilities.tableMaintenance) return 0;
    // The budget is about this process's elapsed time, not the (possibly fake) store clock.
    if (performance.now() < this.restUntil) return 0;
    const table = tableToVacuum(await store.readTableHealth(), this.thresholds);
    if (table === undefined) return 0;
    const started = performance.now();
    const ran = await store.vacuumTable({ table: table.table });
    const tookMs = performance.now() - started;
    this.restUntil = performance.now() + (tookMs * (1 - this.maxShare)) / this.maxShare;
    return ran ? 1 : 0;
  }
}
