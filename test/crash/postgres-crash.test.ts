/**
 * Delivery promises with real processes on one PostgreSQL schema (SPEC §1): four worker
 * processes run 4 × 5,000 jobs, each exactly once and never in two places at once; a worker
 * SIGKILLed mid-job is rescued and the job completes once, on attempt 2; SIGKILL of a producer
 * or of a worker loses no acknowledged job and no acknowledged result.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { Spool } from "../../src/index.js";
import { readExecutions } from "../helpers/execution-log.js";
import { createSchemaFixture, type SchemaFixture } from "../helpers/postgres.js";
import type { WorkerProcessConfig } from "../helpers/worker-process.js";
import { helperPath, spawnTs, stopChild, waitForLine } from "../helpers/processes.js";
import { tempDir } from "../helpers/temp-dir.js";
import { waitFor } from "../helpers/wait-for.js";

const children: ReturnType<typeof spawnTs>[] = [];
let fixture: SchemaFixture | undefined;
let spool: Spool | undefined;

/** A fresh schema and a Spool instance (no maintenance) to submit and inspect with. */
async function open(): Promise<{ spool: Spool; fixture: SchemaFixture }> {
  fixture = createSchemaFixture();
  spool = await Spool.open({ store: fixture.openStore(), maintenance: false });
  return { spool, fixture };
}

function startWorker(
  config: Omit<WorkerProcessConfig, "url" | "schema">,
): ReturnType<typeof spawnTs> {
  const child = spawnTs(helperPath("worker-process.ts"), {
    SPOOL_TEST_WORKER: JSON.stringify({ url: fixture!.url, schema: fixture!.schema, ...config }),
  });
  children.push(child);
  return child;
}

afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => stopChild(child, "SIGKILL")));
  await spool?.close();
  await fixture?.drop();
  spool = undefined;
  fixture = undefined;
});

describe("crash safety on PostgreSQL (real processes)", () => {
  it("4 worker processes × 5,000 jobs each: every job runs exactly once, never in two places at once", async () => {
    const { spool } = await open();
    const dir = tempDir();
    const total = 4 * 5_000;
    await spool.enqueueMany(
      Array.from({ length: total }, (_, i) => ({ type: "crash.job", payload: { i } })),
    );
    const logs = [0, 1, 2, 3].map((i) => join(dir, `w${i}.log`));
    const workers = logs.map((logPath, i) =>
      startWorker({ logPath, name: `w${i}`, concurrency: 16, leaseMs: 10_000, maxDelayMs: 2 }),
    );
    await waitFor(async () => (await spool.stats()).completed === total, {
      timeoutMs: 90_000,
      intervalMs: 50,
    });
    await Promise.all(workers.map((worker) => stopChild(worker, "SIGTERM")));

    const executions = readExecutions(logs);
    assert.equal(executions.size, total);
    const pidsUsed = new Set<number>();
    for (const [jobId, runs] of executions) {
      assert.equal(runs.length, 1, `job ${jobId} ran ${runs.length} times`);
      assert.notEqual(runs[0]!.endMs, null);
      pidsUsed.add(runs[0]!.pid);
    }
    assert.ok(pidsUsed.size >= 2, "work was spread over several processes");
    let cursor: string | undefined;
    let checked = 0;
    do {
      const page = await spool.list({ limit: 1000, ...(cursor ? { cursor } : {}) });
      for (const job of page.jobs) {
        const run = executions.get(job.id)![0]!;
        assert.equal(job.status, "completed");
        assert.equal(job.attempt, 1);
        assert.deepEqual(job.result, { pid: run.pid, attempt: 1 }, "the one execution's result");
        checked += 1;
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    assert.equal(checked, total);
  });

  it("a worker SIGKILLed mid-job: another worker completes it on attempt 2, result written once", async () => {
    const { spool } = await open();
    const dir = tempDir();
    const logs = [join(dir, "a.log"), join(dir, "b.log")];
    const victim = startWorker({
      logPath: logs[0]!,
      name: "victim",
      concurrency: 1,
      leaseMs: 1_000,
      hangOnAttempts: [1],
    });
    await waitForLine(victim, "ready");
    const job = await spool.enqueue("crash.job", {});
    await waitFor(() => readExecutions(logs).get(job.id)?.length === 1, { timeoutMs: 20_000 });
    assert.equal(await stopChild(victim, "SIGKILL"), null);
    assert.equal(
      (await spool.get(job.id))?.status,
      "running",
      "the dead worker's lease still holds the job",
    );

    const rescuer = startWorker({
      logPath: logs[1]!,
      name: "rescuer",
      concurrency: 1,
      leaseMs: 1_000,
    });
    await waitForLine(rescuer, "ready");
    const done = await waitFor(
      async () => {
        const current = await spool.get(job.id);
        return current?.status === "completed" ? current : undefined;
      },
      { timeoutMs: 30_000 },
    );
    assert.equal(done.attempt, 2);
    assert.deepEqual(done.result, { pid: rescuer.pid, attempt: 2 });
    assert.equal(done.errors.length, 1);
    assert.equal(done.errors[0]?.type, "LeaseExpired");
    const executions = readExecutions(logs).get(job.id)!;
    assert.deepEqual(
      executions.map((e) => [e.attempt, e.pid, e.endMs !== null]),
      [
        [1, victim.pid, false],
        [2, rescuer.pid, true],
      ],
      "one execution per attempt; only the second finished and wrote a result",
    );
  });

  it("SIGKILL of a producer loses no acknowledged job", async () => {
    const { spool, fixture } = await open();
    const producer = spawnTs(helperPath("postgres-producer-process.ts"), {
      SPOOL_TEST_URL: fixture.url,
      SPOOL_TEST_SCHEMA: fixture.schema,
    });
    children.push(producer);
    await waitFor(() => producer.lines.filter((line) => line.startsWith("ack ")).length >= 300, {
      timeoutMs: 30_000,
    });
    await stopChild(producer, "SIGKILL");
    const acked = producer.lines
      .filter((line) => line.startsWith("ack "))
      .map((line) => line.slice(4));
    for (const id of acked) assert.ok(await spool.get(id), `acknowledged job ${id} was lost`);
  });

  it("SIGKILL of a worker loses no acknowledged result", async () => {
    const { spool } = await open();
    const dir = tempDir();
    await spool.enqueueMany(
      Array.from({ length: 3_000 }, (_, i) => ({ type: "crash.job", payload: { i } })),
    );
    const worker = startWorker({
      logPath: join(dir, "w.log"),
      name: "w",
      concurrency: 16,
      leaseMs: 10_000,
      reportCompletions: true,
    });
    await waitFor(
      () => worker.lines.filter((line) => line.startsWith("completed ")).length >= 500,
      { timeoutMs: 30_000 },
    );
    await stopChild(worker, "SIGKILL");
    const reported = worker.lines
      .filter((line) => line.startsWith("completed "))
      .map((line) => line.slice(10));
    for (const id of reported) {
      const job = await spool.get(id);
      assert.equal(job?.status, "completed", `acknowledged result of ${id} was lost`);
      assert.ok(job?.result !== null);
    }
    assert.equal((await spool.stats()).totalJobs, 3_000, "no job lost");
  });
});
