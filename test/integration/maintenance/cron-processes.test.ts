/**
 * Cron across processes (SPEC §8, issue 14 "Must show"): two `spool serve` processes on one
 * store — a PostgreSQL database, an SQLite file — and a per-second schedule for ten ticks.
 * Every tick has exactly one job: none has two, none is missing between the first and the last,
 * and the count matches the wall-clock window's ticks within one at each edge. The per-minute,
 * three-minute version is `npm run cron-run` (bench/cron.ts; figures in docs/design.md).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runCronRun } from "../../../bench/cron/cron-run.js";

for (const store of ["postgres", "sqlite"] as const) {
  describe(`cron with two spool serve processes (${store})`, () => {
    it("enqueues exactly one job per tick of a per-second schedule", async () => {
      const report = await runCronRun({ store, cron: "*/1 * * * * *", ticks: 10 });
      assert.deepEqual(report.duplicateTicks, [], "no tick has two jobs");
      assert.deepEqual(report.strayJobs, [], "every job belongs to a tick");
      assert.deepEqual(
        report.missingTicks,
        [],
        "no tick between the first and the last is missing",
      );
      assert.ok(report.jobs >= 10, `${report.jobs} jobs for 10 ticks`);
      assert.ok(
        Math.abs(report.jobs - report.windowTicks) <= 2,
        `${report.jobs} jobs, ${report.windowTicks} ticks in the window (±1 at each edge)`,
      );
    });
  });
}
