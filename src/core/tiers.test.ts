import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SpoolValidationError } from "./errors.js";
import {
  DEFAULT_TIERS,
  assertKnownTier,
  assertWeight,
  creditsOf,
  effectiveLimits,
  isMetered,
  resolveTierPolicy,
  type TenantFacts,
} from "./tiers.js";

const facts = (over: Partial<TenantFacts> = {}): TenantFacts => ({
  tenant: "t",
  tier: null,
  weight: 1,
  quota: null,
  dailyUsed: 0,
  monthlyUsed: 0,
  updatedAt: null,
  ...over,
});

const fieldOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof SpoolValidationError, String(error));
    return error.field;
  }
  assert.fail("expected a SpoolValidationError");
};

describe("tiers", () => {
  it("defaults are seed 004's table plus unlimited, and no default tier", () => {
    const policy = resolveTierPolicy();
    assert.deepEqual(policy.tiers, {
      free: { dailyLimit: 1, monthlyLimit: 30 },
      pro: { dailyLimit: 10, monthlyLimit: 100 },
      elite: { dailyLimit: 20, monthlyLimit: 500 },
      unlimited: { dailyLimit: null, monthlyLimit: null },
    });
    assert.equal(policy.defaultTier, null);
    assert.deepEqual(DEFAULT_TIERS, policy.tiers);
  });

  it("configured tiers replace the defaults; omitted limits are unlimited", () => {
    const policy = resolveTierPolicy({ tiers: { team: { dailyLimit: 5 } }, defaultTier: "team" });
    assert.deepEqual(policy.tiers, { team: { dailyLimit: 5, monthlyLimit: null } });
    assert.equal(policy.defaultTier, "team");
  });

  it("bad options name the field", () => {
    assert.equal(
      fieldOf(() => resolveTierPolicy({ defaultTier: "gold" })),
      "defaultTier",
    );
    assert.equal(
      fieldOf(() => resolveTierPolicy({ tiers: { pro: { dailyLimit: -1 } } })),
      "tiers.pro.dailyLimit",
    );
    assert.equal(
      fieldOf(() => resolveTierPolicy({ tiers: { pro: { daily: 1 } as never } })),
      "tiers.pro.daily",
    );
    assert.equal(
      fieldOf(() => resolveTierPolicy({ tiers: { "Bad Name": {} } })),
      "tiers.Bad Name",
    );
    assert.equal(
      fieldOf(() => assertKnownTier(resolveTierPolicy(), "gold")),
      "tier",
    );
    assertKnownTier(resolveTierPolicy(), null);
    assertKnownTier(resolveTierPolicy(), "elite");
    assert.equal(
      fieldOf(() => assertWeight(0)),
      "weight",
    );
    assert.equal(
      fieldOf(() => assertWeight(1001)),
      "weight",
    );
    assert.equal(
      fieldOf(() => assertWeight(1.5)),
      "weight",
    );
    assertWeight(1000);
  });

  it("the quota overrides the tier field by field; no tier and no quota is unlimited", () => {
    const policy = resolveTierPolicy();
    assert.deepEqual(effectiveLimits("pro", null, policy), { dailyLimit: 10, monthlyLimit: 100 });
    assert.deepEqual(effectiveLimits("pro", { dailyLimit: 3, monthlyLimit: null }, policy), {
      dailyLimit: 3,
      monthlyLimit: 100,
    });
    assert.deepEqual(effectiveLimits("free", { dailyLimit: 0, monthlyLimit: 500 }, policy), {
      dailyLimit: 0,
      monthlyLimit: 500,
    });
    assert.deepEqual(effectiveLimits(null, null, policy), { dailyLimit: null, monthlyLimit: null });
    assert.deepEqual(effectiveLimits("gone", null, policy), { dailyLimit: 0, monthlyLimit: 0 });
    const withDefault = resolveTierPolicy({ defaultTier: "free" });
    assert.deepEqual(effectiveLimits(null, null, withDefault), { dailyLimit: 1, monthlyLimit: 30 });
    assert.deepEqual(effectiveLimits("elite", null, withDefault), {
      dailyLimit: 20,
      monthlyLimit: 500,
    });
  });

  it("metered: a tier (own or default) or a quota", () => {
    const policy = resolveTierPolicy();
    assert.equal(isMetered(null, false, policy), false);
    assert.equal(isMetered(null, true, policy), true);
    assert.equal(isMetered("unlimited", false, policy), true);
    assert.equal(isMetered(null, false, resolveTierPolicy({ defaultTier: "pro" })), true);
  });

  it("credits reset at the next UTC day and month start", () => {
    const policy = resolveTierPolicy();
    const lastMs = Date.UTC(2030, 11, 31, 23, 59, 59, 999);
    const credits = creditsOf(facts({ tier: "pro", dailyUsed: 4, monthlyUsed: 9 }), policy, lastMs);
    assert.equal(credits.tier, "pro");
    assert.equal(credits.dailyResetsAt.toISOString(), "2031-01-01T00:00:00.000Z");
    assert.equal(credits.monthlyResetsAt.toISOString(), "2031-01-01T00:00:00.000Z");
    const next = creditsOf(facts({ tier: "pro" }), policy, lastMs + 1);
    assert.equal(next.dailyResetsAt.toISOString(), "2031-01-02T00:00:00.000Z");
    assert.equal(next.monthlyResetsAt.toISOString(), "2031-02-01T00:00:00.000Z");
    assert.equal(creditsOf(facts(), resolveTierPolicy({ defaultTier: "free" }), 0).tier, "free");
  });
});
