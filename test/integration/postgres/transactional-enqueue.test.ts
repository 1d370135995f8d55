/**
 * Transactional enqueue on PostgreSQL (SPEC §3): `enqueue(…, { client })` runs inside the
 * caller's own transaction — a rollback leaves no job (and no event), a commit makes the job
 * visible and a running worker in another Spool instance picks it up.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import pg from "pg";
import { Spool, SpoolValidationError, type Worker } from "../../../src/index.js";
import { createSchemaFixture, type SchemaFixture } from "../../helpers/postgres.js";
import { nextEvent, waitFor } from "../../helpers/wait-for.js";

describe("transactional enqueue (PostgreSQL)", () => {
  let fixture: SchemaFixture;
  let producer: Spool;
  let consumer: Spool;
  let worker: Worker | undefined;
  let appPool: pg.Pool;

  beforeEach(async () => {
    fixture = createSchemaFixture();
    producer = await Spool.open({ store: fixture.openStore(), maintenance: false });
    consumer = await Spool.open({ store: fixture.openStore(), maintenance: false });
    appPool = new pg.Pool({ connectionString: fixture.url, max: 2 });
    await appPool.query(`CREATE TABLE "${fixture.schema}".orders (id int PRIMARY KEY)`);
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await producer.close();
    await consumer.close();
    await appPool.end();
    await fixture.drop();
  });

  it("a rolled-back transaction leaves neither the job nor its event", async () => {
    const seqBefore = await producer.store.latestJobEventSeq();
    const client = await appPool.connect();
    let jobId: string;
    try {
      await client.query("BEGIN");
      await client.query(`INSERT INTO "${fixture.schema}".orders VALUES (1)`);
      const job = await producer.enqueue("order.ship", { order: 1 }, { client });
      jobId = job.id;
      assert.equal(job.status, "queued");
      // Not visible outside the transaction before it commits.
      assert.equal(await consumer.get(jobId), null);
      await client.query("ROLLBACK");
    } finally {
      client.release();
    }
    assert.equal(await producer.get(jobId), null, "the job was rolled back with the order");
    assert.equal((await producer.stats()).totalJobs, 0);
    assert.deepEqual(await producer.store.readJobEvents({ afterSeq: seqBefore, limit: 10 }), []);
  });

  it("a committed transaction's job is picked up by a running worker elsewhere", async () => {
    const handled: string[] = [];
    worker = consumer.worker({
      // The backstop poll is far away: the wake-up must come through LISTEN/NOTIFY.
      pollIntervalMs: 60_000,
      handlers: { "order.ship": async (job) => void handled.push(job.id) },
    });
    const listening = nextEvent<string | null>(
      (listener) => consumer.store.onJobsAvailable(listener),
      (queue) => queue === null,
    );
    await worker.start();
    await listening;
    const client = await appPool.connect();
    let jobId: string;
    try {
      await client.query("BEGIN");
      await client.query(`INSERT INTO "${fixture.schema}".orders VALUES (2)`);
      jobId = (await producer.enqueue("order.ship", { order: 2 }, { client })).id;
      await client.query("COMMIT");
    } finally {
      client.release();
    }
    const done = await waitFor(async () => {
      const job = await consumer.get(jobId);
      return job?.status === "completed" ? job : undefined;
    });
    assert.equal(done.attempt, 1);
    assert.deepEqual(handled, [jobId]);
  });

  it("enqueueMany with a client is all or nothing with the caller's transaction", async () => {
    const client = await appPool.connect();
    try {
      await client.query("BEGIN");
      const jobs = await producer.enqueueMany(
        [
          { type: "a", payload: {} },
          { type: "b", payload: {}, uniqueKey: "k" },
          { type: "b", payload: {}, uniqueKey: "k" },
        ],
        { client },
      );
      assert.equal(jobs[2]!.duplicate, true);
      assert.equal(jobs[2]!.id, jobs[1]!.id);
      await client.query("COMMIT");
    } finally {
      client.release();
    }
    assert.equal((await producer.stats()).queued, 2);
  });

  it("refuses a pool (its queries would run outside the caller's transaction)", async () => {
    await assert.rejects(
      producer.enqueue("order.ship", {}, { client: appPool }),
      (error: unknown) => error instanceof SpoolValidationError && error.field === "client",
    );
    assert.equal((await producer.stats()).totalJobs, 0);
  });
});
