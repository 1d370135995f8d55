/**
 * LISTEN/NOTIFY wake-ups across Spool instances (SPEC §5): a worker whose backstop poll is a
 * minute away still picks up a job submitted through another instance — so the wake-up came
 * through the database — and keeps doing so after its LISTEN connection is killed.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { Spool, type Worker } from "../../../src/index.js";
import {
  createSchemaFixture,
  terminateBackends,
  type SchemaFixture,
} from "../../helpers/postgres.js";
import { nextEvent, waitFor } from "../../helpers/wait-for.js";

describe("wake-ups through LISTEN/NOTIFY (PostgreSQL)", () => {
  let fixture: SchemaFixture;
  let producer: Spool;
  let consumer: Spool;
  let worker: Worker | undefined;

  /** Resolves once the consumer's LISTEN connection is (re-)established. */
  const listening = (): Promise<string | null> =>
    nextEvent<string | null>(
      (listener) => consumer.store.onJobsAvailable(listener),
      (queue) => queue === null,
    );
  const completed = (id: string) =>
    waitFor(async () => {
      const job = await producer.get(id);
      return job?.status === "completed" ? job : undefined;
    });

  beforeEach(async () => {
    fixture = createSchemaFixture();
    producer = await Spool.open({ store: fixture.openStore(), maintenance: false });
    consumer = await Spool.open({ store: fixture.openStore(), maintenance: false });
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await producer.close();
    await consumer.close();
    await fixture.drop();
  });

  const startWorker = async (): Promise<void> => {
    const ready = listening();
    worker = consumer.worker({
      pollIntervalMs: 60_000,
      queues: ["default", "mail"],
      handlers: { "wake.job": async () => ({ ok: true }) },
    });
    await worker.start();
    await ready;
    await nextEvent((listener) => worker!.on("worker.idle", listener));
  };

  it("an idle worker in another instance wakes for a new job without polling", async () => {
    await startWorker();
    const job = await producer.enqueue("wake.job", {}, { queue: "mail" });
    assert.equal((await completed(job.id)).attempt, 1);
  });

  it("a burst of submissions is delivered, and wake-ups resume after the LISTEN connection is killed", async () => {
    await startWorker();
    const burst = await producer.enqueueMany(
      Array.from({ length: 50 }, (_, i) => ({ type: "wake.job", payload: { i } })),
    );
    for (const job of burst) await completed(job.id);

    const reconnected = listening();
    const killed = await terminateBackends(`spool-listener ${fixture.schema}`);
    assert.equal(killed, 1, "the consumer's LISTEN connection");
    await reconnected;
    const job = await producer.enqueue("wake.job", {});
    assert.equal((await completed(job.id)).attempt, 1);
  });
});
