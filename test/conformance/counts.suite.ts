/**
 * Conformance of the maintained job counts (issue 12, "reads at scale"): `countJobsByState` and
 * the counts of `queueStats` come from counters kept in the same transaction as every state
 * change, not from counting the jobs table. These tests drive every transition a job can make
 * and compare the counters, after each step, with a real count of the jobs (`listJobs` pages,
 * which read the jobs themselves). Called from `defineStoreConformance`, so every store runs it
 * unchanged.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ClaimedJob } from "../../src/core/job.js";
import type { EnqueueOptions } from "../../src/core/options.js";
import { JOB_STATES, type JobState } from "../../src/core/states.js";
import type { StateCounts, Store } from "../../src/store/store.js";
import { jobInput } from "../helpers/factories.js";
import type { FakeClock } from "../helpers/fake-clock.js";
import { failOneJob } from "../../src/store/shared/failed-attempts.js";

/** The suite's fixtures, read when each test runs (they are fresh per test). */
export interface CountsFixtures {
  store: Store;
  clock: FakeClock;
}

const LEASE_MS = 30_000;
const TENANTS = ["t-a", "t-b"] as const;
const QUEUES = ["default", "other"] as const;

function zero(): StateCounts {
  return Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as StateCounts;
}

/** Every job, read page by page from the jobs themselves, tallied by tenant, queue and state. */
async function realCounts(store: Store): Promise<Map<string, StateCounts>> {
  const tally = new Map<string, StateCounts>();
  let cursor: string | undefined;
  for (;;) {
    const page = await store.listJobs({ limit: 500, ...(cursor === undefined ? {} : { cursor }) });
    for (const job of page.jobs) {
      const key = `${job.tenant}/${job.queue}`;
      const counts = tally.get(key) ?? zero();
      counts[job.status] += 1;
      tally.set(key, counts);
    }
    if (page.nextCursor === null) return tally;
    cursor = page.nextCursor;
  }
}

function sum(maps: readonly StateCounts[]): StateCounts {
  const total = zero();
  for (const counts of maps) for (const state of JOB_STATES) total[state] += counts[state];
  return total;
}

/** Asserts every read of the counters agrees with the real count, at every granularity. */
async function assertCountsExact(store: Store, now: number, step: string): Promise<void> {
  const real = await realCounts(store);
  const of = (tenant?: string, queue?: string): StateCounts =>
    sum(
      [...real.entries()]
        .filter(([key]) => {
          const [t, q] = key.split("/");
          return (tenant === undefined || t === tenant) && (queue === undefined || q === queue);
        })
        .map(([, counts]) => counts),
    );
  assert.deepEqual(await store.countJobsByState({}), of(), `${step}: all jobs`);
  for (const tenant of TENANTS) {
    assert.deepEqual(await store.countJobsByState({ tenant }), of(tenant), `${step}: ${tenant}`);
    for (const queue of QUEUES)
      assert.deepEqual(
        await store.countJobsByState({ tenant, queue }),
        of(tenant, queue),
        `${step}: ${tenant}/${queue}`,
      );
  }
  for (const queue of QUEUES)
    assert.deepEqual(
      await store.countJobsByState({ queue }),
      of(undefined, queue),
      `${step}: ${queue}`,
    );
  for (const tenant of [undefined, ...TENANTS]) {
    const stats = await store.queueStats({
      now,
      windowMs: 3_600_000,
      ...(tenant === undefined ? {} : { tenant }),
    });
    for (const queue of QUEUES) {
      const expected = of(tenant, queue);
      const listed = stats.find((entry) => entry.name === queue);
      const hasJobs = JOB_STATES.some((state) => expected[state] > 0);
      if (listed === undefined) assert.ok(!hasJobs, `${step}: queueStats lists ${queue}`);
      else
        assert.deepEqual(listed.counts, expected, `${step}: queueStats ${tenant ?? "*"}/${queue}`);
    }
  }
}

