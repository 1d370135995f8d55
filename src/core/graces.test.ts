import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_ABORT_GRACE_MS, RECORD_MARGIN_MS, TIMEOUT_GRACE_MS, abortWaitMs } from "./job.js";

describe("graces", () => {
  it("the lease outlives a timeout by the default abort grace plus the record margin", () => {
    assert.equal(TIMEOUT_GRACE_MS, DEFAULT_ABORT_GRACE_MS + RECORD_MARGIN_MS);
  });

  const job = { startedAt: new Date(0), timeout: 1_000 };
  it("waits the whole abort grace after a timeout", () => {
    assert.equal(abortWaitMs(job, DEFAULT_ABORT_GRACE_MS, 1_000), DEFAULT_ABORT_GRACE_MS);
  });
  it("never waits into the last RECORD_MARGIN_MS of the lease", () => {
    assert.equal(abortWaitMs(job, 60_000, 1_000), TIMEOUT_GRACE_MS - RECORD_MARGIN_MS);
    assert.equal(abortWaitMs(job, 60_000, 1_000 + TIMEOUT_GRACE_MS), 0);
  });
  it("keeps a shorter grace, and the grace of a job not started", () => {
    assert.equal(abortWaitMs(job, 20, 1_000), 20);
    assert.equal(abortWaitMs({ startedAt: null, timeout: 1 }, 20, 5), 20);
  });
});
