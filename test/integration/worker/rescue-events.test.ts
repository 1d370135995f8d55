/**
 * The lease rescuer's in-process events say what the store recorded (issue 11): a rescued
 * timeout is a `TimeoutError` (not a generic "lease expired") and `runAt` is the stored backoff
 * (not the rescue time).
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { Spool, type JobEventMap } from "../../../src/index.js";
import { TIMEOUT_GRACE_MS } from "../../../src/core/job.js";
import { FakeClock } from "../../helpers/fake-clock.js";
import { tempSqliteUrl } from "../../helpers/temp-dir.js";

it("a rescued timeout is emitted as the store recorded it", async () => {
  const clock = new FakeClock();
  const spool = await Spool.open({
    url: tempSqliteUrl(),
    clock,
    random: () => 0.5,
    maintenance: false,
  });
  try {
    const job = await spool.enqueue("slow", {}, { timeout: 1_000, maxAttempts: 3 });
    const [claimed] = await spool.store.claimJobs({
      queues: ["default"],
      workerId: "gone",
      limit: 1,
      leaseMs: 30_000,
      now: clock.now(),
    });
    assert.equal(claimed?.id, job.id);
    const events: JobEventMap["job.retrying"][] = [];
    spool.on("job.retrying", (event) => events.push(event));
    clock.advance(1_000 + TIMEOUT_GRACE_MS);
    await spool.runMaintenance(clock.now());

    const stored = (await spool.get(job.id))!;
    assert.equal(stored.status, "retrying");
    assert.equal(events.length, 1);
    assert.equal(events[0]!.error.type, "TimeoutError");
    assert.equal(events[0]!.error.type, stored.error?.type);
    assert.equal(events[0]!.runAt.getTime(), stored.runAt.getTime());
    assert.ok(stored.runAt.getTime() > clock.now(), "a backoff, not the rescue time");
  } finally {
    await spool.close();
  }
});
