/**
 * Seed 000 (an OR-Tools route optimizer behind an in-memory job queue) with its own clients,
 * against a real `spool serve --demo --no-auth` (the seed's clients send no Authorization
 * header): the Python client and the browser `fetch` snippet each submit a `route.optimize` job
 * and poll it to completion; then the seed's curl "Test Cancellation" and "Queue Statistics".
 *
 * Mapped to Spool's routes (SPEC §2), and only these:
 * - `POST /optimize/async` (body: the optimisation request) → `POST /jobs {type:
 *   "route.optimize", payload: <the request>}`; the seed's `GET /jobs/{job_id}` and `DELETE
 *   /jobs/{job_id}` are Spool's own paths, unchanged.
 * - `GET /jobs` as queue statistics → `GET /stats` (Spool's `GET /jobs` is the job list).
 * The client files (fixtures/seed000_client.py, fixtures/seed000-frontend.mjs) say which of
 * their lines differ from the seed; the curl lines are below, each with its change.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { tempDir } from "../helpers/temp-dir.js";
import {
  FIXTURES,
  call,
  captures,
  runNode,
  runPython,
  runShell,
  startServe,
  type SeedServer,
} from "./seed-harness.js";

interface RouteView {
  vehicle_id: string;
  stops: { customer_id: string }[];
}

interface JobView {
  success?: boolean;
  id: string;
  type: string;
  status: string;
  progress: number;
  result: {
    routes: RouteView[];
    summary: { total_distance_km: number; customers_served: number };
  } | null;
  error: unknown;
  elapsed_seconds: number | null;
  started_at: string | null;
  completed_at: string | null;
}

/** The seed's host in its curl examples, replaced by the test server's. */
const SEED_HOST = "http://localhost:8000";

