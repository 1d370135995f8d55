/**
 * The performance targets of issue #2 (core engine on SQLite) and issue #3 (PostgreSQL store),
 * checked against one run's results. A target whose inputs were not measured in this run says
 * so instead of passing or failing.
 */
import type { BenchResults } from "./results.js";

/** MET, NOT MET, or NOT MEASURED (with the reason in `measured`). */
export type TargetStatus = "MET" | "NOT MET" | "NOT MEASURED";

/** One target and how this run did against it. */
export interface TargetCheck {
  issue: string;
  target: string;
  measured: string;
  status: TargetStatus;
}

const GRAPHILE = "graphile-worker";

function jobsPerSecond(n: number): string {
  return `${Math.round(n).toLocaleString("en")} jobs/s`;
}

function ms(n: number): string {
  return `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms`;
}

function check(
  issue: string,
  target: string,
  inputs: (number | undefined)[],
  evaluate: (values: number[]) => { ok: boolean; measured: string },
  missing: string,
): TargetCheck {
  if (inputs.some((v) => v === undefined)) {
    return { issue, target, measured: missing, status: "NOT MEASURED" };
  }
  const { ok, measured } = evaluate(inputs as number[]);
  return { issue, target, measured, status: ok ? "MET" : "NOT MET" };
}

/** Checks every target against `results`. */
export function checkTargets(results: BenchResults): TargetCheck[] {
  const sqliteProcess = results.throughput("process", "spool-sqlite");
  const pgProcess = results.throughput("process", "spool-postgres");
  const graphileProcess = results.throughput("process", GRAPHILE);
  const cross = results.measurement("pickup-cross", "spool-sqlite");
  const crossP50 = cross?.kind === "latency" ? cross.latency.p50 : undefined;
  const idleCpu = cross?.kind === "latency" ? cross.idleCpuPercent : undefined;
  const steady = results.measurement("steady", "spool-postgres");
  const noSqlite = "Spool (SQLite) not measured in this run";
  const noPg = "Spool (PostgreSQL) not measured in this run (not available in this build?)";
  const noPair = "Spool or graphile-worker not measured in this run";

  return [
    check(
      "#2",
      "Spool (SQLite) no-op processing at concurrency 50 ≥ 60,000 jobs/s in one process",
      [sqliteProcess],
      ([v]) => ({ ok: v! >= 60_000, measured: jobsPerSecond(v!) }),
      noSqlite,
    ),
    check(
      "#2",
      "Spool (SQLite) processing ≥ 3× graphile-worker's",
      [sqliteProcess, graphileProcess],
      ([s, g]) => ({
        ok: s! >= 3 * g!,
        measured: `${(s! / g!).toFixed(2)}× (${jobsPerSecond(s!)} vs ${jobsPerSecond(g!)})`,
      }),
      noPair,
    ),
    check(
      "#2",
      "Spool (SQLite) in-process pickup p50 < 1 ms",
      [results.latency("pickup", "spool-sqlite", "p50")],
      ([v]) => ({ ok: v! < 1, measured: `p50 ${ms(v!)}` }),
      noSqlite,
    ),
    check(
      "#2",
      "Spool (SQLite) cross-process pickup p50 < 50 ms",
      [crossP50],
      ([v]) => ({ ok: v! < 50, measured: `p50 ${ms(v!)}` }),
      noSqlite,
    ),
    check(
      "#2",
      "Spool (SQLite) idle cross-process worker < 2 % CPU",
      [idleCpu],
      ([v]) => ({ ok: v! < 2, measured: `${v!.toFixed(2)} % of one core` }),
      noSqlite,
    ),
    check(
      "#3",
      "Spool (PostgreSQL) processing ≥ 1.5× graphile-worker's",
      [pgProcess, graphileProcess],
      ([s, g]) => ({
        ok: s! >= 1.5 * g!,
        measured: `${(s! / g!).toFixed(2)}× (${jobsPerSecond(s!)} vs ${jobsPerSecond(g!)})`,
      }),
      noPg,
    ),
    check(
      "#3",
      "Spool (PostgreSQL) pickup p50 ≤ graphile-worker's",
      [
        results.latency("pickup", "spool-postgres", "p50"),
        results.latency("pickup", GRAPHILE, "p50"),
      ],
      ([s, g]) => ({ ok: s! <= g!, measured: `${ms(s!)} vs ${ms(g!)}` }),
      noPg,
    ),
    check(
      "#3",
      "Spool (PostgreSQL) single submits, 16 in flight ≥ 5× graphile-worker's",
      [
        results.throughput("single-16", "spool-postgres"),
        results.throughput("single-16", GRAPHILE),
      ],
      ([s, g]) => ({
        ok: s! >= 5 * g!,
        measured: `${(s! / g!).toFixed(2)}× (${jobsPerSecond(s!)} vs ${jobsPerSecond(g!)})`,
      }),
      noPg,
    ),
    check(
      "#3",
      "Spool (PostgreSQL) steady 1,000 jobs/s: completed inside its window, p99 < 20 ms",
      [steady?.kind === "steady" ? (steady.latency?.p99 ?? Infinity) : undefined],
      ([p99]) => {
        const keptUp = steady?.kind === "steady" && steady.keptUp;
        return {
          ok: keptUp && p99! < 20,
          measured: `${keptUp ? "kept up" : "did not keep up"}, p99 ${
            Number.isFinite(p99) ? ms(p99!) : "n/a"
          }`,
        };
      },
      noPg,
    ),
  ];
}
