/**
 * Seed 002 (a Godot scene server's job API) with its own five Python examples, unchanged but for
 * the configuration (fixtures/seed002_examples.py says which lines differ), against a real
 * `spool serve --demo` with auth on (the examples send `Authorization: Bearer TOKEN`):
 * submit/poll a `scene_preload`, a 50-operation `batch_operations`, a `cache_warming` cancelled
 * at once, monitoring the three, and the Flask dashboard's list and detail views.
 *
 * The seed's job types run on a remote worker (SEED002_REMOTE_WORKER, stdlib Python) that
 * claims them from the `default` queue — the same queue the demo workers built into `spool
 * serve --demo` serve. SPEC §6 makes that work: a claim names the types its worker runs, so
 * the demo workers never take (and fail) a `scene_preload`, and the remote worker never takes a
 * `demo.sleep`. Demo jobs are submitted alongside to show both sides served.
 *
 * Also SPEC §6, as the seed's code needs it: `success` in every JSON answer (Example 3 reads
 * it), an empty DELETE body with `Content-Type: application/json` accepted (Example 3 sends
 * one), and `GET /jobs` as summaries without payload/result/errors (Example 5's list).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { stopChild, waitForLine } from "../helpers/processes.js";
import { tempDir } from "../helpers/temp-dir.js";
import { waitFor } from "../helpers/wait-for.js";
import {
  SEED002_REMOTE_WORKER,
  call,
  captures,
  createKey,
  runPython,
  startPython,
  startServe,
  type PythonProcess,
  type SeedServer,
} from "./seed-harness.js";

interface JobView {
  success?: boolean;
  id: string;
  type: string;
  status: string;
  attempt: number;
  progress: number;
  result: unknown;
  errors: unknown[];
  worker: string | null;
}

const REMOTE_NAME = "godot-remote-1";
const SEED_TYPES = ["scene_preload", "batch_operations", "cache_warming"];

describe("seed 002: the five Python examples with a remote worker beside the demo workers", () => {
  let server: SeedServer;
  let remote: PythonProcess | undefined;
  let producer: string;

  before(async () => {
    server = await startServe(["--demo", "--url", `sqlite:${join(tempDir(), "spool.db")}`]);
    producer = await createKey(server, "producer", "godot");
    const workerKey = await createKey(server, "worker", "godot");
    remote = startPython(SEED002_REMOTE_WORKER, {
      SPOOL_URL: server.base,
      SPOOL_TOKEN: workerKey,
      WORKER_NAME: REMOTE_NAME,
    });
    await waitForLine(remote, "ready");
  });
  after(async () => {
    if (remote) await stopChild(remote, "SIGTERM");
    await server?.stop();
  });

  const adminGet = async (id: string): Promise<JobView> =>
    (await call<JobView>(server, "GET", `/jobs/${id}`, { token: server.adminKey })).body;

  it("Examples 1-5 run unchanged; every job ends as the seed says, on the worker that serves it", async () => {
    // Demo jobs on the same queue, for the built-in workers.
    const demoIds: string[] = [];
    for (let i = 0; i < 4; i++) {
      const submitted = await call<{ job_id: string }>(server, "POST", "/jobs", {
        token: server.adminKey,
        body: {
          type: i % 2 === 0 ? "demo.sleep" : "demo.flaky",
          payload: i % 2 === 0 ? { seconds: 0.2 } : { failures: 0 },
        },
      });
      assert.equal(submitted.status, 202);
      demoIds.push(submitted.body.job_id);
    }

    const run = await runPython("seed002_examples.py", {
      SPOOL_API_URL: server.base,
      SPOOL_TOKEN: producer,
    });
    const out = run.stdout;
    assert.equal(run.code, 0, `the examples ran to the end:\n${out}\n${run.stderr}`);

    // Example 1: submitted, polled to completed, the result printed.
    const [preload] = captures(out, /^Job submitted: (\S+)$/);
    assert.ok(preload, out);
    const polled = captures(out, /^Status: (\w+), Progress: -?\d+%$/);
    assert.equal(polled.at(-1), "completed", out);
    assert.match(out, /^Result: \{'scenes_loaded': 3, 'total_scenes': 3, /m);
    // Example 2: submitted.
    const [batch] = captures(out, /^Batch job submitted: (\S+)$/);
    assert.ok(batch, out);
    // Example 3: the DELETE answered success.
    assert.match(out, /^Job cancelled successfully$/m);
    // Example 4: all three monitored to a final state.
    const monitored = new Map<string, string>();
    for (const line of out.split("\n")) {
      const match = /^Job (\S+): (\w+) \(-?\d+%\)$/.exec(line);
      if (match) monitored.set(match[1]!, match[2]!);
    }
    assert.equal(monitored.size, 3, out);
    assert.equal(monitored.get(preload), "completed");
    assert.equal(monitored.get(batch), "completed");
    const [warming] = [...monitored.keys()].filter((id) => id !== preload && id !== batch);
    assert.equal(monitored.get(warming!), "cancelled");

    // The jobs themselves, as an admin sees them.
    const jobs = await Promise.all([preload, batch, warming!].map(adminGet));
    assert.deepEqual(jobs[0]!.result, {
      scenes_loaded: 3,
      total_scenes: 3,
      scenes: [
        { scene_path: "res://vr_main.tscn", success: true },
        { scene_path: "res://node_3d.tscn", success: true },
        { scene_path: "res://test_scene.tscn", success: true },
      ],
    });
    assert.deepEqual(jobs[1]!.result, { total: 50, message: "Batch operations completed" });
    assert.equal(jobs[2]!.status, "cancelled");
    for (const job of jobs.slice(0, 2)) {
      assert.equal(job.status, "completed");
      assert.equal(job.attempt, 1, "one attempt: no worker that cannot run it ever took it");
      assert.deepEqual(job.errors, []);
      assert.equal(job.worker, REMOTE_NAME);
    }
    assert.ok(
      jobs[2]!.worker === null || jobs[2]!.worker === REMOTE_NAME,
      `the cancelled job was never held by a demo worker (${jobs[2]!.worker})`,
    );

    // The demo jobs ran on the built-in workers, not on the remote one.
    for (const id of demoIds) {
      const demo = await waitFor(
        async () => {
          const job = await adminGet(id);
          return ["completed", "failed", "cancelled"].includes(job.status) ? job : null;
        },
        { timeoutMs: 60_000 },
      );
      assert.equal(demo.status, "completed", `${demo.type} ${id}`);
      assert.ok(demo.worker !== null && demo.worker !== REMOTE_NAME, `${demo.worker}`);
    }
    const stats = await call<Record<string, number>>(server, "GET", "/stats", {
      token: server.adminKey,
    });
    assert.equal(stats.body.failed, 0, "no job failed");
    assert.equal(stats.body.completed, 2 + demoIds.length);
    assert.equal(stats.body.cancelled, 1);

    // Example 5: the dashboard's list (job summaries, SPEC §6) and detail views.
    const dashboard = JSON.parse(captures(out, /^dashboard (.*)$/)[0]!) as {
      template: string;
      jobs: Record<string, unknown>[];
    };
    assert.equal(dashboard.template, "jobs.html");
    assert.deepEqual(
      dashboard.jobs.map((job) => job.id).sort(),
      [preload, batch, warming].sort(),
      "the producer lists its own tenant's jobs only",
    );
    const detail = JSON.parse(captures(out, /^detail (.*)$/)[0]!) as {
      template: string;
      job: JobView;
    };
    assert.equal(detail.template, "job_detail.html");
    assert.equal(detail.job.id, preload);
    assert.deepEqual(detail.job.result, jobs[0]!.result);
    for (const summary of dashboard.jobs) {
      for (const field of ["id", "type", "status", "progress", "created_at"])
        assert.ok(field in summary, `a summary has ${field}`);
      for (const field of ["payload", "result", "errors"])
        assert.ok(!(field in summary), `GET /jobs lists summaries without ${field} (SPEC §6)`);
    }
    assert.ok(SEED_TYPES.includes(detail.job.type));
  });

  it("the Webhook Integration snippet registers its subscription as written", async () => {
    // The seed's body, word for word: its event names are the application's own, which Spool
    // stores (and no job event matches); the placeholder host does not resolve here.
    const registered = await call<{ id: string; events: string[]; secret_hint: string }>(
      server,
      "POST",
      "/webhooks",
      {
        token: producer,
        body: {
          url: "https://your-server.com/webhook",
          events: ["scene.loaded", "scene.validated"],
          secret: "webhook_secret",
        },
      },
    );
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    assert.deepEqual(registered.body.events, ["scene.loaded", "scene.validated"]);
    assert.ok(!JSON.stringify(registered.body).includes("webhook_secret"), "never the secret");
  });
});
