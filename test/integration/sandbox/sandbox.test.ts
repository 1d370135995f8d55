/**
 * Sandboxed handlers over a real SQLite store, each job in its own child process: a busy loop
 * keeps its lease (short leases, a rescuer running every 100 ms), a busy loop is killed when
 * cancelled or timed out, and a handler that exits, throws from a timer or exhausts its heap
 * fails only its own attempt while the worker goes on with other jobs.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Spool, type JobEventMap, type JobRecord, type Worker } from "../../../src/index.js";
import { createSandbox, type Sandbox } from "../../../src/worker/sandbox.js";
import { tempSqliteUrl } from "../../helpers/temp-dir.js";
import { nextEvent, waitFor } from "../../helpers/wait-for.js";

const FIXTURE = fileURLToPath(new URL("./fixtures/handlers.ts", import.meta.url));
const TYPES = ["ok", "busy", "spin", "exit", "async-throw", "leak", "unrecoverable", "parents"];
const LEASE_MS = 600;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("sandboxed handlers", () => {
  let spool: Spool;
  let worker: Worker;
  let sandbox: Sandbox;

  before(async () => {
    spool = await Spool.open({
      url: tempSqliteUrl(),
      random: () => 0,
      maintenance: { rescueIntervalMs: 100, promoteIntervalMs: 20 },
    });
    sandbox = createSandbox(FIXTURE, TYPES, { killGraceMs: 300, warm: 2, maxOldSpaceMb: 64 });
    worker = spool.worker({
      handlers: sandbox.handlers,
      concurrency: 4,
      leaseMs: LEASE_MS,
      cancelCheckIntervalMs: 100,
      pollIntervalMs: 50,
    });
    await worker.start();
  });
  after(async () => {
    await worker.stop({ graceMs: 0 });
    sandbox.close();
    await spool.close();
  });

  const finished = (id: string, timeoutMs = 15_000): Promise<JobRecord> =>
    waitFor(
      async () => {
        const job = await spool.get(id);
        return job !== null && ["completed", "failed", "cancelled"].includes(job.status)
          ? job
          : undefined;
      },
      { timeoutMs, intervalMs: 10 },
    );
  const pidOf = async (id: string): Promise<number> => {
    const message = await waitFor(async () => (await spool.get(id))?.progressMessage, {
      timeoutMs: 10_000,
    });
    return Number(/pid (\d+)/.exec(message)![1]);
  };

  it("runs a job in a child process and forwards its progress", async () => {
    const progress: string[] = [];
    spool.on("job.progress", (e) => progress.push(`${e.progress} ${e.progressMessage}`));
    const job = await spool.enqueue("ok", { n: 1 });
    // Events come from the store's log, asynchronously, in commit order: the job's
    // `job.completed` comes after all of its progress events.
    await nextEvent<JobEventMap["job.completed"]>(
      (listener) => spool.on("job.completed", listener),
      (e) => e.jobId === job.id,
      15_000,
    );
    const done = await finished(job.id);
    assert.equal(done.status, "completed");
    const result = done.result as { pid: number; attempt: number; echo: unknown };
    assert.notEqual(result.pid, process.pid);
    assert.equal(result.attempt, 1);
    assert.deepEqual(result.echo, { n: 1 });
    assert.ok(progress.includes("50 half way"));
    await waitFor(() => !alive(result.pid), { message: "the child exits after its job" });
  });

  it("hands a sandboxed handler its parents' results (ctx.parents)", async () => {
    const parent = await spool.enqueue("ok", { n: 7 });
    const child = await spool.enqueue("parents", {}, { dependsOn: [parent.id] });
    const done = await finished(child.id);
    assert.equal(done.status, "completed");
    const result = done.result as { pid: number; parents: { id: string; result: unknown }[] };
    assert.notEqual(result.pid, process.pid);
    assert.deepEqual(
      result.parents.map((p) => [p.id, (p.result as { echo: unknown }).echo]),
      [[parent.id, { n: 7 }]],
    );
  });

  it("keeps the lease of a busy loop that never yields", async () => {
    // Five lease periods of a blocked event loop: in process, the lease would expire and the
    // rescuer (every 100 ms) would take the job away and count a failed attempt.
    const job = await spool.enqueue("busy", { ms: LEASE_MS * 5 }, { maxAttempts: 3 });
    const done = await finished(job.id);
    assert.equal(done.status, "completed");
    assert.equal(done.attempt, 1);
    assert.deepEqual(done.errors, []);
  });

  it("kills a busy loop that is cancelled", async () => {
    const job = await spool.enqueue("spin", {});
    const pid = await pidOf(job.id);
    await spool.cancel(job.id);
    const done = await finished(job.id);
    assert.equal(done.status, "cancelled");
    await waitFor(() => !alive(pid), { message: `child ${pid} should be killed` });
  });

  it("kills a busy loop that times out, failing the attempt", async () => {
    const job = await spool.enqueue("spin", {}, { timeout: 1_000, maxAttempts: 1 });
    const pid = await pidOf(job.id);
    const done = await finished(job.id);
    assert.equal(done.status, "failed");
    assert.equal(done.error?.type, "TimeoutError");
    await waitFor(() => !alive(pid), { message: `child ${pid} should be killed` });
  });

  it("fails only the attempt of a handler that calls process.exit()", async () => {
    const exiting = await spool.enqueue("exit", { code: 0 }, { maxAttempts: 2 });
    const neighbour = await spool.enqueue("ok", {});
    const done = await finished(exiting.id);
    assert.equal(done.status, "failed");
    assert.equal(done.attempt, 2, "each attempt failed on its own, then attempts ran out");
    assert.equal(done.error?.type, "SandboxExitError");
    assert.match(done.error!.message, /exited with code 0 before returning a result/);
    assert.equal((await finished(neighbour.id)).status, "completed");
    const after = await spool.enqueue("ok", {});
    assert.equal((await finished(after.id)).status, "completed", "the worker goes on");
  });

  it("fails only the attempt of a handler that throws from a timer", async () => {
    const job = await spool.enqueue("async-throw", {}, { maxAttempts: 1 });
    const pid = await pidOf(job.id);
    const done = await finished(job.id);
    assert.equal(done.status, "failed");
    assert.match(done.error!.message, /boom from a timer/);
    await waitFor(() => !alive(pid));
    const next = await spool.enqueue("ok", {});
    assert.equal((await finished(next.id)).status, "completed");
  });

  it("fails only the attempt of a handler that exhausts its heap", async () => {
    const job = await spool.enqueue("leak", {}, { maxAttempts: 1 });
    const done = await finished(job.id, 30_000);
    assert.equal(done.status, "failed");
    assert.equal(done.error?.type, "SandboxExitError");
    const next = await spool.enqueue("ok", {});
    assert.equal((await finished(next.id)).status, "completed");
  });

  it("keeps UnrecoverableError's meaning across the process boundary", async () => {
    const job = await spool.enqueue("unrecoverable", {}, { maxAttempts: 3 });
    const done = await finished(job.id);
    assert.equal(done.status, "failed");
    assert.equal(done.attempt, 1, "no retry after UnrecoverableError");
    assert.equal(done.error?.type, "UnrecoverableError");
  });
});
