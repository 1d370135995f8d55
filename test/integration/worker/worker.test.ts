/**
 * Worker behaviour over a real SQLite store: results, progress, retries with backoff,
 * UnrecoverableError, timeouts, cancellation, graceful stop, lost leases, ordering and events.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import {
  Spool,
  SpoolValidationError,
  UnrecoverableError,
  type JobEventMap,
  type Worker,
} from "../../../src/index.js";
import { tempSqliteUrl } from "../../helpers/temp-dir.js";
import { nextEvent, waitFor } from "../../helpers/wait-for.js";

describe("worker", () => {
  let spool: Spool;
  const workers: Worker[] = [];

  const startWorker = async (options: Parameters<Spool["worker"]>[0]): Promise<Worker> => {
    const worker = spool.worker({ pollIntervalMs: 50, ...options });
    workers.push(worker);
    await worker.start();
    return worker;
  };
  const event = <K extends keyof JobEventMap>(name: K, jobId?: string): Promise<JobEventMap[K]> =>
    nextEvent<JobEventMap[K]>(
      (listener) => spool.on(name, listener),
      (e) => jobId === undefined || e.jobId === jobId,
    );

  beforeEach(async () => {
    // random: () => 0 makes every backoff 0 ms, so retries run at once and deterministically.
    spool = await Spool.open({
      url: tempSqliteUrl(),
      random: () => 0,
      maintenance: { rescueIntervalMs: 50, promoteIntervalMs: 20 },
    });
  });
  afterEach(async () => {
    const started = workers.splice(0);
    for (const worker of started) await worker.stop({ graceMs: 0 });
    await spool.close();
    for (const worker of started) {
      assert.equal(worker.isRunning, false, "a worker was left running");
      assert.equal(worker.activeCount, 0, "a handler was left running after stop()");
    }
  });

  it("runs a job, stores its result and reports progress", async () => {
    const progress: number[] = [];
    spool.on("job.progress", (e) => progress.push(e.progress));
    await startWorker({
      handlers: {
        "route.optimize": async (job, ctx) => {
          await ctx.progress(25, "nearest neighbour");
          await ctx.progress(75.4, "2-opt pass 2");
          return { routes: [[0, 1, 2]], n: job.payload.n };
        },
      },
    });
    const job = await spool.enqueue("route.optimize", { n: 7 });
    const done = await event("job.completed", job.id);
    assert.deepEqual(done.result, { routes: [[0, 1, 2]], n: 7 });
    assert.equal(done.queue, "default");
    assert.equal(done.type, "route.optimize");
    assert.equal(done.status, "completed");
    assert.deepEqual(progress, [25, 75]);
    const stored = await spool.get(job.id);
    assert.equal(stored?.status, "completed");
    assert.equal(stored?.progress, 100);
    assert.equal(stored?.progressMessage, "2-opt pass 2");
    assert.deepEqual(stored?.result, { routes: [[0, 1, 2]], n: 7 });
    assert.equal(stored?.attempt, 1);
    assert.ok(stored?.startedAt && stored.completedAt && stored.completedAt >= stored.startedAt);
  });

  it("progress is readable from the store while the job runs", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await startWorker({
      handlers: {
        slow: async (_job, ctx) => {
          await ctx.progress(40, "halfway-ish");
          await gate;
        },
      },
    });
    const job = await spool.enqueue("slow", {});
    const seen = await waitFor(async () => {
      const current = await spool.get(job.id);
      return current?.progress === 40 ? current : undefined;
    });
    assert.equal(seen.status, "running");
    assert.equal(seen.progressMessage, "halfway-ish");
    release();
    await event("job.completed", job.id);
  });

  it("retries with backoff, keeps the error history, then succeeds", async () => {
    let calls = 0;
    const retrying: number[] = [];
    spool.on("job.retrying", (e) => retrying.push(e.attempt));
    await startWorker({
      handlers: {
        flaky: async () => {
          calls += 1;
          if (calls < 3) throw new TypeError(`failure ${calls}`);
          return "ok";
        },
      },
    });
    const job = await spool.enqueue("flaky", {}, { maxAttempts: 3 });
    await event("job.completed", job.id);
    const stored = await spool.get(job.id);
    assert.equal(stored?.attempt, 3);
    assert.equal(stored?.result, "ok");
    assert.deepEqual(
      stored?.errors.map((e) => [e.attempt, e.type, e.message]),
      [
        [1, "TypeError", "failure 1"],
        [2, "TypeError", "failure 2"],
      ],
    );
    assert.deepEqual(retrying, [1, 2]);
  });

  it("fails for good once attempts are used up", async () => {
    await startWorker({
      handlers: {
        broken: async () => {
          throw new Error("always");
        },
      },
    });
    const job = await spool.enqueue("broken", {}, { maxAttempts: 2 });
    const failed = await event("job.failed", job.id);
    assert.equal(failed.attempt, 2);
    assert.equal(failed.error.message, "always");
    const stored = await spool.get(job.id);
    assert.equal(stored?.status, "failed");
    assert.equal(stored?.errors.length, 2);
    assert.equal(stored?.error?.type, "Error");
  });

  it("UnrecoverableError fails the job at once", async () => {
    await startWorker({
      handlers: {
        invalid: async () => {
          throw new UnrecoverableError("bad input, retrying cannot help");
        },
      },
    });
    const job = await spool.enqueue("invalid", {}, { maxAttempts: 5 });
    await event("job.failed", job.id);
    const stored = await spool.get(job.id);
    assert.equal(stored?.attempt, 1);
    assert.equal(stored?.error?.type, "UnrecoverableError");
  });

  it("a handler that throws synchronously or returns a non-JSON result fails its attempt", async () => {
    await startWorker({
      handlers: {
        sync: () => {
          throw new RangeError("sync throw");
        },
        bigint: async () => ({ n: 10n }),
      },
    });
    const a = await spool.enqueue("sync", {}, { maxAttempts: 1 });
    const b = await spool.enqueue("bigint", {}, { maxAttempts: 1 });
    // Polled, not awaited as events: job a may fail before b's submission returns.
    await waitFor(
      async () =>
        (await spool.get(a.id))?.status === "failed" &&
        (await spool.get(b.id))?.status === "failed",
    );
    assert.equal((await spool.get(a.id))?.error?.type, "RangeError");
    assert.equal((await spool.get(b.id))?.error?.type, "InvalidResult");
  });

  it("a timeout aborts the handler's signal and counts as a failed attempt", async () => {
    const reasons: unknown[] = [];
    await startWorker({
      handlers: {
        stuck: (_job, ctx) =>
          new Promise((_resolve, reject) => {
            ctx.signal.addEventListener("abort", () => {
              reasons.push(ctx.signal.reason);
              reject(ctx.signal.reason);
            });
          }),
      },
    });
    const job = await spool.enqueue("stuck", {}, { timeout: 50, maxAttempts: 2 });
    const failed = await event("job.failed", job.id);
    assert.equal(failed.error.type, "TimeoutError");
    const stored = await spool.get(job.id);
    assert.equal(stored?.attempt, 2);
    assert.deepEqual(
      stored?.errors.map((e) => e.type),
      ["TimeoutError", "TimeoutError"],
    );
    assert.equal(reasons.length, 2);
    assert.ok(reasons.every((r) => r instanceof Error && r.name === "TimeoutError"));
  });

  it("a timeout is recorded even when the handler ignores its signal", async () => {
    await startWorker({
      abortGraceMs: 20,
      handlers: { deaf: () => new Promise(() => undefined) },
    });
    const job = await spool.enqueue("deaf", {}, { timeout: 30, maxAttempts: 1 });
    const failed = await event("job.failed", job.id);
    assert.equal(failed.error.type, "TimeoutError");
  });

  it("cancelling a running job fires its signal and ends it cancelled", async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let aborted = false;
    await startWorker({
      handlers: {
        long: (_job, ctx) =>
          new Promise((_resolve, reject) => {
            started();
            ctx.signal.addEventListener("abort", () => {
              aborted = true;
              reject(ctx.signal.reason);
            });
          }),
      },
    });
    const job = await spool.enqueue("long", {});
    await running;
    const cancelled = event("job.cancelled", job.id);
    const answer = await spool.cancel(job.id);
    assert.equal(answer.status, "running");
    assert.equal(answer.cancelRequested, true);
    await cancelled;
    assert.equal(aborted, true);
    const stored = await spool.get(job.id);
    assert.equal(stored?.status, "cancelled");
    assert.equal(stored?.attempt, 1);
  });

  it("a cancel from another Spool instance reaches the running handler", async () => {
    const other = await Spool.open({ store: spool.store, maintenance: false, migrate: false });
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    await startWorker({
      cancelCheckIntervalMs: 20,
      handlers: {
        long: async (_job, ctx) => {
          started();
          // Returns normally once aborted: the job still ends cancelled, not completed.
          await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
          return "finished anyway";
        },
      },
    });
    const job = await spool.enqueue("long", {});
    await running;
    await other.cancel(job.id); // not this instance: only the store knows
    await waitFor(async () => (await spool.get(job.id))?.status === "cancelled");
    assert.equal((await spool.get(job.id))?.result, null);
  });

  it("cancelling a waiting job is immediate; cancelling a final job is a conflict", async () => {
    const job = await spool.enqueue("nobody.runs.this", {});
    const cancelled = await spool.cancel(job.id);
    assert.equal(cancelled.status, "cancelled");
    await assert.rejects(spool.cancel(job.id), { code: "job_final" });
    const retried = await spool.retry(job.id);
    assert.equal(retried.status, "queued");
    assert.equal(retried.attempt, 0);
  });

  it("graceful stop lets in-flight jobs finish within the grace period", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const worker = await startWorker({
      handlers: {
        slow: async (_job, ctx) => {
          await ctx.progress(10);
          await gate;
          return "done";
        },
      },
    });
    const job = await spool.enqueue("slow", {});
    await waitFor(async () => (await spool.get(job.id))?.progress === 10);
    const stopping = worker.stop({ graceMs: 10_000 });
    const extra = await spool.enqueue("slow", {});
    release();
    await stopping;
    assert.equal((await spool.get(job.id))?.status, "completed");
    assert.equal((await spool.get(extra.id))?.status, "queued", "no claims after stop()");
  });

  it("graceful stop releases jobs that outlive the grace period, uncounted, to another worker", async () => {
    const first = await startWorker({
      name: "first",
      handlers: {
        slow: (_job, ctx) =>
          new Promise((resolve) => ctx.signal.addEventListener("abort", resolve)),
      },
    });
    const job = await spool.enqueue("slow", {});
    await waitFor(async () => (await spool.get(job.id))?.status === "running");
    await first.stop({ graceMs: 0 });
    const released = await spool.get(job.id);
    assert.equal(released?.status, "queued");
    assert.equal(released?.attempt, 0);
    await startWorker({ name: "second", handlers: { slow: async () => "second" } });
    await event("job.completed", job.id);
    const stored = await spool.get(job.id);
    assert.equal(stored?.result, "second");
    assert.equal(stored?.attempt, 1);
    assert.match(stored?.worker ?? "", /^second-/);
  });

  it("a lost lease aborts the stale attempt, whose result never overwrites the newer one", async () => {
    const reasons: unknown[] = [];
    let calls = 0;
    const worker = await startWorker({
      leaseMs: 300, // renewed every 100 ms
      handlers: {
        job: (_job, ctx) => {
          calls += 1;
          if (calls > 1) return "fresh result";
          return new Promise((resolve) =>
            ctx.signal.addEventListener("abort", () => {
              reasons.push(ctx.signal.reason);
              resolve("stale result"); // returned after the lease was lost: must be dropped
            }),
          );
        },
      },
    });
    const job = await spool.enqueue("job", {});
    await waitFor(async () => (await spool.get(job.id))?.status === "running");
    // Another process whose clock runs a minute ahead rescues the lease and re-queues the job.
    const future = Date.now() + 60_000;
    const [rescued] = await spool.store.rescueExpiredLeases({
      now: future,
      limit: 10,
      random: () => 0,
    });
    assert.equal(rescued?.status, "retrying");
    await spool.store.promoteDueJobs({ now: future, limit: 10 });
    await event("job.completed", job.id);
    await waitFor(() => reasons.length === 1);
    assert.equal((reasons[0] as Error).name, "LeaseLostError");
    // stop() returns once every attempt (the stale one too) has settled and every pending
    // completion is written: had the stale result been reported, it would be in the store now.
    await worker.stop();
    const stored = await spool.get(job.id);
    assert.equal(stored?.status, "completed");
    assert.equal(stored?.result, "fresh result");
    assert.equal(stored?.attempt, 2);
    assert.deepEqual(
      stored?.errors.map((e) => e.type),
      ["LeaseExpired"],
    );
  });

  it("runs higher priority first, then FIFO", async () => {
    const order: number[] = [];
    for (const [i, priority] of [
      [1, 0],
      [2, 5],
      [3, 0],
      [4, 10],
      [5, -3],
    ] as const) {
      await spool.enqueue("ordered", { i }, { priority });
    }
    await startWorker({
      concurrency: 1,
      handlers: {
        ordered: async (job) => {
          order.push(job.payload.i as number);
        },
      },
    });
    await waitFor(() => order.length === 5);
    assert.deepEqual(order, [4, 2, 1, 3, 5]);
  });

  it("runs a delayed job only after its delay", async () => {
    const startedAt: number[] = [];
    await startWorker({
      handlers: {
        later: async () => {
          startedAt.push(Date.now());
        },
      },
    });
    const submitted = Date.now();
    const job = await spool.enqueue("later", {}, { delay: 200 });
    assert.equal(job.status, "scheduled");
    await event("job.completed", job.id);
    assert.ok(startedAt[0]! - submitted >= 200, "started before its runAt");
  });

  it("never runs more than `concurrency` jobs at once", async () => {
    let running = 0;
    let peak = 0;
    await startWorker({
      concurrency: 3,
      handlers: {
        work: async () => {
          running += 1;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setTimeout(resolve, 5));
          running -= 1;
        },
      },
    });
    await spool.enqueueMany(
      Array.from({ length: 30 }, (_, i) => ({ type: "work", payload: { i } })),
    );
    await waitFor(async () => (await spool.stats()).completed === 30);
    assert.equal(peak, 3);
  });

  it("a job of a type the worker has no handler for waits for a worker that serves it", async () => {
    const known = await startWorker({ handlers: { known: async () => null } });
    const idle = nextEvent((listener) => known.on("worker.idle", listener));
    const job = await spool.enqueue("other.type", {}, { maxAttempts: 1 });
    await idle; // a claim after the submission found nothing it may take
    const waiting = await spool.get(job.id);
    assert.equal(waiting?.status, "queued");
    assert.equal(waiting?.attempt, 0);
    const done = event("job.completed", job.id);
    const serving = await startWorker({ handlers: { "other.type": async () => "ran" } });
    await done;
    assert.equal((await spool.get(job.id))?.worker, serving.id);
  });

  it('refuses handler names that are not job types ("*" included)', () => {
    for (const name of ["*", "has space", ""]) {
      assert.throws(
        () => spool.worker({ handlers: { [name]: async () => null } }),
        (error: unknown) =>
          error instanceof SpoolValidationError && error.field === `handlers.${name}`,
      );
    }
  });

  it("a paused queue is not worked until resumed", async () => {
    await spool.pauseQueue("default");
    const worker = await startWorker({ handlers: { work: async () => "ok" } });
    const idle = nextEvent((listener) => worker.on("worker.idle", listener));
    const job = await spool.enqueue("work", {});
    await idle; // a claim after the submission found nothing it may take
    assert.equal((await spool.get(job.id))?.status, "queued");
    const done = event("job.completed", job.id);
    await spool.resumeQueue("default");
    await done;
  });

  it("emits typed events in lifecycle order", async () => {
    const seen: string[] = [];
    for (const name of ["job.queued", "job.started", "job.progress", "job.completed"] as const) {
      spool.on(name, (e) => seen.push(`${name}:${e.status}`));
    }
    await startWorker({
      handlers: {
        evented: async (_job, ctx) => {
          await ctx.progress(50);
        },
      },
    });
    const job = await spool.enqueue("evented", {});
    await event("job.completed", job.id);
    assert.deepEqual(seen, [
      "job.queued:queued",
      "job.started:running",
      "job.progress:running",
      "job.completed:completed",
    ]);
  });
});
