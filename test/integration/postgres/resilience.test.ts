/**
 * Resilience on PostgreSQL: killed connections (pg_terminate_backend) are replaced and jobs
 * still complete, each result written once; a database that cannot be reached makes calls fail
 * fast with StoreUnavailableError instead of hanging.
 */
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { Spool, StoreUnavailableError, type Logger, type Worker } from "../../../src/index.js";
import { PostgresStore } from "../../../src/store/postgres/postgres-store.js";
import {
  createSchemaFixture,
  terminateBackends,
  type SchemaFixture,
} from "../../helpers/postgres.js";
import { waitFor } from "../../helpers/wait-for.js";

describe("resilience (PostgreSQL)", () => {
  let fixture: SchemaFixture | undefined;
  const spools: Spool[] = [];
  const workers: Worker[] = [];

  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.stop();
    for (const spool of spools.splice(0)) await spool.close();
    await fixture?.drop();
    fixture = undefined;
  });

  it("jobs complete, each exactly once, while pool and LISTEN connections are being killed", async () => {
    fixture = createSchemaFixture();
    // Killed connections surface as logged, retried StoreUnavailableErrors; anything else is a bug.
    const unexpected: unknown[] = [];
    const record = (fields: Record<string, unknown>): void => {
      if (!(fields.err instanceof StoreUnavailableError)) unexpected.push(fields.err ?? fields);
    };
    const logger: Logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: record,
      error: record,
    };
    const spool = await Spool.open({
      logger,
      store: fixture.openStore({ poolSize: 4 }),
      random: () => 0,
      maintenance: { rescueIntervalMs: 100, promoteIntervalMs: 50 },
    });
    spools.push(spool);
    const total = 600;
    const jobs = await spool.enqueueMany(
      Array.from({ length: total }, (_, i) => ({ type: "r.job", payload: { i } })),
    );
    const runs = new Map<string, number>();
    const worker = spool.worker({
      concurrency: 8,
      leaseMs: 1_000,
      pollIntervalMs: 50,
      handlers: {
        "r.job": async (job) => {
          runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
          await new Promise((resolve) => setImmediate(resolve));
          return { i: job.payload.i, attempt: job.attempt };
        },
      },
    });
    workers.push(worker);
    await worker.start();

    // Kill every connection of the store, several times, while work is in flight.
    let kills = 0;
    for (const threshold of [50, 200, 400]) {
      await waitFor(async () => (await spool.stats()).completed >= threshold, {
        timeoutMs: 30_000,
      });
      kills += await terminateBackends(`spool ${fixture.schema}`);
      kills += await terminateBackends(`spool-listener ${fixture.schema}`);
    }
    assert.ok(kills >= 3, `killed ${kills} connections`);

    await waitFor(async () => (await spool.stats()).completed === total, {
      timeoutMs: 60_000,
      intervalMs: 50,
    });
    const stats = await spool.stats();
    assert.equal(stats.totalJobs, total, "no job lost or duplicated");
    assert.deepEqual(unexpected, []);
    for (const { id } of jobs) {
      const job = (await spool.get(id))!;
      assert.equal(job.status, "completed");
      assert.ok(runs.has(id), `job ${id} completed without running`);
      // A result is written once, by the attempt that completed the job.
      assert.deepEqual(job.result, { i: job.payload.i, attempt: job.attempt });
    }
  });

  it("a schema that was never migrated is reported as such, not retried", async () => {
    fixture = createSchemaFixture();
    const store = fixture.openStore();
    await assert.rejects(
      store.claimJobs({ queues: ["default"], workerId: "w", limit: 1, leaseMs: 1_000, now: 0 }),
      (error: unknown) =>
        error instanceof StoreUnavailableError && !error.retryable && /migrate/.test(error.message),
    );
  });

  it("calls fail fast with StoreUnavailableError while the database cannot be reached", async () => {
    // Nothing listens on port 1: connections are refused at once.
    const store = new PostgresStore({ url: "postgres://postgres@127.0.0.1:1/test", schema: "x" });
    try {
      await assert.rejects(store.ping(), StoreUnavailableError);
      await assert.rejects(
        store.claimJobs({ queues: ["default"], workerId: "w", limit: 1, leaseMs: 1_000, now: 0 }),
        (error: unknown) => error instanceof StoreUnavailableError && error.retryable,
      );
      await assert.rejects(
        Spool.open({ url: "postgres://postgres@127.0.0.1:1/test" }),
        StoreUnavailableError,
      );
    } finally {
      await store.close();
    }
  });
});
