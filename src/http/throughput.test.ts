import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StoredJobEvent } from "../store/store.js";
import { ThroughputTracker } from "./throughput.js";

const event = (name: string, at: number, queue = "q", tenant = "t"): StoredJobEvent =>
  ({
    seq: at,
    name: name as StoredJobEvent["name"],
    jobId: "id",
    tenant,
    queue,
    type: "x",
    status: "completed",
    at: new Date(at),
    data: {},
  }) as unknown as StoredJobEvent;

describe("ThroughputTracker", () => {
  it("counts completed, failed and retried per bucket, per queue and tenant", () => {
    const start = 1_800_000_000_000; // a multiple of 60 s
    const tracker = new ThroughputTracker(start);
    tracker.observe(event("job.completed", start + 1_000));
    tracker.observe(event("job.completed", start + 12_000));
    tracker.observe(event("job.failed", start + 12_500));
    tracker.observe(event("job.retrying", start + 13_000, "q", "other"));
    tracker.observe(event("job.progress", start + 13_000));
    const read = tracker.read({ now: start + 15_000, windowMs: 300_000, bucketMs: 10_000 });
    assert.equal(read.length, 1);
    const buckets = read[0]!.buckets;
    assert.equal(buckets.length, 30);
    const last = buckets.slice(-2);
    assert.deepEqual(
      last.map((b) => [b.at - start, b.completed, b.failed, b.retried]),
      [
        [0, 1, 0, 0],
        [10_000, 1, 1, 1],
      ],
    );
    const mine = tracker.read({
      now: start + 15_000,
      windowMs: 3_600_000,
      bucketMs: 60_000,
      tenant: "t",
    });
    assert.equal(mine[0]!.buckets.length, 60);
    assert.deepEqual(
      mine[0]!.buckets.reduce((sum, b) => sum + b.completed + b.failed + b.retried, 0),
      3,
    );
    assert.deepEqual(tracker.tenants().sort(), ["other", "t"]);
  });

  it("forgets buckets older than an hour when the ring wraps", () => {
    const start = 1_800_000_000_000;
    const tracker = new ThroughputTracker(start);
    tracker.observe(event("job.completed", start));
    tracker.observe(event("job.completed", start + 3_600_000)); // same slot, an hour later
    const read = tracker.read({ now: start + 3_600_000, windowMs: 3_600_000, bucketMs: 60_000 });
    assert.equal(
      read[0]!.buckets.reduce((sum, b) => sum + b.completed, 0),
      1,
    );
  });
});
