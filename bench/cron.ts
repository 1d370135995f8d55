/**
 * `npm run cron-run`: issue 14's cron proof at full length — two `spool serve` processes on one
 * store, a per-minute schedule, three ticks (about three minutes), on PostgreSQL and on SQLite
 * (bench/cron/cron-run.ts). Prints each store's report and exits 1 if any tick has two jobs,
 * any job belongs to no tick, or a tick between the first and the last is missing. Settings:
 * CRON_RUN_CRON (default `* * * * *`), CRON_RUN_TICKS (3), CRON_RUN_STORES (postgres,sqlite).
 */
import { runCronRun } from "./cron/cron-run.js";

const cron = process.env.CRON_RUN_CRON ?? "* * * * *";
const ticks = Number(process.env.CRON_RUN_TICKS ?? 3);
const stores = (process.env.CRON_RUN_STORES ?? "postgres,sqlite").split(",") as (
  "sqlite" | "postgres"
)[];

let failed = false;
for (const store of stores) {
  console.log(`\n== cron on ${store}: '${cron}', ${ticks} ticks, two spool serve processes`);
  const report = await runCronRun({ store, cron, ticks, log: (line) => console.log(`  ${line}`) });
  console.log(JSON.stringify(report, null, 2));
  const ok =
    report.duplicateTicks.length === 0 &&
    report.strayJobs.length === 0 &&
    report.missingTicks.length === 0;
  console.log(ok ? "  PASS: exactly one job per tick" : "  FAIL");
  failed ||= !ok;
}
process.exit(failed ? 1 : 0);
