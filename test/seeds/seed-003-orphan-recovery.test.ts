/**
 * Seed 003 (a FastAPI app whose PostgreSQL `jobs` table is the queue, with "orphan recovery" of
 * jobs left RUNNING by a crash) on Spool's PostgreSQL store: a real `spool serve --no-auth
 * --workers 0` (the seed's curl clients send no key) and `spool worker` processes. The seed's
 * API flow submits the jobs and reads their status; the worker running them is SIGKILLed
 * mid-job; another worker rescues every orphan once its lease expires and completes it. Nothing
 * is lost, nothing completes twice, and each job's history records the crashed attempt.
 *
 * Mapped to Spool (SPEC §2): the seed's `POST /jobs/generate {location_group, settings}` is
 * `POST /jobs {type: "generate_routes", payload: {location_group, settings}}`; its `GET
 * /jobs/{job_id}` is Spool's own path. Seed 003's "orphan recovery on startup" is Spool's lease
 * rescue, which needs no restart: the lease (30 s, the default) expires and the job is retried.
 *
 * Isolation: `spool serve` and `spool worker` have no flag for the PostgreSQL schema (always
 * `spool`), so this test gives the processes a database of their own on the test server
 * (created here, dropped after) — the CLI equivalent of the per-test schema of
 * test/helpers/postgres.ts.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { randomToken } from "../../src/core/ids.js";
import { startSpool, type SpoolProcess } from "../integration/cli/spool-cli.js";
import { PG_TEST_URL, adminQuery } from "../helpers/postgres.js";
import { tempDir } from "../helpers/temp-dir.js";
import { waitFor } from "../helpers/wait-for.js";
import { FIXTURES, call, runShell, startServe, type SeedServer } from "./seed-harness.js";

interface JobView {
  id: string;
  status: string;
  attempt: number;
  worker: string | null;
  result: { routes_generated: boolean; route_group_id: string; pid: number } | null;
  errors: { attempt: number; type: string; message: string }[];
  started_at: string | null;
  completed_at: string | null;
}

const JOBS = 5;
const HANDLERS = join(FIXTURES, "seed003-handlers.ts");

describe("seed 003: a worker SIGKILLed mid-job on PostgreSQL; its orphans are rescued", () => {
  const database = `seed003_${randomToken()
    .slice(0, 12)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "x")}`;
  const url = Object.assign(new URL(PG_TEST_URL), { pathname: `/${database}` }).toString();
  let server: SeedServer | undefined;
  const workers: SpoolProcess[] = [];

  before(async () => {
    await adminQuery(`CREATE DATABASE "${database}"`);
    server = await startServe(["--no-auth", "--workers", "0", "--url", url]);
  });
  after(async () => {
    for (const worker of workers) worker.child.kill("SIGKILL");
    await Promise.all(workers.map((worker) => worker.exited));
    await server?.stop();
    await adminQuery(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  });

  function startWorker(name: string, env: Record<string, string>): SpoolProcess {
    const worker = startSpool(["worker", "--handlers", HANDLERS, "--name", name, "--url", url], {
      env,
    });
    workers.push(worker);
    return worker;
  }

  it("SIGKILL mid-job: every job is rescued, completed once by the other worker, none lost", async () => {
    const base = server!.base;
    const dir = tempDir();
    const logPath = join(dir, "executions.log");

    // Seed: curl -X POST "http://localhost:8080/jobs/generate" -H "Content-Type: application/json" \
    //         -d '{"location_group": {...}, "settings": {...}}'
    // Changed: /jobs/generate → /jobs, the body as a generate_routes job, the `{...}` filled in.
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i++) {
      const body = JSON.stringify({
        type: "generate_routes",
        payload: {
          location_group: { id: `lg-${i}`, locations: [{ lat: 43.65, lon: -79.38 }] },
          settings: { vehicles: 2 },
          route_group_id: `rg-${i}`,
        },
      });
      const submitted = await runShell(
        `curl -s -X POST "${base}/jobs" -H "Content-Type: application/json" -d '${body}'`,
        dir,
      );
      ids.push((JSON.parse(submitted.stdout) as { job_id: string }).job_id);
    }
    // Seed, unchanged but for the host: curl "http://localhost:8080/jobs/{job_id}"
    const status = async (id: string): Promise<JobView> => {
      const answer = await runShell(`curl -s "${base}/jobs/${id}"`, dir);
      return JSON.parse(answer.stdout) as JobView;
    };
    for (const id of ids) assert.equal((await status(id)).status, "queued");

    const doomed = startWorker("f4k-worker-1", { SEED003_LOG: logPath, SEED003_HANG: "1" });
    const starts = (): string[][] =>
      readLog(logPath).filter((line) => line[0] === "start" && line[2] === "1");
    await waitFor(() => starts().length === JOBS, {
      timeoutMs: 60_000,
      message: "worker 1 started every job",
    });
    const doomedPid = starts()[0]![3]!;
    const before = await Promise.all(ids.map(status));
    for (const job of before) assert.equal(job.status, "running");
    const doomedId = before[0]!.worker;

    doomed.child.kill("SIGKILL");
    const killed = await doomed.exited;
    assert.equal(killed.signal, "SIGKILL");
    // The orphans: still `running` as far as the store knows, held by a dead worker.
    for (const id of ids) assert.equal((await status(id)).status, "running");

    startWorker("f4k-worker-2", { SEED003_LOG: logPath });
    const done = await waitFor(
      async () => {
        const jobs = await Promise.all(ids.map(status));
        return jobs.every((job) => job.status === "completed") ? jobs : null;
      },
      { timeoutMs: 150_000, intervalMs: 250, message: "every orphan completed" },
    );

    const log = readLog(logPath);
    for (const job of done) {
      assert.equal(job.attempt, 2, "attempt 1 was lost with worker 1, attempt 2 completed");
      assert.notEqual(job.worker, doomedId);
      assert.equal(job.result?.routes_generated, true);
      assert.notEqual(String(job.result?.pid), doomedPid, "completed by the other worker");
      assert.equal(job.errors.length, 1, "the crashed attempt is in the history");
      assert.equal(job.errors[0]!.attempt, 1);
      assert.ok(job.started_at !== null && job.completed_at !== null);
      const runs = log.filter((line) => line[1] === job.id);
      assert.deepEqual(
        runs.map((line) => `${line[0]} ${line[2]}`),
        ["start 1", "start 2", "end 2"],
        `job ${job.id} ran once per worker and finished once`,
      );
    }
    const payloads = done.map((job) => job.result?.route_group_id).sort();
    assert.deepEqual(payloads, ["rg-0", "rg-1", "rg-2", "rg-3", "rg-4"], "nothing lost");
    const stats = await call<Record<string, number>>(server!, "GET", "/stats");
    assert.equal(stats.body.total_jobs, JOBS);
    assert.equal(stats.body.completed, JOBS);
    assert.equal(stats.body.running, 0);
    assert.equal(stats.body.failed, 0);
  });
});

/** The execution log as split lines: [event, job id, attempt, pid]. */
function readLog(path: string): string[][] {
  let text = "";
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => line.split(" "));
}
