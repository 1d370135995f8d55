/**
 * Local and remote workers share one queue (SPEC §6, issue 8 "Must show"): `spool serve --demo`
 * (built-in workers serving the demo types) and the Python reference worker (serving `py.sum`,
 * which the demo does not) both work the `default` queue. 200 jobs of each kind all complete
 * on their first attempt, none fails or retries, and every `job.started` event — one per job —
 * names a worker that serves the job's type.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { describe, it } from "node:test";
import { SpoolClient } from "../../../src/client/client.js";
import { tempDir } from "../../helpers/temp-dir.js";
import { REPO_ROOT, startSpool } from "./spool-cli.js";

const SERVING = /^Spool is serving (http:\/\/\S+)/;
const EACH = 200;
const PYTHON_NAME = "py-remote-1";

describe("a shared default queue", () => {
  it("spool serve --demo and the Python worker each run only their own types", async () => {
    const serve = startSpool([
      "serve",
      "--demo",
      "--no-auth",
      "--port",
      "0",
      "--url",
      `sqlite:${join(tempDir(), "spool.db")}`,
      "--log-level",
      "silent",
    ]);
    const abort = new AbortController();
    try {
      const base = SERVING.exec(await serve.waitForLine(SERVING, 30_000))![1]!;
      const python = spawn(
        "python3",
        [
          join(REPO_ROOT, "examples/python/worker.py"),
          "--queue",
          "default",
          "--name",
          PYTHON_NAME,
          "--url",
          base,
        ],
        { stdio: ["ignore", "ignore", "inherit"] },
      );
      try {
        await runSharedQueue(new SpoolClient({ baseUrl: base }), abort.signal);
      } finally {
        python.kill("SIGTERM");
        await once(python, "exit");
      }
    } finally {
      abort.abort();
      serve.child.kill("SIGTERM");
      await serve.exited;
    }
  });
});

/** Submits both kinds of jobs and checks every start event until all of them completed. */
async function runSharedQueue(client: SpoolClient, signal: AbortSignal): Promise<void> {
  const started = new Map<string, { type: string; worker: string }[]>();
  const problems: string[] = [];
  let completed = 0;
  let allDone!: () => void;
  const done = new Promise<void>((resolve) => (allDone = resolve));
  // From the start of the log (Last-Event-ID 0), so no event can be missed.
  const reading = (async () => {
    for await (const event of client.events("/events?queue=default", {
      signal,
      lastEventId: 0,
    })) {
      const jobId = String(event.job_id);
      if (event.event === "job.started") {
        const list = started.get(jobId) ?? [];
        list.push({ type: String(event.type), worker: String(event.worker) });
        started.set(jobId, list);
      } else if (event.event === "job.failed" || event.event === "job.retrying") {
        problems.push(`${event.event} ${String(event.type)} ${jobId}`);
      } else if (event.event === "job.completed" && ++completed === 2 * EACH) {
        allDone();
      }
    }
  })().catch((error: unknown) => {
    if (!signal.aborted) throw error;
  });

  const jobs = Array.from({ length: EACH }, (_, i) => [
    { type: "py.sum", payload: { numbers: [i, 1] } },
    { type: "demo.sleep", payload: { seconds: 0 } },
  ]).flat();
  const submitted = (await client.submitBatch(jobs)).jobs;
  assert.equal(submitted.length, 2 * EACH);
  await Promise.race([done, reading]);

  assert.deepEqual(problems, [], "no job failed or was retried");
  assert.equal(started.size, 2 * EACH);
  for (const job of submitted) {
    const starts = started.get(job.job_id) ?? [];
    assert.equal(starts.length, 1, `job ${job.job_id} was claimed exactly once`);
    const [start] = starts;
    if (start!.type === "py.sum") assert.equal(start!.worker, PYTHON_NAME);
    else assert.match(start!.worker, /^serve-/, "demo jobs ran in the built-in workers");
    const stored = await client.get(job.job_id);
    assert.equal(stored.status, "completed");
    assert.equal(stored.attempt, 1);
  }
}
