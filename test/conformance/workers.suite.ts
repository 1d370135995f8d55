/**
 * Store conformance of the worker registry (SPEC §6 "Workers are visible") and of the facts
 * behind `waiting_reason`. Called from `defineStoreConformance` with getters for the test's
 * fresh store and clock.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SpoolConflictError } from "../../src/core/errors.js";
import type { WorkerRegistration } from "../../src/core/worker-presence.js";
import type { Store } from "../../src/store/store.js";
import { jobInput } from "../helpers/factories.js";
import type { FakeClock } from "../helpers/fake-clock.js";

const STALE_MS = 90_000;

/** A registration with test defaults. */
function registration(overrides: Partial<WorkerRegistration> = {}): WorkerRegistration {
  return {
    id: "w-1-abc",
    name: "worker-1",
    host: "host-a",
    pid: 4242,
    kind: "local",
    tenant: null,
    queues: ["default"],
    types: ["email.send"],
    concurrency: 4,
    running: 0,
    version: "0.1.0",
    staleAfterMs: STALE_MS,
    ...overrides,
  };
}

/** Defines the registry tests; `store()` and `clock()` return the current test's. */
export function defineWorkerRegistryConformance(ctx: {
  store: () => Store;
  clock: () => FakeClock;
}): void {
  const now = (): number => ctx.clock().now();
  const register = (overrides: Partial<WorkerRegistration> = {}) =>
    ctx.store().registerWorker({ worker: registration(overrides), now: now() });
  const list = (tenant?: string) =>
    ctx.store().listWorkers({ now: now(), ...(tenant === undefined ? {} : { tenant }) });

  describe("worker registry", () => {
    it("registers a presence row with every field, the name exactly as given", async () => {
      const started = now();
      const row = await register();
      assert.deepEqual(row, {
        ...registration(),
        queues: ["default"],
        types: ["email.send"],
        startedAt: new Date(started),
        lastSeenAt: new Date(started),
      });
      assert.deepEqual(await list(), [row]);
    });

    it("refuses a second live worker with the same name, and frees a dead one's name", async () => {
      await register();
      await assert.rejects(
        register({ id: "w-1-other" }),
        (error: unknown) =>
          error instanceof SpoolConflictError && error.code === "worker_name_taken",
      );
      ctx.clock().advance(STALE_MS);
      const reused = await register({ id: "w-1-other", host: "host-b" });
      assert.equal(reused.host, "host-b");
      assert.deepEqual(
        (await list()).map((w) => w.id),
        ["w-1-other"],
      );
    });

    it("names are unique per tenant scope: other tenants' workers may share a name", async () => {
      await register();
      const scoped = { kind: "remote" as const, pid: null };
      await register({ ...scoped, id: "remote:acme:worker-1", tenant: "acme" });
      await register({ ...scoped, id: "remote:beta:worker-1", tenant: "beta" });
      await assert.rejects(
        register({ ...scoped, id: "remote:acme:other", tenant: "acme" }),
        SpoolConflictError,
      );
      assert.equal((await list()).length, 3);
    });

    it("re-registering the same id refreshes it, merges queues and types, keeps startedAt", async () => {
      const first = await register({ kind: "remote", pid: null, queues: ["a"], types: ["*"] });
      ctx.clock().advance(1_000);
      const again = await register({ kind: "remote", pid: null, queues: ["b"], types: ["t"] });
      assert.deepEqual(again.queues, ["a", "b"]);
      assert.deepEqual([...again.types].sort(), ["*", "t"]);
      assert.equal(again.startedAt.getTime(), first.startedAt.getTime());
      assert.equal(again.lastSeenAt.getTime(), now());
    });

    it("heartbeats keep a worker live and update running; silence past staleAfterMs hides it", async () => {
      await register();
      await register({ id: "w-2", name: "worker-2" });
      ctx.clock().advance(STALE_MS - 1);
      const unknown = await ctx.store().heartbeatWorkers({
        workers: [{ id: "w-1-abc", running: 3 }, { id: "nobody" }],
        now: now(),
      });
      assert.deepEqual(unknown, ["nobody"]);
      ctx.clock().advance(1);
      const live = await list();
      assert.deepEqual(
        live.map((w) => [w.id, w.running]),
        [["w-1-abc", 3]],
        "worker-2 was silent for staleAfterMs",
      );
      assert.equal(live[0]!.lastSeenAt.getTime(), now() - 1);
    });

    it("a heartbeat without running keeps the stored count", async () => {
      await register({ running: 2 });
      await ctx.store().heartbeatWorkers({ workers: [{ id: "w-1-abc" }], now: now() });
      assert.equal((await list())[0]!.running, 2);
    });

    it("removeWorker deletes the row at once", async () => {
      await register();
      assert.equal(await ctx.store().removeWorker({ id: "w-1-abc" }), true);
      assert.equal(await ctx.store().removeWorker({ id: "w-1-abc" }), false);
      assert.deepEqual(await list(), []);
      await register({ id: "w-1-new" }); // the name is free
    });

    it("pruneWorkers deletes only dead rows, up to the limit; a pruned worker's heartbeat reports it", async () => {
      await register({ id: "a", name: "a" });
      await register({ id: "b", name: "b" });
      await register({ id: "c", name: "c", staleAfterMs: STALE_MS * 10 });
      ctx.clock().advance(STALE_MS);
      assert.equal(await ctx.store().pruneWorkers({ now: now(), limit: 1 }), 1);
      assert.equal(await ctx.store().pruneWorkers({ now: now(), limit: 10 }), 1);
      assert.equal(await ctx.store().pruneWorkers({ now: now(), limit: 10 }), 0);
      const unknown = await ctx.store().heartbeatWorkers({
        workers: [{ id: "a" }, { id: "c" }],
        now: now(),
      });
      assert.deepEqual(unknown, ["a"]);
      assert.deepEqual(
        (await list()).map((w) => w.id),
        ["c"],
      );
    });

    it("lists by name, and with a tenant only that tenant's workers", async () => {
      await register({ id: "z", name: "zeta", kind: "remote", pid: null, tenant: "acme" });
      await register({ id: "a", name: "alpha" });
      assert.deepEqual(
        (await list()).map((w) => w.name),
        ["alpha", "zeta"],
      );
      assert.deepEqual(
        (await list("acme")).map((w) => w.name),
        ["zeta"],
      );
      assert.deepEqual(await list("other"), []);
    });

    it("a remote worker's running count is the running jobs that name it", async () => {
      const store = ctx.store();
      await register({ id: "remote:r1", name: "r1", kind: "remote", pid: null, types: ["*"] });
      await store.enqueueJobs({
        jobs: [jobInput(now()), jobInput(now()), jobInput(now())],
        now: now(),
      });
      await store.claimJobs({
        queues: ["default"],
        workerId: "r1",
        limit: 2,
        leaseMs: 30_000,
        now: now(),
      });
      assert.equal((await list())[0]!.running, 2);
    });
  });

  describe("queueWaitingFacts", () => {
    it("reports a queue's pause, limit, running count and the live workers", async () => {
      const store = ctx.store();
      const empty = await store.queueWaitingFacts({ queue: "fresh", now: now() });
      assert.deepEqual(empty, {
        paused: false,
        concurrency: null,
        running: 0,
        rateLimitedUntil: null,
        keyConcurrency: null,
        keyRunning: 0,
        workers: [],
      });

      await store.enqueueJobs({ jobs: [jobInput(now()), jobInput(now())], now: now() });
      await store.claimJobs({
        queues: ["default"],
        workerId: "w",
        limit: 1,
        leaseMs: 30_000,
        now: now(),
      });
      await store.updateQueue({
        name: "default",
        patch: { paused: true, concurrency: 5 },
        now: now(),
      });
      await register({ tenant: "acme", kind: "remote", pid: null, types: ["a", "b"] });
      const facts = await store.queueWaitingFacts({ queue: "default", now: now() });
      assert.deepEqual(facts, {
        paused: true,
        concurrency: 5,
        running: 1,
        rateLimitedUntil: null,
        keyConcurrency: null,
        keyRunning: 0,
        workers: [{ queues: ["default"], types: ["a", "b"], tenant: "acme" }],
      });
      ctx.clock().advance(STALE_MS);
      assert.deepEqual(
        (await store.queueWaitingFacts({ queue: "default", now: now() })).workers,
        [],
      );
    });
  });
}