/** Defines the counts tests inside a store's conformance suite. */
export function defineCountsConformance(fixtures: () => CountsFixtures): void {
  describe("maintained job counts", () => {
    const enqueue = async (opts: EnqueueOptions = {}) => {
      const { store, clock } = fixtures();
      const [outcome] = await store.enqueueJobs({
        jobs: [jobInput(clock.now(), opts)],
        now: clock.now(),
      });
      return outcome!.job;
    };
    const claim = (limit: number, queues: string[] = ["default"]): Promise<ClaimedJob[]> => {
      const { store, clock } = fixtures();
      return store.claimJobs({
        queues,
        workerId: "w1",
        limit,
        leaseMs: LEASE_MS,
        now: clock.now(),
      });
    };
    const fail = (job: ClaimedJob, outcome: "retrying" | "failed") => {
      const { store, clock } = fixtures();
      return failOneJob(store, {
        id: job.id,
        leaseToken: job.leaseToken,
        error: { message: "boom", type: "Error", attempt: job.attempt },
        outcome:
          outcome === "failed"
            ? { status: "failed" }
            : { status: "retrying", runAt: clock.now() + 1_000 },
        now: clock.now(),
      });
    };
    const complete = (jobs: readonly ClaimedJob[]) => {
      const { store, clock } = fixtures();
      return store.completeJobs({
        completions: jobs.map((job) => ({
          id: job.id,
          leaseToken: job.leaseToken,
          resultJson: null,
        })),
        now: clock.now(),
      });
    };

    it("stay exact through every transition, on every tenant and queue", async () => {
      const { store, clock } = fixtures();
      const check = (step: string) => assertCountsExact(store, clock.now(), step);
      await check("empty");

      // submit: queued and scheduled, two tenants, two queues; a duplicate counts nothing
      for (const tenant of TENANTS)
        for (const queue of QUEUES) {
          for (let i = 0; i < 3; i++) await enqueue({ tenant, queue, tags: ["x"] });
          await enqueue({ tenant, queue, delay: 5_000 });
        }
      await enqueue({ tenant: "t-a", uniqueKey: "k1" });
      await enqueue({ tenant: "t-a", uniqueKey: "k1" });
      await enqueue({ tenant: "t-b", queue: "other", maxAttempts: 1 });
      await check("submit");

      // claim (with the claim-time promotion of nothing yet), then complete
      const first = await claim(4);
      assert.equal(first.length, 4);
      await check("claim");
      await complete(first.slice(0, 2));
      await check("complete");

      // fail → retrying, fail → failed
      await fail(first[2]!, "retrying");
      await check("fail → retrying");
      await fail(first[3]!, "failed");
      await check("fail → failed");

      // cancel: a waiting job at once; a running one when its worker completes
      const [waiting] = (await store.listJobs({ status: ["queued"], queue: "other", limit: 1 }))
        .jobs;
      await store.cancelJob({ id: waiting!.id, now: clock.now() });
      await check("cancel waiting");
      const [running] = await claim(1, ["other"]);
      await store.cancelJob({ id: running!.id, now: clock.now() });
      await check("cancel requested (still running)");
      await complete([running!]);
      await check("cancelled at completion");

      // retry a failed and a cancelled job
      const failed = (await store.listJobs({ status: ["failed"], limit: 10 })).jobs;
      for (const job of failed) await store.retryJob({ id: job.id, now: clock.now() });
      await store.retryJob({ id: waiting!.id, now: clock.now() });
      await check("retry");

      // release
      const released = await claim(2);
      assert.equal(
        await store.releaseJobs({
          leases: released.map((job) => ({ id: job.id, leaseToken: job.leaseToken })),
          now: clock.now(),
        }),
        2,
      );
      await check("release");

      // promote (the promoter) once scheduled and retrying jobs are due
      clock.advance(6_000);
      const promoted = await store.promoteDueJobs({ now: clock.now(), limit: 3 });
      assert.ok(promoted.length > 0);
      await check("promote");
      // … and the claim-time promotion of the rest
      const afterPromotion = await claim(50, [...QUEUES]);
      await check("claim with promotion");

      // rescue: expired leases → retrying (attempts left) or failed (none left)
      const [last] = await claim(1, [...QUEUES]);
      assert.equal(last, undefined, "everything is running");
      clock.advance(LEASE_MS + 60_000);
      const rescued = await store.rescueExpiredLeases({
        now: clock.now(),
        limit: 1_000,
        random: () => 0.5,
      });
      assert.equal(rescued.length, afterPromotion.length);
      await check("rescue");

      // finish everything, then prune
      clock.advance(3_600_000);
      await store.promoteDueJobs({ now: clock.now(), limit: 1_000 });
      for (;;) {
        const batch = await claim(100, [...QUEUES]);
        if (batch.length === 0) break;
        await complete(batch);
      }
      await check("all finished");
      await store.foldJobCounts();
      await check("after a fold");
      clock.advance(1_000);
      const pruned = await store.pruneFinishedJobs({
        completedBefore: clock.now(),
        failedBefore: clock.now(),
        cancelledBefore: clock.now(),
        limit: 5,
      });
      assert.equal(pruned, 5);
      await check("prune (partial)");
      await store.pruneFinishedJobs({
        completedBefore: clock.now(),
        failedBefore: clock.now(),
        cancelledBefore: clock.now(),
        limit: 1_000,
      });
      await check("prune (all)");
      assert.deepEqual(await store.countJobsByState({}), zero());
      assert.deepEqual(
        (await store.queueStats({ now: clock.now(), windowMs: 1 })).filter((queue) =>
          JOB_STATES.some((state) => queue.counts[state as JobState] > 0),
        ),
        [],
      );
    });

    it("are exact after a fold, whatever was folded", async () => {
      const { store, clock } = fixtures();
      for (let i = 0; i < 20; i++)
        await enqueue({ tenant: TENANTS[i % 2]!, queue: QUEUES[i % 2]! });
      await complete(await claim(5));
      await store.foldJobCounts();
      await assertCountsExact(store, clock.now(), "after fold");
      await complete(await claim(5, [...QUEUES]));
      await assertCountsExact(store, clock.now(), "deltas on top of a fold");
      await store.foldJobCounts();
      assert.equal(await store.foldJobCounts(), 0, "a second fold finds nothing left");
      await assertCountsExact(store, clock.now(), "after a second fold");
    });
  });
}
