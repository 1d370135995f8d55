/**
 * The lease rescuer's events say what the store recorded (issue 11): `spool.on` gets them from
 * the event log, so a rescued timeout is a `TimeoutError` (not a generic "lease expired") and
 * `runAt` is the stored backoff (not the rescue time), with the event's `seq`. On both stores.
 */
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { Spool, type JobEventMap, type SpoolOptions } from "../../../src/index.js";
import { TIMEOUT_GRACE_MS } from "../../../src/core/job.js";
import { FakeClock } from "../../helpers/fake-clock.js";
import { createSchemaFixture } from "../../helpers/postgres.js";
import { tempSqliteUrl } from "../../helpers/temp-dir.js";
import { nextEvent } from "../../helpers/wait-for.js";

describe("rescue events", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function rescuedTimeout(store: Pick<SpoolOptions, "url" | "storeTuning">): Promise<void> {
    const clock = new FakeClock();
    const spool = await Spool.open({ ...store, clock, random: () => 0.5, maintenance: false });
    cleanups.push(() => spool.close());
    const job = await spool.enqueue("slow", {}, { timeout: 1_000, maxAttempts: 3 });
    const [claimed] = await spool.store.claimJobs({
      queues: ["default"],
      workerId: "gone",
      limit: 1,
      leaseMs: 30_000,
      now: clock.now(),
    });
    assert.equal(claimed?.id, job.id);
    const retrying = nextEvent<JobEventMap["job.retrying"]>(
      (listener) => spool.on("job.retrying", listener),
      (e) => e.jobId === job.id,
    );
    clock.advance(1_000 + TIMEOUT_GRACE_MS);
    await spool.runMaintenance(clock.now());
    const event = await retrying;

    const stored = (await spool.get(job.id))!;
    assert.equal(stored.status, "retrying");
    assert.equal(event.status, "retrying");
    assert.equal(event.error.type, "TimeoutError");
    assert.equal(event.error.type, stored.error?.type);
    assert.equal(event.error.message, stored.error?.message);
    assert.equal(event.attempt, 1);
    assert.equal(event.runAt.getTime(), stored.runAt.getTime());
    assert.ok(stored.runAt.getTime() > clock.now(), "a backoff, not the rescue time");
    assert.equal(event.at.getTime(), clock.now());
    const [logged] = await spool.store.readJobEvents({ afterSeq: event.seq - 1, limit: 1 });
    assert.equal(logged?.name, "job.retrying");
    assert.equal(logged?.jobId, job.id);
  }

  it("a rescued timeout reaches spool.on as SQLite recorded it", async () => {
    await rescuedTimeout({ url: tempSqliteUrl() });
  });

  it("a rescued timeout reaches spool.on as PostgreSQL recorded it", async () => {
    const fixture = createSchemaFixture();
    cleanups.push(() => fixture.drop());
    await rescuedTimeout({ url: fixture.url, storeTuning: { schema: fixture.schema } });
  });
});
