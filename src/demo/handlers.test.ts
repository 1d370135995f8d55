/**
 * The demo job types `demo.sleep` and `demo.flaky`, run by a real worker on a SQLite file:
 * progress reports, cancellation, planned failures and the retries that follow.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Spool, type JobEventMap, type JobRecord, type Worker } from "../index.js";
import { tempSqliteUrl } from "../../test/helpers/temp-dir.js";
import { nextEvent, waitFor } from "../../test/helpers/wait-for.js";
import { demoDefinitions, demoHandlers } from "./handlers.js";

describe("demo handlers", () => {
  let spool: Spool;
  let worker: Worker;

  before(async () => {
    // random: () => 0 makes retry backoff 0 ms, so demo.flaky's retries run at once.
    spool = await Spool.open({
      url: tempSqliteUrl(),
      random: () => 0,
      maintenance: { promoteIntervalMs: 20 },
    });
    worker = spool.worker({ handlers: demoHandlers, concurrency: 4, pollIntervalMs: 50 });
    await worker.start();
  });
  after(async () => {
    await worker.stop({ graceMs: 0 });
    await spool.close();
  });

  const finished = (id: string): Promise<JobRecord> =>
    waitFor(
      async () => {
        const job = await spool.get(id);
        return job !== null && ["completed", "failed", "cancelled"].includes(job.status)
          ? job
          : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 10 },
    );

  it("demo.sleep reports progress at least ten times", async () => {
    // Events come from the store's log, asynchronously and in commit order: listen before
    // submitting, and take the job's `job.completed` as the end (every report precedes it).
    const reports: { jobId: string; progress: number }[] = [];
    const off = spool.on("job.progress", (e) => reports.push(e));
    const job = await spool.enqueue("demo.sleep", { seconds: 0.5 });
    await nextEvent<JobEventMap["job.completed"]>(
      (listener) => spool.on("job.completed", listener),
      (e) => e.jobId === job.id,
      15_000,
    );
    off();
    const done = await finished(job.id);
    assert.equal(done.status, "completed");
    assert.deepEqual(done.result, { slept_seconds: 0.5 });
    const mine = reports.filter((e) => e.jobId === job.id).map((e) => e.progress);
    assert.ok(mine.length >= 10, `${mine.length} reports`);
    assert.deepEqual(
      mine,
      [...mine].sort((a, b) => a - b),
    );
  });

  it("demo.sleep stops when cancelled", async () => {
    const job = await spool.enqueue("demo.sleep", { seconds: 60 });
    await waitFor(async () => ((await spool.get(job.id))?.progress ?? 0) > 0, {
      timeoutMs: 10_000,
    });
    await spool.cancel(job.id);
    assert.equal((await finished(job.id)).status, "cancelled");
  });

  it("demo.flaky fails its first N attempts, then succeeds", async () => {
    const job = await spool.enqueue("demo.flaky", { failures: 2 }, { maxAttempts: 3 });
    const done = await finished(job.id);
    assert.equal(done.status, "completed");
    assert.equal(done.attempt, 3);
    assert.deepEqual(
      done.errors.map((e) => e.message),
      ["planned failure 1 of 2", "planned failure 2 of 2"],
    );
  });

  it("demo.flaky fails for good when attempts run out", async () => {
    const job = await spool.enqueue("demo.flaky", { failures: 5 }, { maxAttempts: 2 });
    const done = await finished(job.id);
    assert.equal(done.status, "failed");
    assert.equal(done.attempt, 2);
  });

  it("declares payload schemas that reject bad payloads", async () => {
    const check = (type: keyof typeof demoDefinitions, payload: unknown) =>
      demoDefinitions[type].payloadSchema["~standard"].validate(payload);
    const bad = await check("demo.sleep", { seconds: "five" });
    assert.ok(bad.issues !== undefined && bad.issues.length > 0);
    const good = await check("demo.flaky", { failures: 2 });
    assert.equal(good.issues, undefined);
  });
});
