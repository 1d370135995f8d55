/**
 * The short chaos run (bench/chaos/chaos-run.ts; `npm run chaos` is the long one) on each
 * store: `spool serve`, three `spool worker` processes and a remote HTTP worker; 1,000 jobs over
 * HTTP; 8 SIGKILLs of the server and the workers, each restarted; a restart of a private
 * PostgreSQL cluster or, on SQLite, a kill -9 of every process at once. From the run's own
 * records: no acknowledged job or result lost, no two runs of one job at once, every job
 * completed, and at least one kill hit a running job.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runChaos } from "../../bench/chaos/chaos-run.js";

for (const store of ["sqlite", "postgres"] as const) {
  describe(`short chaos run (${store})`, () => {
    it("loses nothing, runs no job twice at once, completes every job", async () => {
      const report = await runChaos({ store, seed: 12, jobs: 1_000, kills: 8 });
      const summary = JSON.stringify({ ...report, kills: report.kills.length });
      assert.equal(report.acknowledged, 1_000, summary);
      assert.ok(report.jobsInStore >= report.acknowledged, summary);
      assert.equal(report.acknowledgedLost, 0, summary);
      assert.equal(report.resultsLost, 0, summary);
      assert.equal(report.overlappingRuns, 0, summary);
      assert.equal(report.notCompleted, 0, summary);
      assert.equal(report.storeFaults, 1, summary);
      assert.ok(report.kills.filter((kill) => !kill.all).length >= 8, summary);
      assert.ok(report.killsHitRunning > 0, `no kill hit a running job: ${summary}`);
    });
  });
}
