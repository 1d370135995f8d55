/**
 * Delivery promises with real processes (SPEC §1), one suite for every store (like the store
 * conformance suite): several worker processes run every job exactly once and never in two
 * places at once; a worker SIGKILLed mid-job is rescued and the job completes once, on attempt
 * 2; SIGTERM stops gracefully and a second SIGTERM releases a stuck job uncounted; SIGKILL of a
 * producer or of a worker loses no acknowledged job and no acknowledged result. Each
 * `<dialect>-crash.test.ts` passes a factory for a fresh database.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import type { Spool } from "../../src/index.js";
import { readExecutions } from "../helpers/execution-log.js";
import { helperPath, spawnTs, stopChild, waitForLine } from "../helpers/processes.js";
import { tempDir } from "../helpers/temp-dir.js";
import { waitFor, waitForProgress } from "../helpers/wait-for.js";
import type { WorkerProcessConfig } from "../helpers/worker-process.js";

/** A fresh database for one test, reachable from child processes. */
export interface CrashDatabase {
  /** Store URL for child processes and `Spool.open`. */
  url: string;
  /** PostgreSQL schema, when the store has one. */
  schema?: string;
  /** A Spool instance on the database (no maintenance), to submit and inspect with. */
  open(): Promise<Spool>;
  /** Removes the database (after `open()`'s instances are closed). */
  drop(): Promise<void>;
  /** What the database's sessions are doing, for a failure message. */
  describeSessions?: () => Promise<string>;
}

/** How a store joins the suite. */
export interface CrashSuiteOptions {
  name: string;
  create: () => CrashDatabase;
  /** The many-workers scenario: jobs in total and each of the 4 processes' concurrency. */
  manyWorkers: { total: number; concurrency: number };
}

/** Defines the crash suite for one store. */
export function defineCrashSuite(options: CrashSuiteOptions): void {
  const children: ReturnType<typeof spawnTs>[] = [];
  let database: CrashDatabase | undefined;
  let spool: Spool | undefined;

  const open = async (): Promise<Spool> => {
    database = options.create();
    spool = await database.open();
    return spool;
  };
  const childEnv = (db: CrashDatabase): Pick<WorkerProcessConfig, "url" | "schema"> =>
    db.schema === undefined ? { url: db.url } : { url: db.url, schema: db.schema };
  const startWorker = (
    config: Omit<WorkerProcessConfig, "url" | "schema">,
  ): ReturnType<typeof spawnTs> => {
    const child = spawnTs(helperPath("worker-process.ts"), {
      SPOOL_TEST_WORKER: JSON.stringify({ ...childEnv(database!), ...config }),
    });
    children.push(child);
    return child;
  };

  describe(`crash safety on ${options.name} (real processes)`, () => {
    afterEach(async () => {
      await Promise.all(children.splice(0).map((child) => stopChild(child, "SIGKILL")));
      await spool?.close();
      await database?.drop();
      spool = undefined;
      database = undefined;
    });

    const { total, concurrency } = options.manyWorkers;
    it(`4 worker processes × ${total} jobs: every job runs exactly once, never in two places at once`, async () => {
      const spool = await open();
      const dir = tempDir();
      await spool.enqueueMany(
        Array.from({ length: total }, (_, i) => ({ type: "crash.job", payload: { i } })),
      );
      const logs = [0, 1, 2, 3].map((i) => join(dir, `w${i}.log`));
      const workers = logs.map((logPath, i) =>
        startWorker({ logPath, name: `w${i}`, concurrency, leaseMs: 10_000, maxDelayMs: 2 }),
      );
      // A liveness check, not a speed check: it fails when completions stop, however slowly a
      // shared, loaded CI machine makes them (a fixed deadline failed runs that were only slow).
      await waitForProgress(async () => (await spool.stats()).completed, total).catch(
        async (error: unknown) => {
          // Say where the missing jobs are: the counters' view and the rows' own.
          const unfinished = await spool.list({
            status: ["queued", "scheduled", "retrying", "running"],
            limit: 20,
          });
          const rows = unfinished.jobs.map(
            (job) => `${job.id} ${job.status} attempt ${job.attempt}`,
          );
          const stats = JSON.stringify(await spool.stats());
          const processes = workers.map(
            (w) => `${w.pid}: exit ${w.exitCode ?? w.signalCode ?? "-"}`,
          );
          const sessions = (await database!.describeSessions?.()) ?? "";
          throw new Error(
            `${String(error)}; stats ${stats}; workers ${processes.join(", ")}; ` +
              `unfinished rows: ${rows.join(", ")}; sessions: ${sessions}`,
          );
        },
      );
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
      const spool = await open();
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

    it("SIGTERM stops gracefully; a second SIGTERM releases a stuck job at once, uncounted", async () => {
      const spool = await open();
      const logs = [join(tempDir(), "a.log")];
      const worker = startWorker({
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
    });

    it("SIGKILL of a producer loses no acknowledged job", async () => {
      const spool = await open();
      const db = database!;
      const producer = spawnTs(helperPath("producer-process.ts"), {
        SPOOL_TEST_URL: db.url,
        ...(db.schema === undefined ? {} : { SPOOL_TEST_SCHEMA: db.schema }),
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
      const spool = await open();
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
}
