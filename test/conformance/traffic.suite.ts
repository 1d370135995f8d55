/**
 * Conformance of traffic control in the claim (SPEC §7): queue rate limits (a token bucket held
 * in the store), keyed concurrency (at most n running per concurrency key) and fair scheduling
 * by tenant (round-robin by weight, priority within a tenant). Called from
 * `defineStoreConformance`, so every store runs it unchanged.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ClaimedJob, JobRecord } from "../../src/core/job.js";
import type { EnqueueOptions } from "../../src/core/options.js";
import type { Store } from "../../src/store/store.js";
import { jobInput } from "../helpers/factories.js";
import type { FakeClock } from "../helpers/fake-clock.js";
import { setTenantWeight } from "../helpers/tenant-weights.js";

/** The suite's fixtures, read when each test runs (they are fresh per test). */
export interface TrafficFixtures {
  store: Store;
  clock: FakeClock;
}

const LEASE_MS = 30_000;

/** Defines the traffic-control tests inside a store's conformance suite. */
export function defineTrafficConformance(fixtures: () => TrafficFixtures): void {
  const enqueue = async (
    n: number,
    opts: EnqueueOptions & { type?: string } = {},
  ): Promise<JobRecord[]> => {
    const { store, clock } = fixtures();
    const outcomes = await store.enqueueJobs({
      jobs: Array.from({ length: n }, () => jobInput(clock.now(), opts)),
      now: clock.now(),
    });
    return outcomes.map((o) => o.job);
  };
  const claim = (limit: number, extra: { tenant?: string; types?: string[] } = {}) => {
    const { store, clock } = fixtures();
    return store.claimJobs({
      queues: ["default"],
      workerId: "w1",
      limit,
      leaseMs: LEASE_MS,
      now: clock.now(),
      ...extra,
    });
  };
  const complete = async (jobs: readonly ClaimedJob[]): Promise<void> => {
    const { store, clock } = fixtures();
    await store.completeJobs({
      completions: jobs.map((job) => ({
        id: job.id,
        leaseToken: job.leaseToken,
        resultJson: null,
      })),
      now: clock.now(),
    });
  };
  const setQueue = (patch: Parameters<Store["updateQueue"]>[0]["patch"]) => {
    const { store, clock } = fixtures();
    return store.updateQueue({ name: "default", patch, now: clock.now() });
  };
  const tenants = (jobs: readonly JobRecord[]): string[] => jobs.map((job) => job.tenant);

  describe("queue rate limits", () => {
    it("allow at most `limit` starts per period, refilled over time, shared by every claimer", async () => {
      const { store, clock } = fixtures();
      const config = await setQueue({ rateLimit: { limit: 3, periodMs: 1_000 } });
      assert.deepEqual(config.rateLimit, { limit: 3, periodMs: 1_000 });
      await enqueue(10);
      assert.equal((await claim(10)).length, 3, "a full bucket: a burst of 3");
      assert.equal((await claim(10)).length, 0, "then empty");
      const facts = await store.queueWaitingFacts({ queue: "default", now: clock.now() });
      assert.equal(facts.rateLimitedUntil, clock.now() + 334, "the next start, one interval on");
      clock.advance(333);
      assert.equal((await claim(10)).length, 0, "not before a whole interval");
      clock.advance(1);
      assert.equal((await claim(10)).length, 1, "one interval: one start");
      clock.advance(10_000);
      assert.equal((await claim(10)).length, 3, "an idle bucket holds at most `limit`");
      const listed = (await store.listQueues()).find((q) => q.name === "default");
      assert.deepEqual(listed?.rateLimit, { limit: 3, periodMs: 1_000 });
    });

    it("over a long run, starts follow the rate exactly", async () => {
      const { clock } = fixtures();
      await setQueue({ rateLimit: { limit: 50, periodMs: 1_000 } });
      await enqueue(700);
      let started = (await claim(100)).length; // the burst
      assert.equal(started, 50);
      for (let i = 0; i < 100; i += 1) {
        clock.advance(100);
        started += (await claim(100)).length;
      }
      assert.equal(started, 50 + 500, "10 s at 50/s after the burst");
    });

    it("clearing the limit lets claims take everything again", async () => {
      await setQueue({ rateLimit: { limit: 1, periodMs: 60_000 } });
      await enqueue(5);
      assert.equal((await claim(10)).length, 1);
      const cleared = await setQueue({ rateLimit: null });
      assert.equal(cleared.rateLimit, null);
      assert.equal((await claim(10)).length, 4);
    });

    it("a paused or concurrency-capped queue does not spend tokens", async () => {
      await setQueue({ rateLimit: { limit: 2, periodMs: 60_000 }, concurrency: 1 });
      await enqueue(5);
      assert.equal((await claim(10)).length, 1, "the concurrency cap binds first");
      assert.equal((await claim(10)).length, 0);
      await setQueue({ concurrency: null });
      assert.equal((await claim(10)).length, 1, "one token left of two");
      assert.equal((await claim(10)).length, 0);
    });
  });

  describe("keyed concurrency", () => {
    it("caps running jobs per concurrency key; jobs without a key are not capped", async () => {
      const { store, clock } = fixtures();
      const config = await setQueue({ keyConcurrency: 2 });
      assert.equal(config.keyConcurrency, 2);
      await enqueue(5, { concurrencyKey: "user-1" });
      await enqueue(3, { concurrencyKey: "user-2" });
      await enqueue(2);
      const first = await claim(100);
      const byKey = (jobs: readonly JobRecord[], key: string | null) =>
        jobs.filter((job) => job.concurrencyKey === key).length;
      assert.equal(byKey(first, "user-1"), 2);
      assert.equal(byKey(first, "user-2"), 2);
      assert.equal(byKey(first, null), 2);
      assert.deepEqual(await claim(100), [], "every key at its cap");
      const facts = await store.queueWaitingFacts({
        queue: "default",
        now: clock.now(),
        concurrencyKey: "user-1",
      });
      assert.equal(facts.keyConcurrency, 2);
      assert.equal(facts.keyRunning, 2);
      await complete(first.filter((job) => job.concurrencyKey === "user-1").slice(0, 1));
      const next = await claim(100);
      assert.deepEqual(
        next.map((job) => job.concurrencyKey),
        ["user-1"],
      );
      const job = await store.getJob({ id: next[0]!.id });
      assert.equal(job?.concurrencyKey, "user-1", "stored and read back");
    });

    it("holds across claimers and within one batch", async () => {
      const { store, clock } = fixtures();
      await setQueue({ keyConcurrency: 3 });
      await enqueue(10, { concurrencyKey: "k" });
      const a = await claim(2);
      const b = await store.claimJobs({
        queues: ["default"],
        workerId: "w2",
        limit: 10,
        leaseMs: LEASE_MS,
        now: clock.now(),
      });
      assert.equal(a.length + b.length, 3);
      await setQueue({ keyConcurrency: null });
      assert.equal((await claim(100)).length, 7, "no cap: the rest");
    });
  });

  describe("fair scheduling by tenant", () => {
    it("serves ready tenants round-robin, whoever submitted first", async () => {
      await enqueue(20, { tenant: "acme" });
      await enqueue(3, { tenant: "bolt" });
      const order: string[] = [];
      for (let i = 0; i < 7; i += 1) order.push(...tenants(await claim(1)));
      assert.deepEqual(order, ["acme", "bolt", "acme", "bolt", "acme", "bolt", "acme"]);
    });

    it("splits a batch between tenants", async () => {
      await enqueue(50, { tenant: "acme" });
      await enqueue(50, { tenant: "bolt" });
      await enqueue(50, { tenant: "core" });
      const batch = tenants(await claim(9));
      for (const tenant of ["acme", "bolt", "core"])
        assert.equal(batch.filter((t) => t === tenant).length, 3, tenant);
    });

    it("weights tenants by tenants.weight", async () => {
      const { store } = fixtures();
      await setTenantWeight(store, "acme", 3);
      await enqueue(40, { tenant: "acme" });
      await enqueue(40, { tenant: "bolt" });
      const order: string[] = [];
      for (let i = 0; i < 8; i += 1) order.push(...tenants(await claim(1)));
      assert.equal(order.filter((t) => t === "acme").length, 6, order.join(","));
      const batch = tenants(await claim(8));
      assert.equal(batch.filter((t) => t === "acme").length, 6, batch.join(","));
    });

    it("keeps priority order within each tenant", async () => {
      await enqueue(5, { tenant: "acme" });
      const [urgent] = await enqueue(1, { tenant: "acme", priority: 10 });
      await enqueue(5, { tenant: "bolt" });
      const [first, second] = await claim(2);
      assert.equal(first?.id, urgent!.id, "acme's urgent job first");
      assert.equal(second?.tenant, "bolt");
    });

    it("a tenant that comes back after draining is served next, not after the backlog", async () => {
      await enqueue(30, { tenant: "acme" });
      await enqueue(1, { tenant: "bolt" });
      assert.deepEqual(tenants(await claim(2)).sort(), ["acme", "bolt"]);
      for (let i = 0; i < 5; i += 1) assert.deepEqual(tenants(await claim(1)), ["acme"]);
      await enqueue(2, { tenant: "bolt" });
      assert.ok(tenants(await claim(2)).includes("bolt"), "bolt's new job in the next claim");
    });

    it("a scheduled job of a new tenant joins when it becomes due", async () => {
      const { clock } = fixtures();
      await enqueue(30, { tenant: "acme" });
      await enqueue(1, { tenant: "late", delay: 1_000 });
      await enqueue(1, { tenant: "bolt" });
      await claim(2);
      clock.advance(1_000);
      // It joins at the lowest pass: within one round of the ready tenants (3 here).
      const next = tenants(await claim(3));
      assert.ok(next.includes("late"), next.join(","));
    });

    it("a claimer that serves only some types still gets every tenant's jobs of them", async () => {
      await enqueue(5, { tenant: "acme", type: "other.job" });
      await enqueue(5, { tenant: "bolt" });
      const claimed = await claim(10, { types: ["test.job"] });
      assert.deepEqual(tenants(claimed), ["bolt", "bolt", "bolt", "bolt", "bolt"]);
    });

    it("a tenant-scoped claim takes only that tenant's jobs", async () => {
      await enqueue(5, { tenant: "acme" });
      await enqueue(5, { tenant: "bolt" });
      assert.deepEqual(tenants(await claim(3, { tenant: "bolt" })), ["bolt", "bolt", "bolt"]);
    });

    it("combines with key caps", async () => {
      await setQueue({ keyConcurrency: 1 });
      await enqueue(5, { tenant: "acme", concurrencyKey: "a" });
      await enqueue(5, { tenant: "bolt", concurrencyKey: "b" });
      await enqueue(5, { tenant: "bolt", concurrencyKey: "c" });
      const claimed = await claim(10);
      assert.deepEqual(claimed.map((job) => job.concurrencyKey).sort(), ["a", "b", "c"]);
    });
  });
}