describe("seed 000: the optimizer's own clients against spool serve --demo", () => {
  let server: SeedServer;
  const jobIds: string[] = [];

  before(async () => {
    server = await startServe([
      "--demo",
      "--no-auth",
      "--url",
      `sqlite:${join(tempDir(), "spool.db")}`,
    ]);
  });
  after(async () => {
    await server?.stop();
  });

  /** SPEC §6: every JSON response carries `success` (checked last, so it masks nothing). */
  function assertSuccess(body: { success?: boolean }, expected = true): void {
    assert.equal(body.success, expected, "every JSON response carries success (SPEC §6)");
  }

  /** Checks a finished job the way the seed's "Get Job Status" response describes it. */
  async function assertCompleted(jobId: string): Promise<JobView> {
    const answer = await call<JobView>(server, "GET", `/jobs/${jobId}`);
    assert.equal(answer.status, 200);
    const job = answer.body;
    assert.equal(job.type, "route.optimize");
    assert.equal(job.status, "completed");
    assert.equal(job.progress, 100);
    assert.equal(job.error, null);
    assert.equal(typeof job.elapsed_seconds, "number");
    assert.ok(job.started_at !== null && job.completed_at !== null);
    assert.equal(job.result!.summary.customers_served, 5, "every customer of the instance");
    const served = job.result!.routes.flatMap((route) => route.stops.map((s) => s.customer_id));
    assert.deepEqual(served.sort(), ["C1", "C2", "C3", "C4", "C5"]);
    return job;
  }

  it("the Python client submits, polls every 2 s and prints the total distance", async () => {
    const run = await runPython("seed000_client.py", { SPOOL_API_URL: server.base });
    assert.equal(run.code, 0, run.stderr);
    const [jobId] = captures(run.stdout, /^Job submitted: (\S+)$/);
    assert.match(jobId ?? "", /^[0-9a-f-]{36}$/, run.stdout);
    jobIds.push(jobId!);
    assert.match(run.stdout, /^Optimization complete!$/m);
    const statuses = captures(run.stdout, /^Status: (\w+), Progress: \d+%$/);
    assert.equal(statuses.at(-1), "completed");
    const job = await assertCompleted(jobId!);
    const [printed] = captures(run.stdout, /^Total distance: (\S+) km$/);
    assert.equal(Number(printed), job.result!.summary.total_distance_km);
    assertSuccess(job);
  });

  it("the browser fetch snippet submits, polls and hands the routes to displayRoutes", async () => {
    const run = await runNode("seed000-frontend.mjs", { SPOOL_API_URL: server.base });
    assert.equal(run.code, 0, run.stderr);
    const outcome = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as {
      outcome: string;
      routes: RouteView[];
      calls: string[];
    };
    assert.equal(outcome.outcome, "completed", run.stdout + run.stderr);
    assert.equal(outcome.calls[0], "POST /jobs");
    const polled = /^GET \/jobs\/([0-9a-f-]{36})$/.exec(outcome.calls.at(-1)!)?.[1];
    assert.ok(polled, outcome.calls.join("\n"));
    jobIds.push(polled);
    const job = await assertCompleted(polled);
    assert.deepEqual(outcome.routes, job.result!.routes, "displayRoutes got the job's routes");
    assertSuccess(job);
  });

  it("the curl cancellation test: a pending job is cancelled at once and stays cancelled", async () => {
    // The seed cancels "immediately (while pending)". With demo workers idle, "pending" would be
    // a race against the claim; pausing the queue makes the seed's precondition certain.
    const paused = await call(server, "POST", "/queues/default/pause");
    assert.equal(paused.status, 200);
    const dir = tempDir();
    // `-d @request.json`: the seed's request file, as a Spool submission (see the header).
    writeFileSync(
      join(dir, "request.json"),
      JSON.stringify({
        type: "route.optimize",
        payload: JSON.parse(
          readFileSync(join(FIXTURES, "seed000-route-request.json"), "utf8"),
        ) as unknown,
      }),
    );
    const host = (line: string): string => line.replaceAll(SEED_HOST, server.base);

    // Seed: JOB_ID=$(curl -X POST http://localhost:8000/optimize/async -d @request.json | jq -r .job_id)
    // Changed: /optimize/async → /jobs; and `-H "Content-Type: application/json"` added — without
    // it curl sends application/x-www-form-urlencoded, which a JSON API answers with 415 (the
    // seed's other curl examples do send the header).
    const submit = await runShell(
      host(
        `curl -X POST ${SEED_HOST}/jobs -H "Content-Type: application/json" -d @request.json | jq -r .job_id`,
      ),
      dir,
    );
    assert.equal(submit.code, 0, submit.stderr);
    const jobId = submit.stdout.trim();
    assert.match(jobId, /^[0-9a-f-]{36}$/);
    jobIds.push(jobId);

    // Seed, unchanged: curl -X DELETE http://localhost:8000/jobs/$JOB_ID  (no body, no type)
    const cancel = await runShell(
      host(`curl -s -w '\\n%{http_code}' -X DELETE ${SEED_HOST}/jobs/$JOB_ID`),
      dir,
      { JOB_ID: jobId },
    );
    const [cancelBody, cancelStatus] = cancel.stdout.trim().split("\n");
    assert.equal(cancelStatus, "200", cancel.stdout);
    const cancelled = JSON.parse(cancelBody!) as {
      success?: boolean;
      status: string;
      message: string;
    };
    assert.equal(cancelled.status, "cancelled");
    assert.match(cancelled.message, new RegExp(jobId), "the seed's response names the job");

    // Seed, unchanged: curl http://localhost:8000/jobs/$JOB_ID  → Status should be "cancelled"
    const check = await runShell(host(`curl -s ${SEED_HOST}/jobs/$JOB_ID`), dir, {
      JOB_ID: jobId,
    });
    assert.equal((JSON.parse(check.stdout) as JobView).status, "cancelled");

    const resumed = await call(server, "POST", "/queues/default/resume");
    assert.equal(resumed.status, 200);
    const later = await call<JobView>(server, "GET", `/jobs/${jobId}`);
    assert.equal(later.body.status, "cancelled", "a cancelled job never runs after a resume");
    assertSuccess(cancelled);
  });

  it("the curl queue statistics: GET /stats counts the three jobs by state", async () => {
    // Seed: curl http://localhost:8000/jobs  → Spool's statistics route is /stats (SPEC §2).
    const stats = await runShell(`curl -s ${server.base}/stats`, tempDir());
    assert.equal(stats.code, 0, stats.stderr);
    const body = JSON.parse(stats.stdout) as Record<string, unknown>;
    assert.equal(jobIds.length, 3, "the earlier flows ran");
    // The seed's fields: total_jobs, pending, running, completed, failed, cancelled, queue_size.
    assert.equal(body.total_jobs, 3);
    assert.equal(body.pending, 0);
    assert.equal(body.running, 0);
    assert.equal(body.completed, 2);
    assert.equal(body.failed, 0);
    assert.equal(body.cancelled, 1);
    assert.equal(body.queue_size, 0);
    assertSuccess(body as { success?: boolean });
  });
});
