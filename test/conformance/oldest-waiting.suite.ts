/**
 * Store conformance of `oldestQueuedRunAt` (GET /queues `oldest_waiting_at`): the exact run_at of
 * the oldest queued job of a queue, across priorities and tenants, ignoring jobs that do not wait.
 * Called from `defineStoreConformance` with getters for the test's fresh store and clock.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Store } from "../../src/store/store.js";
import { jobInput } from "../helpers/factories.js";
import type { FakeClock } from "../helpers/fake-clock.js";

/** Defines the tests; `store()` and `clock()` return the current test's. */
export function defineOldestWaitingConformance(ctx: {
  store: () => Store;
  clock: () => FakeClock;
}): void {
  describe("oldestQueuedRunAt", () => {
    const enqueue = async (opts: Parameters<typeof jobInput>[1] = {}) => {
      const now = ctx.clock().now();
      const [outcome] = await ctx.store().enqueueJobs({ jobs: [jobInput(now, opts)], now });
      return outcome!.job;
    };

    it("is null for a queue with no queued job", async () => {
      assert.equal(await ctx.store().oldestQueuedRunAt({ queue: "default" }), null);
      await enqueue({ delay: 60_000 }); // scheduled: not waiting yet
      assert.equal(await ctx.store().oldestQueuedRunAt({ queue: "default" }), null);
    });

    it("finds the oldest across priorities and tenants, per queue", async () => {
      const start = ctx.clock().now();
      // Oldest is a low-priority job of another tenant: behind higher priorities in claim order.
      await enqueue({ priority: -5, tenant: "t2" });
      ctx.clock().advance(1_000);
      await enqueue({ priority: 10 });
      ctx.clock().advance(1_000);
      await enqueue({ priority: 0 });
      await enqueue({ queue: "other", priority: 3 });
      assert.equal(await ctx.store().oldestQueuedRunAt({ queue: "default" }), start);
      assert.equal(await ctx.store().oldestQueuedRunAt({ queue: "other" }), start + 2_000);
      assert.equal(await ctx.store().oldestQueuedRunAt({ queue: "nope" }), null);
    });

    it("moves on when the oldest job is claimed or cancelled", async () => {
      const store = ctx.store();
      const start = ctx.clock().now();
      const first = await enqueue({ priority: 1 });
      ctx.clock().advance(500);
      const second = await enqueue();
      ctx.clock().advance(500);
      await enqueue({ priority: -1 });
      const [claimed] = await store.claimJobs({
        queues: ["default"],
        workerId: "w1",
        limit: 1,
        leaseMs: 30_000,
        now: ctx.clock().now(),
      });
      assert.equal(claimed!.id, first.id);
      assert.equal(await store.oldestQueuedRunAt({ queue: "default" }), start + 500);
      await store.cancelJob({ id: second.id, now: ctx.clock().now() });
      assert.equal(await store.oldestQueuedRunAt({ queue: "default" }), start + 1_000);
    });
  });
}
