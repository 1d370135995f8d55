/**
 * Conformance of maintenance leadership (docs/design.md "One maintenance leader per store"): a
 * leased row per name that one holder at a time has, renews, releases, and loses only by letting
 * it expire. Called from `defineStoreConformance`, so every store runs it unchanged.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Store } from "../../src/store/store.js";
import type { FakeClock } from "../helpers/fake-clock.js";

/** The suite's fixtures, read when each test runs (they are fresh per test). */
export interface LeadershipFixtures {
  store: Store;
  clock: FakeClock;
}

const LEASE_MS = 10_000;

/** Defines the leadership tests inside a store's conformance suite. */
export function defineLeadershipConformance(fixtures: () => LeadershipFixtures): void {
  describe("acquireLeadership / releaseLeadership", () => {
    const acquire = (holder: string, name = "maintenance") => {
      const { store, clock } = fixtures();
      return store.acquireLeadership({ name, holder, leaseMs: LEASE_MS, now: clock.now() });
    };

    it("gives a free leadership to the first holder, for one lease", async () => {
      const now = fixtures().clock.now();
      assert.deepEqual(await acquire("a"), {
        leader: true,
        holder: "a",
        acquiredAt: now,
        expiresAt: now + LEASE_MS,
      });
    });

    it("refuses a second holder while the lease runs, and names the leader", async () => {
      await acquire("a");
      fixtures().clock.advance(LEASE_MS - 1);
      const other = await acquire("b");
      assert.equal(other.leader, false);
      assert.equal(other.holder, "a");
    });

    it("renews for the holder: the lease moves, the acquisition time stays", async () => {
      const { clock } = fixtures();
      const first = await acquire("a");
      clock.advance(LEASE_MS / 2);
      const renewed = await acquire("a");
      assert.equal(renewed.leader, true);
      assert.equal(renewed.acquiredAt, first.acquiredAt);
      assert.equal(renewed.expiresAt, clock.now() + LEASE_MS);
    });

    it("lets another holder take over once the lease has expired", async () => {
      const { clock } = fixtures();
      await acquire("a");
      clock.advance(LEASE_MS);
      const taken = await acquire("b");
      assert.deepEqual(taken, {
        leader: true,
        holder: "b",
        acquiredAt: clock.now(),
        expiresAt: clock.now() + LEASE_MS,
      });
      assert.equal((await acquire("a")).leader, false, "the old holder is out");
    });

    it("release frees it at once; a release by a non-holder changes nothing", async () => {
      const { store } = fixtures();
      await acquire("a");
      await store.releaseLeadership({ name: "maintenance", holder: "b" });
      assert.equal((await acquire("b")).leader, false);
      await store.releaseLeadership({ name: "maintenance", holder: "a" });
      assert.equal((await acquire("b")).leader, true);
    });

    it("keeps names independent", async () => {
      await acquire("a", "one");
      assert.equal((await acquire("b", "two")).leader, true);
      assert.equal((await acquire("b", "one")).leader, false);
    });

    it("gives racing holders exactly one leader", async () => {
      const results = await Promise.all(["a", "b", "c", "d", "e"].map((h) => acquire(h)));
      const leaders = results.filter((r) => r.leader);
      assert.equal(leaders.length, 1);
      for (const result of results) assert.equal(result.holder, leaders[0]!.holder);
    });
  });
}
