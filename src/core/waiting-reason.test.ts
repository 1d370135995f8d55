/** Unit tests of the waiting-reason decision (SPEC §6 "Explained waiting"). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { WAITING_REASON_CODES, decideWaitingReason, type WaitingFacts } from "./waiting-reason.js";
import { servesJob } from "./worker-presence.js";

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const anyWorker = { queues: ["default"], types: ["*"], tenant: null };

function facts(overrides: {
  job?: Partial<WaitingFacts["job"]>;
  queue?: Partial<WaitingFacts["queue"]>;
  workers?: WaitingFacts["workers"];
}): WaitingFacts {
  return {
    job: {
      status: "queued",
      runAt: new Date(NOW),
      attempt: 0,
      queue: "default",
      type: "email.send",
      tenant: "acme",
      ...overrides.job,
    },
    queue: { paused: false, concurrency: null, running: 0, ...overrides.queue },
    workers: overrides.workers ?? [anyWorker],
  };
}

const code = (f: WaitingFacts): string | undefined => decideWaitingReason(f, NOW)?.code;

describe("decideWaitingReason", () => {
  it("has no reason for jobs that are not waiting", () => {
    for (const status of ["running", "completed", "failed", "cancelled"] as const)
      assert.equal(decideWaitingReason(facts({ job: { status } }), NOW), null);
  });

  it("scheduled until run_at, with the time in the message", () => {
    const runAt = new Date(NOW + 60_000);
    const reason = decideWaitingReason(facts({ job: { status: "scheduled", runAt } }), NOW);
    assert.equal(reason?.code, "scheduled");
    assert.match(reason?.message ?? "", new RegExp(runAt.toISOString()));
  });

  it("backoff while a retrying job waits, naming the attempt and the time", () => {
    const runAt = new Date(NOW + 5_000);
    const reason = decideWaitingReason(
      facts({ job: { status: "retrying", runAt, attempt: 2 } }),
      NOW,
    );
    assert.equal(reason?.code, "backoff");
    assert.match(reason?.message ?? "", /attempt 2/);
    assert.match(reason?.message ?? "", new RegExp(runAt.toISOString()));
  });

  it("a due scheduled or retrying job is judged like a queued one", () => {
    assert.equal(code(facts({ job: { status: "scheduled", runAt: new Date(NOW) } })), "ready");
    assert.equal(code(facts({ job: { status: "retrying", runAt: new Date(NOW - 1) } })), "ready");
  });

  it("the start time comes before the queue: a delayed job in a paused queue is scheduled", () => {
    const f = facts({
      job: { status: "scheduled", runAt: new Date(NOW + 1) },
      queue: { paused: true },
    });
    assert.equal(code(f), "scheduled");
  });

  it("queue_paused", () => {
    assert.equal(code(facts({ queue: { paused: true } })), "queue_paused");
  });

  it("queue_concurrency at n/n running, with the counts in the message", () => {
    const reason = decideWaitingReason(facts({ queue: { concurrency: 2, running: 2 } }), NOW);
    assert.equal(reason?.code, "queue_concurrency");
    assert.match(reason?.message ?? "", /2\/2 running/);
    assert.equal(code(facts({ queue: { concurrency: 2, running: 1 } })), "ready");
  });

  it("paused comes before the concurrency limit", () => {
    assert.equal(
      code(facts({ queue: { paused: true, concurrency: 1, running: 1 } })),
      "queue_paused",
    );
  });

  it("no_worker when no live worker serves the queue and the type", () => {
    assert.equal(code(facts({ workers: [] })), "no_worker");
    assert.equal(
      code(facts({ workers: [{ queues: ["other"], types: ["*"], tenant: null }] })),
      "no_worker",
    );
    assert.equal(
      code(facts({ workers: [{ queues: ["default"], types: ["sms.send"], tenant: null }] })),
      "no_worker",
    );
  });

  it("ready when a worker serves the type by name or by *", () => {
    assert.equal(code(facts({})), "ready");
    assert.equal(
      code(facts({ workers: [{ queues: ["default"], types: ["email.send"], tenant: null }] })),
      "ready",
    );
  });

  it("a tenant-scoped worker serves only its tenant's jobs", () => {
    const scoped = { queues: ["default"], types: ["*"], tenant: "other" };
    assert.equal(code(facts({ workers: [scoped] })), "no_worker");
    assert.equal(code(facts({ workers: [{ ...scoped, tenant: "acme" }] })), "ready");
  });

  it("rate_limited until the bucket allows the next start, with the time", () => {
    const until = NOW + 1_500;
    const reason = decideWaitingReason(facts({ queue: { rateLimitedUntil: until } }), NOW);
    assert.equal(reason?.code, "rate_limited");
    assert.match(reason!.message, new RegExp(new Date(until).toISOString()));
    assert.equal(code(facts({ queue: { rateLimitedUntil: null } })), "ready");
    assert.equal(code(facts({ queue: { rateLimitedUntil: until, paused: true } })), "queue_paused");
  });

  it("a concurrency key at its cap is queue_concurrency, naming the key and n/n", () => {
    const keyed = facts({
      job: { concurrencyKey: "user-7" },
      queue: { keyConcurrency: 3, keyRunning: 3 },
    });
    const reason = decideWaitingReason(keyed, NOW);
    assert.equal(reason?.code, "queue_concurrency");
    assert.match(reason!.message, /key "user-7".*3\/3 running/);
    const below = facts({
      job: { concurrencyKey: "u" },
      queue: { keyConcurrency: 3, keyRunning: 2 },
    });
    assert.equal(code(below), "ready");
    const unkeyed = facts({ queue: { keyConcurrency: 3, keyRunning: 3 } });
    assert.equal(code(unkeyed), "ready", "a job without a key is not capped");
  });

  it("every code it returns is in the code tuple", () => {
    const cases = [
      facts({ job: { status: "scheduled", runAt: new Date(NOW + 1) } }),
      facts({ job: { status: "retrying", runAt: new Date(NOW + 1) } }),
      facts({ queue: { paused: true } }),
      facts({ queue: { concurrency: 0 } }),
      facts({ workers: [] }),
      facts({}),
    ];
    for (const f of cases)
      assert.ok((WAITING_REASON_CODES as readonly string[]).includes(code(f) ?? ""));
  });
});

describe("servesJob", () => {
  it("needs the queue, the type (or *) and, for scoped workers, the tenant", () => {
    const job = { queue: "q", type: "t", tenant: "a" };
    assert.equal(servesJob({ queues: ["q"], types: ["t"], tenant: null }, job), true);
    assert.equal(servesJob({ queues: ["q"], types: ["*"], tenant: "a" }, job), true);
    assert.equal(servesJob({ queues: ["x"], types: ["*"], tenant: null }, job), false);
    assert.equal(servesJob({ queues: ["q"], types: ["u"], tenant: null }, job), false);
    assert.equal(servesJob({ queues: ["q"], types: ["t"], tenant: "b" }, job), false);
  });
});
