import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ClaimedJob } from "../core/job.js";
import { abortActiveJob, createActiveJob, onAbort, signalOf } from "./active-job.js";

const job = { id: "01a20000-0000-7000-8000-000000000001" } as ClaimedJob;

describe("active job: lazily created abort signal", () => {
  it("a signal read before the abort fires with the first cause's reason", () => {
    const active = createActiveJob(job);
    const signal = signalOf(active);
    const reason = new Error("timed out");
    abortActiveJob(active, "timeout", reason);
    abortActiveJob(active, "cancelled", new Error("later"));
    assert.equal(signal.aborted, true);
    assert.equal(signal.reason, reason);
    assert.equal(active.abortCause, "timeout");
  });

  it("a signal first read after the abort starts out aborted with the same reason", () => {
    const active = createActiveJob(job);
    const reason = new Error("cancelled");
    abortActiveJob(active, "cancelled", reason);
    const signal = signalOf(active);
    assert.equal(signal.aborted, true);
    assert.equal(signal.reason, reason);
    assert.equal(signalOf(active), signal, "one signal per job");
  });

  it("abort listeners run once, also when registered after the abort", () => {
    const active = createActiveJob(job);
    const calls: string[] = [];
    onAbort(active, () => calls.push("before"));
    abortActiveJob(active, "shutdown", new Error("stop"));
    abortActiveJob(active, "shutdown", new Error("again"));
    onAbort(active, () => calls.push("after"));
    assert.deepEqual(calls, ["before", "after"]);
  });
});
