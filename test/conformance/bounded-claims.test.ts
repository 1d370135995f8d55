/**
 * Conformance of bounded claim-time promotion (issue 12), on every store: a claim promotes at
 * most what it can take, however many scheduled/retrying jobs are due, and the promoter moves
 * the rest in bounded batches. Tested by observable effect (the states after the claim), with
 * 100,000 due jobs. A file of its own, not part of store.suite.ts: filling 100,000 jobs takes
 * tens of seconds on a loaded machine, and the main suite's files must stay within the test
 * runner's per-file timeout.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { jobInput } from "../helpers/factories.js";
import { FakeClock } from "../helpers/fake-clock.js";
import { openTestPostgresStore } from "../helpers/postgres.js";
import { tempDir } from "../helpers/temp-dir.js";

const STORES: { name: string; create: () => Promise<Store> }[] = [
  {
    name: "sqlite",
    create: async () => {
      const store = new SqliteStore({ path: join(tempDir(), "spool.db") });
      await store.migrate();
      return store;
    },
  },
  { name: "postgres", create: () => openTestPostgresStore() },
];

const DUE = 100_000;

for (const { name, create } of STORES) {
  describe(`bounded claim-time promotion: ${name}`, () => {
    let store: Store | undefined;
    afterEach(async () => {
      await store?.close();
    });

    it("a claim of 10 promotes at most 10 of 100,000 due jobs; the promoter works in batches", async () => {
      store = await create();
      const clock = new FakeClock();
      const jobs = Array.from({ length: DUE }, () => jobInput(clock.now(), { delay: 1_000 }));
      for (let i = 0; i < jobs.length; i += 1_000)
        await store.enqueueJobs({ jobs: jobs.slice(i, i + 1_000), now: clock.now() });
      clock.advance(2_000);
      const claimed = await store.claimJobs({
        queues: ["default"],
        workerId: "w1",
        limit: 10,
        leaseMs: 30_000,
        now: clock.now(),
      });
      assert.equal(claimed.length, 10);
      const counts = await store.countJobsByState({});
      assert.equal(counts.running, 10);
      assert.equal(counts.queued, 0, "promoted only what it claimed");
      assert.equal(counts.scheduled, DUE - 10, "the rest is left to the promoter");
      const moved = await store.promoteDueJobs({ now: clock.now(), limit: 500 });
      assert.equal(moved.length, 500, "the promoter works in bounded batches");
      assert.equal((await store.countJobsByState({})).queued, 500);
    });
  });
}
