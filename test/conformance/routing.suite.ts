/**
 * Conformance of type-aware claims (SPEC §6 "Workers claim only what they can run"): a claim
 * that names types takes only jobs of those types, in the usual claim order across all of them;
 * `"*"` (or no list) takes any type; jobs of types nobody serves wait, untouched. Called from
 * `defineStoreConformance`, so every store runs it unchanged.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareClaimOrder, type JobRecord } from "../../src/core/job.js";
import type { EnqueueOptions } from "../../src/core/options.js";
import type { Store } from "../../src/store/store.js";
import { jobInput } from "../helpers/factories.js";
import type { FakeClock } from "../helpers/fake-clock.js";

/** The suite's fixtures, read when each test runs (they are fresh per test). */
export interface RoutingFixtures {
  store: Store;
  clock: FakeClock;
}

const LEASE_MS = 30_000;

/** Defines the routing tests inside a store's conformance suite. */
export function defineRoutingConformance(fixtures: () => RoutingFixtures): void {
  describe("claimJobs by type", () => {
    const enqueue = async (type: string, opts: EnqueueOptions = {}): Promise<JobRecord> => {
      const { store, clock } = fixtures();
      const [outcome] = await store.enqueueJobs({
        jobs: [jobInput(clock.now(), { ...opts, type })],
        now: clock.now(),
      });
      return outcome!.job;
    };
    const claim = (
      types: readonly string[] | undefined,
      limit = 10,
      extra: { queues?: string[]; tenant?: string; workerId?: string } = {},
    ) => {
      const { store, clock } = fixtures();
      return store.claimJobs({
        queues: extra.queues ?? ["default"],
        workerId: extra.workerId ?? "w1",
        limit,
        leaseMs: LEASE_MS,
        now: clock.now(),
        ...(types === undefined ? {} : { types }),
        ...(extra.tenant === undefined ? {} : { tenant: extra.tenant }),
      });
    };
    const ids = (jobs: readonly { id: string }[]): string[] => jobs.map((job) => job.id);
    const sorted = (jobs: readonly JobRecord[]): string[] => ids([...jobs].sort(compareClaimOrder));

    it("a claim with types takes only jobs of those types", async () => {
      const a = await enqueue("mail.send");
      const b = await enqueue("report.build");
      const other = await enqueue("video.encode");
      const claimed = await claim(["mail.send", "report.build"]);
      assert.deepEqual(ids(claimed).sort(), [a.id, b.id].sort());
      assert.ok(claimed.every((job) => job.type !== "video.encode"));
      assert.deepEqual(await claim(["mail.send", "report.build"]), []);
      assert.equal((await fixtures().store.getJob({ id: other.id }))?.status, "queued");
    });

    it('"*" and no list take any type; an empty list takes none', async () => {
      await enqueue("a.job");
      await enqueue("b.job");
      await enqueue("c.job");
      assert.deepEqual(await claim([]), []);
      assert.equal((await claim(["*"], 1)).length, 1);
      assert.equal((await claim(["b.job", "*"], 1)).length, 1, '"*" anywhere in the list');
      assert.equal((await claim(undefined, 5)).length, 1);
    });

    it("jobs of a type nobody serves stay queued with attempt 0, however often others claim", async () => {
      const { store, clock } = fixtures();
      const waiting = await enqueue("nobody.serves", { maxAttempts: 1 });
      const scheduled = await enqueue("nobody.serves", { delay: 1_000 });
      for (let i = 0; i < 3; i++) {
        const job = await enqueue("served.job");
        const [claimed] = await claim(["served.job"]);
        assert.equal(claimed?.id, job.id);
        await store.completeJobs({
          completions: [{ id: claimed.id, leaseToken: claimed.leaseToken, resultJson: null }],
          now: clock.now(),
        });
        clock.advance(1_000);
      }
      for (const id of [waiting.id, scheduled.id]) {
        const job = await store.getJob({ id });
        assert.equal(job?.status, "queued", "a due job of an unserved type becomes queued");
        assert.equal(job?.attempt, 0);
        assert.equal(job?.worker, null);
        assert.equal(job?.error, null);
      }
      const started = (await store.readJobEvents({ afterSeq: 0, limit: 1_000 })).filter(
        (event) => event.name === "job.started",
      );
      assert.ok(started.every((event) => event.type === "served.job"));
      // A worker that serves the type takes it at once.
      assert.deepEqual(
        ids(await claim(["nobody.serves"])).sort(),
        [waiting.id, scheduled.id].sort(),
      );
    });

    it("claims in priority, run_at, id order across the served types", async () => {
      const { clock } = fixtures();
      const jobs: JobRecord[] = [];
      const types = ["t.a", "t.b", "t.c"];
      for (let i = 0; i < 12; i++) {
        jobs.push(await enqueue(types[i % 3]!, { priority: [0, 5, -5][(i % 4) % 3]! }));
        await enqueue("t.unserved", { priority: 10 });
        if (i % 2 === 0) clock.advance(1);
      }
      const served = jobs.filter((job) => job.type !== "t.c");
      const expected = sorted(served);
      const first = await claim(["t.a", "t.b"], 3);
      const rest = await claim(["t.b", "t.a"], 100);
      assert.deepEqual([...ids(first), ...ids(rest)], expected);
      // One at a time gives the same order.
      const c = jobs.filter((job) => job.type === "t.c");
      const oneByOne: string[] = [];
      for (let i = 0; i < c.length; i++) oneByOne.push(...ids(await claim(["t.c"], 1)));
      assert.deepEqual(oneByOne, sorted(c));
    });

    it("takes queues in the order given, with types", async () => {
      const low = await enqueue("t.a", { queue: "low" });
      await enqueue("t.x", { queue: "high" });
      const high = await enqueue("t.a", { queue: "high", priority: -10 });
      const claimed = await claim(["t.a"], 10, { queues: ["high", "low"] });
      assert.deepEqual(ids(claimed), [high.id, low.id]);
    });

    it("honours the queue's concurrency limit, counting running jobs of every type", async () => {
      const { store, clock } = fixtures();
      await store.updateQueue({ name: "default", patch: { concurrency: 3 }, now: clock.now() });
      for (let i = 0; i < 4; i++) {
        await enqueue("t.a");
        await enqueue("t.b");
        await enqueue("t.other");
      }
      assert.equal((await claim(["t.other"], 1)).length, 1);
      const first = await claim(["t.a", "t.b"], 10, { workerId: "a" });
      assert.equal(first.length, 2);
      assert.deepEqual(await claim(["t.a", "t.b"], 10, { workerId: "b" }), []);
      await store.completeJobs({
        completions: [{ id: first[0]!.id, leaseToken: first[0]!.leaseToken, resultJson: null }],
        now: clock.now(),
      });
      assert.equal((await claim(["t.b"], 10, { workerId: "b" })).length, 1);
    });

    it("skips paused queues, with types", async () => {
      const { store, clock } = fixtures();
      await enqueue("t.a");
      await store.updateQueue({ name: "default", patch: { paused: true }, now: clock.now() });
      assert.deepEqual(await claim(["t.a"]), []);
      await store.updateQueue({ name: "default", patch: { paused: false }, now: clock.now() });
      assert.equal((await claim(["t.a"])).length, 1);
    });

    it("a tenant-scoped claim with types takes only that tenant's jobs of those types", async () => {
      const mine = await enqueue("t.a", { tenant: "acme" });
      await enqueue("t.a", { tenant: "globex", priority: 100 });
      await enqueue("t.b", { tenant: "acme", priority: 100 });
      const claimed = await claim(["t.a"], 10, { tenant: "acme" });
      assert.deepEqual(ids(claimed), [mine.id]);
      assert.deepEqual(await claim(["t.a"], 10, { tenant: "acme" }), []);
    });

    it("parallel claimers with overlapping types get disjoint jobs", async () => {
      for (let i = 0; i < 15; i++) {
        await enqueue("t.a");
        await enqueue("t.b");
      }
      const results = await Promise.all([
        claim(["t.a", "t.b"], 10, { workerId: "a" }),
        claim(["t.b"], 10, { workerId: "b" }),
        claim(["t.a"], 10, { workerId: "c" }),
        claim(["t.b", "t.a"], 10, { workerId: "d" }),
      ]);
      assert.ok(results[1]!.every((job) => job.type === "t.b"));
      assert.ok(results[2]!.every((job) => job.type === "t.a"));
      // A claim may come back short while a parallel one holds rows it will not take (a typed
      // claim locks up to its limit per type for a moment; SKIP LOCKED passes over them): the
      // promise is that nothing is handed out twice and nothing is left behind, so the rest
      // comes with the next claims.
      const all = results.flat();
      for (let round = 0; all.length < 30 && round < 10; round++) {
        all.push(...(await claim(["t.a", "t.b"], 30, { workerId: "e" })));
      }
      assert.equal(new Set(ids(all)).size, all.length, "no job handed out twice");
      assert.equal(all.length, 30);
    });
  });
}
