/**
 * Delivery promises with real processes on one SQLite file (SPEC §1): a worker SIGKILLed
 * mid-job is rescued and the job completes once on attempt 2; four worker processes run 2,000
 * jobs each exactly once and never in two places at once; SIGKILL of a producer or a worker
 * loses no acknowledged job and no acknowledged result.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { Spool } from "../../src/index.js";
import { readExecutions } from "../helpers/execution-log.js";
import { helperPath, spawnTs, stopChild, waitForLine } from "../helpers/processes.js";
import { tempDir } from "../helpers/temp-dir.js";
import { waitFor } from "../helpers/wait-for.js";
import type { WorkerProcessConfig } from "../helpers/worker-process.js";

const children: ReturnType<typeof spawnTs>[] = [];

function startWorker(config: WorkerProcessConfig): ReturnType<typeof spawnTs> {
  const child = spawnTs(helperPath("worker-process.ts"), {
    SPOOL_TEST_WORKER: JSON.stringify(config),
  });
  children.push(child);
  return child;
}

afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => stopChild(child, "SIGKILL")));
});

describe("crash safety on SQLite (real processes)", () => {
  it("a worker SIGKILLed mid-job: another worker completes it on attempt 2, result written once", async () => {
    const dir = tempDir();
    const url = `sqlite:${join(dir, "spool.db")}`;
    const logs = [join(dir, "a.log"), join(dir, "b.log")];
    const spool = await Spool.open({ url, maintenance: false });
    try {
      const victim = startWorker({
        url,
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
        url,
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
    } finally {
      await spool.close();
    }
  });

  it("SIGTERM stops gracefully; a second SIGTERM releases a stuck job at once, uncounted", async () => {
    const dir = tempDir();
    const url = `sqlite:${join(dir, "spool.db")}`;
    const logs = [join(dir, "a.log")];
    const spool = await Spool.open({ url, maintenance: false });
    try {
      const worker = startWorker({
        url,
        logPath: logs[0]!,
        name: "stuck",
        concurrency: 1,
        leaseMs: 30_000,
        hangOnAttempts: [1],
      });
      await waitForLine(worker, "ready");
      const job = await spool.enqueue("crash.job", {});
      await waitFor(() => readExecutions(logs).get(job.id)?.length === 1, { timeoutMs: 20_000 });
      worker.kill("SIGTERM"); // first: stop claiming, wait out the grace period (10 s)
      await waitFor(async () => (await spool.get(job.id))?.status === "running");
      const exited = stopChild(worker, "SIGTERM"); // second: skip the grace, release now
      assert.equal(await exited, 0, "a graceful exit, not a kill");
      const released = await spool.get(job.id);
      assert.equal(released?.status, "queued");
      assert.equal(released?.attempt, 0, "a released attempt is not counted");
    } finally {
      await spool.close();
    }
  });

  it("4 worker processes × 2,000 jobs: each job runs exactly once, never in two places at once", async () => {
    const dir = tempDir();
    const url = `sqlite:${join(dir, "spool.db")}`;
    const spool = await Spool.open({ url, maintenance: false });
    try {
      const total = 2_000;
      await spool.enqueueMany(
        Array.from({ length: total }, (_, i) => ({ type: "crash.job", payload: { i } })),
      );
      const logs = [0, 1, 2, 3].map((i) => join(dir, `w${i}.log`));
      const workers = logs.map((logPath, i) =>
        startWorker({
          url,
          logPath,
          name: `w${i}`,
          concurrency: 8,
          leaseMs: 10_000,
          maxDelayMs: 2,
        }),
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
      const page = await spool.list({ status: "completed", limit: 1000 });
      for (const job of page.jobs) {
        const run = executions.get(job.id)![0]!;
        assert.equal(job.attempt, 1);
        assert.deepEqual(
          job.result,
          { pid: run.pid, attempt: 1 },
          "the stored result is the one execution's",
        );
      }
    } finally {
      await spool.close();
    }
  });

  it("SIGKILL of a producer loses no acknowledged job", async () => {
    const url = `sqlite:${join(tempDir(), "spool.db")}`;
    const producer = spawnTs(helperPath("producer-process.ts"), { SPOOL_TEST_URL: url });
    children.push(producer);
    await waitFor(() => producer.lines.filter((line) => line.startsWith("ack ")).length >= 300, {
      timeoutMs: 30_000,
    });
    await stopChild(producer, "SIGKILL");
    const acked = producer.lines
      .filter((line) => line.startsWith("ack "))
      .map((line) => line.slice(4));
    const spool = await Spool.open({ url, maintenance: false });
    try {
      for (const id of acked) assert.ok(await spool.get(id), `acknowledged job ${id} was lost`);
    } finally {
      await spool.close();
    }
  });

  it("SIGKILL of a worker loses no acknowledged result", async () => {
    const dir = tempDir();
    const url = `sqlite:${join(dir, "spool.db")}`;
    const spool = await Spool.open({ url, maintenance: false });
    try {
      await spool.enqueueMany(
        Array.from({ length: 3_000 }, (_, i) => ({ type: "crash.job", payload: { i } })),
      );
      const worker = startWorker({
        url,
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
      const stats = await spool.stats();
      assert.equal(stats.totalJobs, 3_000, "no job lost");
    } finally {
      await spool.close();
    }
  });
});
