/** Unit tests of the retry backoff: exponential windows with full jitter (SPEC §1 "Retries"). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_BACKOFF, backoffDelayMs, type BackoffPolicy } from "./backoff.js";

/** The largest double below 1: the top of what `Math.random` can return. */
const JUST_BELOW_ONE = 1 - 2 ** -53;
const fixed =
  (value: number): (() => number) =>
  () =>
    value;

describe("DEFAULT_BACKOFF", () => {
  it("is base 1 s, cap 1 h (SPEC §1)", () => {
    assert.deepEqual({ ...DEFAULT_BACKOFF }, { baseMs: 1_000, capMs: 3_600_000 });
  });
});

describe("backoffDelayMs", () => {
  // The window after attempt n is min(cap, base · 2^(n−1)), written out by hand.
  const windows: [attempt: number, windowMs: number][] = [
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [4, 8_000],
    [5, 16_000],
    [10, 512_000],
    [12, 2_048_000],
    [13, 3_600_000], // 4,096,000 is past the cap
    [14, 3_600_000],
    [50, 3_600_000],
  ];

  for (const [attempt, windowMs] of windows) {
    it(`after attempt ${attempt}, the window is [0, ${windowMs}) ms`, () => {
      assert.equal(backoffDelayMs(attempt, DEFAULT_BACKOFF, fixed(0.5)), windowMs / 2);
      assert.equal(backoffDelayMs(attempt, DEFAULT_BACKOFF, fixed(0)), 0);
      assert.equal(backoffDelayMs(attempt, DEFAULT_BACKOFF, fixed(JUST_BELOW_ONE)), windowMs - 1);
    });
  }

  it("doubles the window with every attempt until the cap", () => {
    const policy: BackoffPolicy = { baseMs: 100, capMs: 10_000 };
    const tops = Array.from({ length: 10 }, (_, i) =>
      backoffDelayMs(i + 1, policy, fixed(JUST_BELOW_ONE)),
    );
    assert.deepEqual(
      tops,
      [99, 199, 399, 799, 1_599, 3_199, 6_399, 9_999, 9_999, 9_999],
      "window tops per attempt",
    );
  });

  it("random 0 gives 0 for every attempt", () => {
    for (let attempt = 1; attempt <= 100; attempt++) {
      assert.equal(backoffDelayMs(attempt, DEFAULT_BACKOFF, fixed(0)), 0);
    }
  });

  it("random just below 1 stays strictly inside the window", () => {
    const policies: BackoffPolicy[] = [
      DEFAULT_BACKOFF,
      { baseMs: 1, capMs: 1 },
      { baseMs: 3, capMs: 1_000_003 },
      { baseMs: 7_919, capMs: 86_400_000 },
    ];
    for (const policy of policies) {
      for (let attempt = 1; attempt <= 64; attempt++) {
        const window = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
        const delay = backoffDelayMs(attempt, policy, fixed(JUST_BELOW_ONE));
        assert.ok(delay < window, `attempt ${attempt}: ${delay} < ${window}`);
        assert.ok(delay >= window - 1, `attempt ${attempt}: ${delay} is the top of the window`);
      }
    }
  });

  it("returns whole milliseconds spread over the window (full jitter)", () => {
    const randoms = [0.1, 0.25, 0.333, 0.75, 0.999];
    const delays = randoms.map((r) => backoffDelayMs(3, DEFAULT_BACKOFF, fixed(r)));
    assert.deepEqual(delays, [400, 1_000, 1_332, 3_000, 3_996]);
    for (const delay of delays) assert.ok(Number.isInteger(delay));
  });

  it("calls random exactly once per delay", () => {
    let calls = 0;
    backoffDelayMs(4, DEFAULT_BACKOFF, () => {
      calls += 1;
      return 0.5;
    });
    assert.equal(calls, 1);
  });

  it("does not overflow to Infinity or NaN for huge attempt numbers", () => {
    const policies: BackoffPolicy[] = [
      DEFAULT_BACKOFF,
      { baseMs: 604_800_000, capMs: 604_800_000 },
      { baseMs: 1_000, capMs: Number.MAX_SAFE_INTEGER },
    ];
    const attempts = [53, 64, 1_000, 1_025, 1_000_000, Number.MAX_SAFE_INTEGER, Infinity];
    for (const policy of policies) {
      for (const attempt of attempts) {
        for (const r of [0, 0.5, JUST_BELOW_ONE]) {
          const delay = backoffDelayMs(attempt, policy, fixed(r));
          assert.ok(Number.isFinite(delay), `attempt ${attempt} → ${delay}`);
          assert.ok(delay >= 0 && delay < policy.capMs, `attempt ${attempt} → ${delay}`);
        }
      }
    }
  });

  it("treats attempt 0 or less like attempt 1 (no fractional window)", () => {
    for (const attempt of [0, -1, -100]) {
      assert.equal(backoffDelayMs(attempt, DEFAULT_BACKOFF, fixed(JUST_BELOW_ONE)), 999);
    }
  });

  it("a zero base means retry at once", () => {
    assert.equal(backoffDelayMs(5, { baseMs: 0, capMs: 1_000 }, fixed(JUST_BELOW_ONE)), 0);
  });

  it("the cap wins even on the first attempt", () => {
    assert.equal(backoffDelayMs(1, { baseMs: 5_000, capMs: 100 }, fixed(JUST_BELOW_ONE)), 99);
  });
});
