/**
 * `spool worker` and `spool enqueue --wait` as real processes on one SQLite file: a job's
 * progress rises and its result is printed; a failing job exits non-zero; `--burst` exits 0
 * once the queue is empty (in process and sandboxed); SIGTERM lets a running job finish, or
 * releases it to the queue when the grace period is shorter — it is never lost.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { Spool, type JsonObject } from "../../../src/index.js";
import { tempSqliteUrl } from "../../helpers/temp-dir.js";
import { waitFor } from "../../helpers/wait-for.js";
import { runSpool, startSpool, type SpoolProcess } from "./spool-cli.js";

const STARTED = /^worker \S+ started/;
const running: SpoolProcess[] = [];

function worker(url: string, ...args: string[]): SpoolProcess {
  const process = startSpool(["worker", "--url", url, ...args]);
  running.push(process);
  return process;
}

/** Percentages of the plain (non-TTY) progress lines `enqueue --wait` writes to stderr. */
function percents(stderr: string): number[] {
  return [...stderr.matchAll(/^running\s+(\d+)%/gm)].map((m) => Number(m[1]));
}

after(async () => {
  for (const p of running) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
    await p.exited;
  }
});

describe("spool worker + spool enqueue --wait", () => {
  it("follows a job to its result, and exits 1 when the job fails", async () => {
    const url = tempSqliteUrl();
    const w = worker(url, "--demo", "--concurrency", "2", "--name", "cli-test");
    await w.waitForLine(STARTED);

    const ok = await runSpool([
      "enqueue",
      "demo.sleep",
      "--payload",
      '{"seconds": 1}',
      "--wait",
      "--poll-interval",
      "50",
      "--url",
      url,
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), { slept_seconds: 1 });
    const seen = percents(ok.stderr);
    assert.ok(seen.length >= 3, `progress lines:\n${ok.stderr}`);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! > seen[i - 1]!, ok.stderr);
    assert.match(ok.stderr, /completed in/);

    const failed = await runSpool([
      "enqueue",
      "demo.flaky",
      "--payload",
      '{"failures": 5}',
      "--max-attempts",
      "1",
      "--wait",
      "--url",
      url,
    ]);
    assert.equal(failed.code, 1);
    assert.equal(failed.stdout, "");
    assert.match(failed.stderr, /job failed after 1 attempt: Error: planned failure 1 of 5/);

    // The worker names itself as asked and logs each job.
    await w.waitForLine(/failed\s+demo\.flaky/);
    const spool = await Spool.open({ url, maintenance: false });
    const { jobs } = await spool.list({ type: "demo.sleep" });
    assert.match(jobs[0]!.worker ?? "", /^cli-test-/);
    await spool.close();

    w.child.kill("SIGTERM");
    assert.equal((await w.exited).code, 0);
  });

  it("--burst exits 0 once the queue is empty, in process and sandboxed", async () => {
    for (const sandbox of [[], ["--sandbox"]]) {
      const url = tempSqliteUrl();
      const spool = await Spool.open({ url, maintenance: false });
      const jobs = await spool.enqueueMany([
        { type: "demo.sleep", payload: { seconds: 0.2 } },
        { type: "demo.sleep", payload: { seconds: 0.1 } },
        { type: "route.optimize", payload: smallRoute() },
      ]);
      const run = await worker(url, "--demo", "--burst", ...sandbox).exited;
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /worker stopped/);
      for (const job of jobs) {
        const done = await spool.get(job.id);
        assert.equal(done?.status, "completed", `${job.type} ${JSON.stringify(done?.error)}`);
      }
      const routes = (await spool.get(jobs[2]!.id))!.result as { summary: { unassigned: [] } };
      assert.deepEqual(routes.summary.unassigned, []);
      await spool.close();
    }
  });

  it("SIGTERM lets a running job finish within the grace period", async () => {
    const url = tempSqliteUrl();
    const w = worker(url, "--demo", "--grace", "20");
    await w.waitForLine(STARTED);
    const spool = await Spool.open({ url, maintenance: false });
    const job = await spool.enqueue("demo.sleep", { seconds: 1 });
    await w.waitForLine(/started\s+demo\.sleep/);
    w.child.kill("SIGTERM");
    const run = await w.exited;
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /SIGTERM: stopping; 1 running job/);
    assert.equal((await spool.get(job.id))?.status, "completed");
    await spool.close();
  });

  it("SIGTERM releases a job that outlasts the grace period; another worker finishes it", async () => {
    const url = tempSqliteUrl();
    const w = worker(url, "--demo", "--grace", "0.2");
    await w.waitForLine(STARTED);
    const spool = await Spool.open({ url, maintenance: false });
    const job = await spool.enqueue("demo.sleep", { seconds: 1.5 });
    await waitFor(async () => ((await spool.get(job.id))?.progress ?? 0) > 0);
    w.child.kill("SIGTERM");
    const run = await w.exited;
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /1 running job\(s\) released/);
    const released = await spool.get(job.id);
    assert.equal(released?.status, "queued", "released, not left running");
    assert.equal(released?.attempt, 0, "a released attempt is not counted");

    const burst = await worker(url, "--demo", "--burst").exited;
    assert.equal(burst.code, 0, burst.stderr);
    const done = await spool.get(job.id);
    assert.equal(done?.status, "completed");
    assert.equal(done?.attempt, 1);
    await spool.close();
  });
});

/** A small route.optimize payload that finishes in well under a second. */
function smallRoute(): JsonObject {
  const customers = Array.from({ length: 12 }, (_, i) => ({
    id: `c${i}`,
    lat: 41 + (i % 4) * 0.01,
    lon: 29 + Math.floor(i / 4) * 0.01,
    demand: 1 + (i % 3),
  }));
  return {
    depots: [{ id: "d", lat: 41.015, lon: 29.01 }],
    customers,
    vehicles: [
      { id: "v1", capacity: 15 },
      { id: "v2", capacity: 15 },
    ],
    fuel_price: 40,
    time_limit_seconds: 0.5,
  };
}
