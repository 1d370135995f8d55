/**
 * `prefetch`: a worker claims jobs ahead of its free slots and holds them locally (worker/
 * prefetch-buffer.ts). Held jobs are claimed in the store — running, leased, attempt counted —
 * while at most `concurrency` run; a held job that waits too long, or any held job when the
 * worker stops, goes back to its queue without its attempt counting, and every job still
 * completes exactly once.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { Spool, type Worker } from "../../../src/index.js";
import { tempSqliteUrl } from "../../helpers/temp-dir.js";
import { waitFor } from "../../helpers/wait-for.js";

/** A promise and the function that resolves it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe("worker prefetch", () => {
  let spool: Spool;
  const workers: Worker[] = [];

  beforeEach(async () => {
    spool = await Spool.open({ url: tempSqliteUrl(), maintenance: false });
  });
  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.stop({ graceMs: 0 });
    await spool.close();
  });

  it("claims up to concurrency + prefetch, runs concurrency at once, completes each job once", async () => {
    const release = gate();
    const runs = new Map<string, number>();
    let peak = 0;
    let running = 0;
    const worker = spool.worker({
      concurrency: 2,
      prefetch: 4,
      pollIntervalMs: 20,
      handlers: {
        step: async (job) => {
          runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
          running += 1;
          peak = Math.max(peak, running);
          await release.opened;
          running -= 1;
          return { attempt: job.attempt };
        },
      },
    });
    workers.push(worker);
    const jobs = await spool.enqueueMany(Array.from({ length: 10 }, () => ({ type: "step" })));
    await worker.start();
    // Two run, four more are held: six claimed in the store, the other four still queued.
    await waitFor(async () => (await spool.stats()).running === 6, { message: "6 claimed" });
    assert.equal(worker.activeCount, 2);
    assert.equal((await spool.stats()).queued, 4);
    release.open();
    await waitFor(async () => (await spool.stats()).completed === 10, { message: "all done" });
    assert.equal(peak, 2, "never more than concurrency at once");
    for (const job of jobs) {
      assert.equal(runs.get(job.id), 1, `job ${job.id} ran once`);
      assert.equal((await spool.get(job.id))?.attempt, 1);
    }
  });

  it("gives a held job back to its queue when it waits too long; its attempt does not count", async () => {
    // After that the worker claims only for free slots (no claim-and-release churn behind a
    // long job) until a slot frees with nothing held.
    const release = gate();
    let first: string | undefined;
    const worker = spool.worker({
      concurrency: 1,
      prefetch: 2,
      // Held jobs wait at most a third of the lease (here 100 ms) before they go back.
      leaseMs: 300,
      pollIntervalMs: 60_000, // no second claim: the released jobs stay queued until asked
      handlers: {
        step: async (job) => {
          first ??= job.id;
          if (job.id === first) await release.opened;
          return null;
        },
      },
    });
    workers.push(worker);
    await spool.enqueueMany(Array.from({ length: 3 }, () => ({ type: "step" })));
    await worker.start();
    await waitFor(
      async () => {
        const { jobs } = await spool.list({ status: "queued" });
        return jobs.length === 2 && jobs.every((job) => job.attempt === 0);
      },
      { message: "the two held jobs back in the queue, attempt 0" },
    );
    assert.equal((await spool.stats()).running, 1);
    release.open(); // the freed slot makes the worker claim again
    await waitFor(async () => (await spool.stats()).completed === 3, {
      message: "every job completed",
      timeoutMs: 20_000,
    });
    const { jobs } = await spool.list({ status: "completed" });
    assert.deepEqual(
      jobs.map((job) => job.attempt),
      [1, 1, 1],
      "a released hold is no attempt",
    );
  });

  it("releases held jobs at once when the worker stops, before the grace ends", async () => {
    const release = gate();
    const worker = spool.worker({
      concurrency: 1,
      prefetch: 3,
      pollIntervalMs: 20,
      handlers: { step: () => release.opened.then(() => null) },
    });
    workers.push(worker);
    await spool.enqueueMany(Array.from({ length: 4 }, () => ({ type: "step" })));
    await worker.start();
    await waitFor(async () => (await spool.stats()).running === 4, { message: "4 claimed" });
    const stopped = worker.stop({ graceMs: 60_000 });
    await waitFor(async () => (await spool.stats()).queued === 3, {
      message: "the three held jobs released while the running one is in its grace",
    });
    assert.equal((await spool.stats()).running, 1);
    release.open();
    await stopped;
    const stats = await spool.stats();
    assert.equal(stats.completed, 1);
    assert.equal(stats.queued, 3);
  });

  it("rejects a negative or fractional prefetch, naming the field", () => {
    for (const prefetch of [-1, 1.5]) {
      assert.throws(
        () => spool.worker({ prefetch, handlers: { step: () => null } }),
        (error: Error & { field?: string }) => error.field === "prefetch",
      );
    }
  });
});
