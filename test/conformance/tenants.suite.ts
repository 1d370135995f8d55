/**
 * Conformance of tenant settings and tiered credits (SPEC §7): `putTenant`/`getTenant`/
 * `listTenants` keep a tenant's tier and weight; `enqueueJobs` charges metered tenants (a tier
 * or a quota) under the tier policy it is given — the quota override first, field by field,
 * then the tier — refuses over a limit without spending anything, exactly under concurrency,
 * and starts afresh at the UTC day boundary. Called from `defineStoreConformance`, so every
 * store runs it unchanged.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { QuotaExceededError } from "../../src/core/errors.js";
import type { EnqueueOptions } from "../../src/core/options.js";
import { resolveTierPolicy, type TierPolicy } from "../../src/core/tiers.js";
import type { Store } from "../../src/store/store.js";
import { jobInput } from "../helpers/factories.js";
import type { FakeClock } from "../helpers/fake-clock.js";

/** The suite's fixtures, read when each test runs (they are fresh per test). */
export interface TenantFixtures {
  store: Store;
  clock: FakeClock;
}

const DEFAULTS = resolveTierPolicy();
const DAY_MS = 86_400_000;

/** Defines the tenant and tier tests inside a store's conformance suite. */
export function defineTenantConformance(fixtures: () => TenantFixtures): void {
  describe("tenants and tiers", () => {
    const submit = async (
      tenant: string,
      tiers: TierPolicy | undefined = DEFAULTS,
      count = 1,
      opts: EnqueueOptions = {},
    ) => {
      const { store, clock } = fixtures();
      const jobs = Array.from({ length: count }, () => jobInput(clock.now(), { ...opts, tenant }));
      return store.enqueueJobs({
        jobs,
        now: clock.now(),
        ...(tiers === undefined ? {} : { tiers }),
      });
    };
    const refused = (promise: Promise<unknown>) => assert.rejects(promise, QuotaExceededError);
    const setTier = (tenant: string, tier: string | null) => {
      const { store, clock } = fixtures();
      return store.putTenant({ tenant, tier, now: clock.now() });
    };
    const credits = (tenant: string, tiers: TierPolicy = DEFAULTS) => {
      const { store, clock } = fixtures();
      return store.tenantCredits({ tenant, now: clock.now(), tiers });
    };

    it("a tenant never configured reads as no tier, weight 1, no quota, nothing used", async () => {
      const { store, clock } = fixtures();
      const facts = await store.getTenant({ tenant: "nobody", now: clock.now() });
      assert.deepEqual(facts, {
        tenant: "nobody",
        tier: null,
        weight: 1,
        quota: null,
        dailyUsed: 0,
        monthlyUsed: 0,
        updatedAt: null,
      });
    });

    it("putTenant sets tier and weight independently; null clears the tier", async () => {
      const { store, clock } = fixtures();
      const first = await store.putTenant({ tenant: "acme", tier: "pro", now: clock.now() });
      assert.equal(first.tier, "pro");
      assert.equal(first.weight, 1);
      assert.equal(first.updatedAt?.getTime(), clock.now());
      clock.advance(1_000);
      const weighted = await store.putTenant({ tenant: "acme", weight: 7, now: clock.now() });
      assert.deepEqual([weighted.tier, weighted.weight], ["pro", 7], "the tier is kept");
      assert.equal(weighted.updatedAt?.getTime(), clock.now());
      const cleared = await store.putTenant({ tenant: "acme", tier: null, now: clock.now() });
      assert.deepEqual([cleared.tier, cleared.weight], [null, 7], "the weight is kept");
      const read = await store.getTenant({ tenant: "acme", now: clock.now() });
      assert.deepEqual(read, cleared);
    });

    it("the weight is stored within 1…1000 (the schema refuses others)", async () => {
      const { store, clock } = fixtures();
      await store.putTenant({ tenant: "w", weight: 1000, now: clock.now() });
      await assert.rejects(store.putTenant({ tenant: "w", weight: 1001, now: clock.now() }));
      await assert.rejects(store.putTenant({ tenant: "w", weight: 0, now: clock.now() }));
      assert.equal((await store.getTenant({ tenant: "w", now: clock.now() })).weight, 1000);
    });

    it("listTenants: tenants with settings or a quota, by name, paged with `after`", async () => {
      const { store, clock } = fixtures();
      await setTier("c-tier", "pro");
      await store.setTenantQuota({
        tenant: "a-quota",
        dailyLimit: 5,
        monthlyLimit: null,
        now: clock.now(),
      });
      await store.putTenant({ tenant: "b-weight", weight: 3, now: clock.now() });
      await submit("z-plain", undefined); // jobs alone make no tenant row
      const all = await store.listTenants({ now: clock.now(), limit: 10 });
      assert.deepEqual(
        all.map((t) => t.tenant),
        ["a-quota", "b-weight", "c-tier"],
      );
      assert.deepEqual(all[0]!.quota, { dailyLimit: 5, monthlyLimit: null });
      assert.equal(all[1]!.weight, 3);
      assert.equal(all[2]!.tier, "pro");
      const page = await store.listTenants({ now: clock.now(), limit: 1, after: "a-quota" });
      assert.deepEqual(
        page.map((t) => t.tenant),
        ["b-weight"],
      );
    });

    it("a tier's daily limit holds; the refused submission spends nothing", async () => {
      await setTier("pro-co", "pro");
      await submit("pro-co", DEFAULTS, 9);
      await refused(submit("pro-co", DEFAULTS, 2)); // 9 + 2 > 10: all of it refused
      let now = await credits("pro-co");
      assert.deepEqual(
        [now.tier, now.dailyLimit, now.dailyUsed, now.monthlyLimit, now.monthlyUsed],
        ["pro", 10, 9, 100, 9],
      );
      await submit("pro-co");
      await refused(submit("pro-co"));
      now = await credits("pro-co");
      assert.equal(now.dailyUsed, 10);
      await submit("other-co", DEFAULTS, 12); // no tier, no quota: unlimited, uncounted
      assert.equal((await credits("other-co")).dailyUsed, 0);
    });

    it("a duplicate (unique key) is not a new job and costs nothing", async () => {
      await setTier("dup", "free");
      await submit("dup", DEFAULTS, 1, { uniqueKey: "k" });
      const [again] = await submit("dup", DEFAULTS, 1, { uniqueKey: "k" });
      assert.equal(again!.duplicate, true);
      assert.equal((await credits("dup")).dailyUsed, 1);
    });

    it("a quota overrides the tier field by field; clearing it restores the tier", async () => {
      const { store, clock } = fixtures();
      await setTier("mixed", "pro");
      const set = await store.setTenantQuota({
        tenant: "mixed",
        dailyLimit: 2,
        monthlyLimit: null,
        now: clock.now(),
        tiers: DEFAULTS,
      });
      assert.deepEqual(
        [set.tier, set.dailyLimit, set.monthlyLimit],
        ["pro", 2, 100],
        "daily from the quota, monthly from the tier",
      );
      await submit("mixed", DEFAULTS, 2);
      await refused(submit("mixed"));
      const cleared = await store.setTenantQuota({
        tenant: "mixed",
        dailyLimit: null,
        monthlyLimit: null,
        now: clock.now(),
        tiers: DEFAULTS,
      });
      assert.equal(cleared.dailyLimit, 10);
      assert.equal((await store.getTenant({ tenant: "mixed", now: clock.now() })).quota, null);
      await submit("mixed", DEFAULTS, 8);
      await refused(submit("mixed"));
    });

    it("a quota can be stricter or looser than the tier", async () => {
      const { store, clock } = fixtures();
      await setTier("loose", "free");
      await store.setTenantQuota({
        tenant: "loose",
        dailyLimit: 3,
        monthlyLimit: 3,
        now: clock.now(),
      });
      await submit("loose", DEFAULTS, 3); // free allows 1: the override wins
      await refused(submit("loose"));
    });

    it("the policy passed in decides: configured limits, the default tier, unlimited", async () => {
      const policy = resolveTierPolicy({
        tiers: { starter: { dailyLimit: 2 }, big: {} },
        defaultTier: "starter",
      });
      await submit("anyone", policy, 2); // no row: the default tier applies
      await refused(submit("anyone", policy));
      const info = await credits("anyone", policy);
      assert.deepEqual([info.tier, info.dailyLimit, info.monthlyLimit], ["starter", 2, null]);
      await setTier("whale", "big");
      await submit("whale", policy, 50);
      assert.equal((await credits("whale", policy)).dailyUsed, 50, "unlimited tiers are counted");
      await submit("anyone", DEFAULTS, 3); // the default policy has no default tier
    });

    it("a stored tier the policy does not name allows nothing", async () => {
      await setTier("legacy", "gold");
      await refused(submit("legacy"));
      const info = await credits("legacy");
      assert.deepEqual([info.tier, info.dailyLimit, info.dailyUsed], ["gold", 0, 0]);
    });

    it("20 concurrent submissions with 10 credits left: exactly 10 accepted", async () => {
      await setTier("race", "elite"); // 20 a day
      await submit("race", DEFAULTS, 10);
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => submit("race")));
      const accepted = results.filter((r) => r.status === "fulfilled").length;
      const rejected = results.filter(
        (r) => r.status === "rejected" && r.reason instanceof QuotaExceededError,
      ).length;
      assert.deepEqual({ accepted, rejected }, { accepted: 10, rejected: 10 });
      assert.equal((await credits("race")).dailyUsed, 20);
    });

    it("the daily window resets at the UTC day boundary, the monthly one does not", async () => {
      const { clock } = fixtures();
      clock.set(Date.UTC(2031, 4, 10, 23, 59, 59, 0));
      await setTier("daily", "free");
      await submit("daily");
      await refused(submit("daily"));
      const before = await credits("daily");
      assert.equal(before.dailyResetsAt.toISOString(), "2031-05-11T00:00:00.000Z");
      assert.equal(before.monthlyResetsAt.toISOString(), "2031-06-01T00:00:00.000Z");
      clock.set(Date.UTC(2031, 4, 11) - 1);
      await refused(submit("daily"));
      clock.set(Date.UTC(2031, 4, 11));
      await submit("daily");
      const after = await credits("daily");
      assert.deepEqual([after.dailyUsed, after.monthlyUsed], [1, 2]);
      clock.advance(DAY_MS);
      assert.equal((await credits("daily")).dailyUsed, 0);
    });

    it("the monthly window holds across days and resets at the UTC month start", async () => {
      const { store, clock } = fixtures();
      clock.set(Date.UTC(2031, 1, 27, 12));
      await setTier("monthly", "pro");
      await store.setTenantQuota({
        tenant: "monthly",
        dailyLimit: null,
        monthlyLimit: 2,
        now: clock.now(),
      });
      await submit("monthly");
      clock.advance(DAY_MS);
      await submit("monthly");
      await refused(submit("monthly"));
      clock.set(Date.UTC(2031, 2, 1));
      await submit("monthly");
      assert.equal((await credits("monthly")).monthlyUsed, 1);
    });
  });
}
