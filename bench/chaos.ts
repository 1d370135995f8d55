/**
 * `npm run chaos`: the chaos run (bench/chaos/chaos-run.ts) on SQLite and on PostgreSQL (a
 * private cluster), 5,000 jobs and 24 SIGKILLs each by default. Prints each store's report and
 * exits 1 if any acknowledged job or result was lost, two runs of a job overlapped, a job did not
 * complete, or no kill hit a running job. Settings: CHAOS_SEED, CHAOS_JOBS, CHAOS_KILLS,
 * CHAOS_STORES (comma-separated), CHAOS_KEEP=1 keeps the records.
 */
import { runChaos, type ChaosReport } from "./chaos/chaos-run.js";

const seed = Number(process.env.CHAOS_SEED ?? 20261201);
const jobs = Number(process.env.CHAOS_JOBS ?? 5_000);
const kills = Number(process.env.CHAOS_KILLS ?? 24);
const stores = (process.env.CHAOS_STORES ?? "sqlite,postgres").split(",") as (
  "sqlite" | "postgres"
)[];

/** True when the report shows every promise kept. */
export function passed(report: ChaosReport): boolean {
  return (
    report.acknowledgedLost === 0 &&
    report.resultsLost === 0 &&
    report.overlappingRuns === 0 &&
    report.notCompleted === 0 &&
    report.killsHitRunning > 0
  );
}

// Ctrl-C: exit through the exit hooks, which kill the run's processes and its private cluster.
process.on("SIGINT", () => process.exit(130));

let failed = false;
for (const store of stores) {
  console.log(`\n== chaos on ${store}: seed ${seed}, ${jobs} jobs, ${kills} kills`);
  const report = await runChaos({
    store,
    seed,
    jobs,
    kills,
    log: (line) => console.log(`  ${line}`),
  });
  const byRole = new Map<string, number>();
  for (const kill of report.kills) byRole.set(kill.role, (byRole.get(kill.role) ?? 0) + 1);
  console.log(
    JSON.stringify(
      {
        store: report.store,
        seed: report.seed,
        duration_s: Math.round(report.durationMs / 100) / 10,
        acknowledged: report.acknowledged,
        jobs_in_store: report.jobsInStore,
        executions: report.executions,
        reruns: report.reruns,
        sigkills: report.kills.length,
        sigkills_by_role: Object.fromEntries(byRole),
        kills_that_hit_a_running_job: report.killsHitRunning,
        store_faults: report.storeFaults,
        acknowledged_lost: report.acknowledgedLost,
        results_lost: report.resultsLost,
        overlapping_runs: report.overlappingRuns,
        not_completed: report.notCompleted,
        problems: report.problems,
      },
      null,
      2,
    ),
  );
  if (!passed(report)) failed = true;
}
process.exit(failed ? 1 : 0);
