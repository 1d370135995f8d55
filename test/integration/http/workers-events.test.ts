/**
 * Remote workers and live events over HTTP: long-poll claims answered as soon as a job is
 * ready, heartbeats with progress and cancellation, SSE and WebSocket streams that carry events
 * from other processes, Last-Event-ID resume, the Python reference worker and polling client,
 * `--no-auth` rules and the first-start admin key.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { startServer } from "../../../src/http/server.js";
import { Spool } from "../../../src/index.js";
import { HTTP_TEST_STORES, startTestServer, type TestServer } from "../../helpers/http-server.js";
import { helperPath, spawnTs, stopChild, waitForLine } from "../../helpers/processes.js";
import { tempDir, tempSqliteUrl } from "../../helpers/temp-dir.js";
import { waitFor } from "../../helpers/wait-for.js";

const EXAMPLES = fileURLToPath(new URL("../../../examples/python/", import.meta.url));

for (const store of HTTP_TEST_STORES) {
  describe(`remote workers and live events (${store})`, () => {
    let t: TestServer;

    before(async () => {
      t = await startTestServer({ store });
    });
    after(() => t.close());

    const submit = async (body: Record<string, unknown>) =>
      (await t.fetch("POST", "/jobs", { body: JSON.stringify(body) })).body;

    it("a long-poll claim is answered as soon as a job is submitted", async () => {
      const claim = t.fetch("POST", "/queues/longpoll/claim", {
        body: JSON.stringify({ worker: "w1", wait_seconds: 25 }),
      });
      // The claim found nothing and is now waiting on the server.
      await waitFor(() => t.server.built.context.claims.waiting === 1);
      const job = await submit({ type: "x.poll", queue: "longpoll" });
      const res = await Promise.race([
        claim,
        new Promise<"late">((resolve) => setTimeout(() => resolve("late"), 10_000)),
      ]);
      assert.notEqual(res, "late", "the claim waited for its deadline instead of the submission");
      if (res === "late") return;
      assert.equal(res.status, 200);
      assert.equal(res.body.jobs[0].id, job.job_id);
      assert.ok(res.body.jobs[0].lease_token);
      assert.ok(Date.parse(res.body.jobs[0].lease_expires_at) > Date.now());
      const empty = await t.fetch("POST", "/queues/longpoll/claim", {
        body: JSON.stringify({ worker: "w1", wait_seconds: 0 }),
      });
      assert.deepEqual(empty.body.jobs, []);
    });

    it("heartbeat saves progress and reports cancellation; complete and fail are recorded", async () => {
      const a = await submit({ type: "x.remote", queue: "remote", payload: { n: 2 } });
      const b = await submit({ type: "x.remote", queue: "remote" });
      const c = await submit({ type: "x.remote", queue: "remote", max_attempts: 5 });
      const jobs = (
        await t.fetch("POST", "/queues/remote/claim", {
          body: JSON.stringify({ worker: "remote-1", max_jobs: 3, lease_seconds: 60 }),
        })
      ).body.jobs;
      assert.deepEqual(
        jobs.map((j: { id: string }) => j.id).sort(),
        [a.job_id, b.job_id, c.job_id].sort(),
      );
      const byId = new Map(
        jobs.map((j: { id: string; lease_token: string }) => [j.id, j.lease_token]),
      );
      const beat = await t.fetch("POST", `/jobs/${a.job_id}/heartbeat`, {
        body: JSON.stringify({
          lease_token: byId.get(a.job_id),
          progress: 40,
          progress_message: "2-opt pass 2",
        }),
      });
      assert.equal(beat.status, 200);
      assert.equal(beat.body.cancel_requested, false);
      const mid = (await t.fetch("GET", `/jobs/${a.job_id}`)).body;
      assert.equal(mid.progress, 40);
      assert.equal(mid.progress_message, "2-opt pass 2");
      assert.equal(mid.worker, "remote-1");
      const done = await t.fetch("POST", `/jobs/${a.job_id}/complete`, {
        body: JSON.stringify({
          lease_token: byId.get(a.job_id),
          result: { total_distance_km: 12.5 },
        }),
      });
      assert.deepEqual(done.body, { success: true, job_id: a.job_id, status: "completed" });
      assert.deepEqual((await t.fetch("GET", `/jobs/${a.job_id}`)).body.result, {
        total_distance_km: 12.5,
      });
      assert.equal((await t.fetch("DELETE", `/jobs/${b.job_id}`)).status, 202);
      const told = await t.fetch("POST", `/jobs/${b.job_id}/heartbeat`, {
        body: JSON.stringify({ lease_token: byId.get(b.job_id) }),
      });
      assert.equal(told.body.cancel_requested, true);
      const failedB = await t.fetch("POST", `/jobs/${b.job_id}/fail`, {
        body: JSON.stringify({
          lease_token: byId.get(b.job_id),
          error: { message: "stopped", type: "Cancelled" },
        }),
      });
      assert.equal(failedB.body.status, "cancelled");
      const retry = await t.fetch("POST", `/jobs/${c.job_id}/fail`, {
        body: JSON.stringify({ lease_token: byId.get(c.job_id), error: { message: "flaky" } }),
      });
      assert.equal(retry.body.status, "retrying");
      const [again] = (
        await t.fetch("POST", "/queues/remote/claim", {
          body: JSON.stringify({ worker: "remote-1", wait_seconds: 5 }),
        })
      ).body.jobs;
      assert.equal(again.id, c.job_id);
      assert.equal(again.attempt, 2);
      const final = await t.fetch("POST", `/jobs/${c.job_id}/fail`, {
        body: JSON.stringify({
          lease_token: again.lease_token,
          error: { message: "bad input", type: "ValueError" },
          retryable: false,
        }),
      });
      assert.equal(final.body.status, "failed");
      const failedJob = (await t.fetch("GET", `/jobs/${c.job_id}`)).body;
      assert.deepEqual(
        failedJob.errors.map((e: { type: string }) => e.type),
        ["Error", "ValueError"],
      );
    });

    it("GET /jobs/:id/events streams one job's events until it is final", async () => {
      const job = await submit({ type: "x.sse", queue: "sse" });
      const events: { event: string; progress?: number; job?: { result: unknown } }[] = [];
      const reading = (async () => {
        for await (const event of t.client().events(`/jobs/${job.job_id}/events`))
          events.push(event as never);
      })();
      await waitFor(() => events.some((e) => e.event === "job.snapshot"));
      const [claimed] = (
        await t.fetch("POST", "/queues/sse/claim", { body: JSON.stringify({ worker: "w" }) })
      ).body.jobs;
      await t.fetch("POST", `/jobs/${job.job_id}/heartbeat`, {
        body: JSON.stringify({ lease_token: claimed.lease_token, progress: 30 }),
      });
      await t.fetch("POST", `/jobs/${job.job_id}/heartbeat`, {
        body: JSON.stringify({ lease_token: claimed.lease_token, progress: 70 }),
      });
      await t.fetch("POST", `/jobs/${job.job_id}/complete`, {
        body: JSON.stringify({ lease_token: claimed.lease_token, result: "done" }),
      });
      await reading; // the server ends the stream once the job is final
      // The submission's own job.queued may race the snapshot when the log publishes it a
      // moment later (PostgreSQL orders events by publication, see docs/postgres.md); when it
      // is streamed, it comes before the job starts.
      const names = events.map((e) => e.event);
      if (names.includes("job.queued"))
        assert.ok(names.indexOf("job.queued") < names.indexOf("job.started"));
      assert.deepEqual(
        events.map((e) => e.event).filter((name) => name !== "job.queued"),
        ["job.snapshot", "job.started", "job.progress", "job.progress", "job.completed"],
      );
      assert.deepEqual(
        events.filter((e) => e.event === "job.progress").map((e) => e.progress),
        [30, 70],
      );
      assert.equal(events.at(-1)?.job?.result, "done");
      const finished: string[] = [];
      for await (const event of t.client().events(`/jobs/${job.job_id}/events`))
        finished.push(event.event);
      assert.deepEqual(
        finished,
        ["job.completed"],
        "a finished job's stream sends its end and closes",
      );
      assert.equal(
        (await t.fetch("GET", "/jobs/01a20000-0000-7000-8000-000000000000/events")).status,
        404,
      );
    });

    it("/events and /ws carry events produced by another process; Last-Event-ID resumes", async () => {
      const abort = new AbortController();
      const seen: { event: string; job_id: string; seq?: number }[] = [];
      const reading = (async () => {
        for await (const event of t
          .client()
          .events("/events?queue=crossproc", { signal: abort.signal }))
          seen.push(event as never);
      })().catch(() => undefined);
      const socket = new WebSocket(`${t.url.replace("http", "ws")}/ws?queue=crossproc`, {
        headers: { authorization: `Bearer ${t.adminKey}` },
      });
      const wsEvents: { event: string }[] = [];
      socket.on("message", (data) => wsEvents.push(JSON.parse(String(data)) as { event: string }));
      await once(socket, "open");
      const crossWorker = spawnTs(helperPath("worker-process.ts"), {
        SPOOL_TEST_WORKER: JSON.stringify({
          url: t.storeUrl,
          ...(t.schema === undefined ? {} : { schema: t.schema }),
          logPath: join(tempDir(), "w2.log"),
          name: "cross",
          concurrency: 1,
          leaseMs: 30_000,
          queues: ["crossproc"],
        }),
      });
      try {
        await waitForLine(crossWorker, "ready");
        await submit({ type: "crash.job", queue: "crossproc" });
        await waitFor(() => seen.some((e) => e.event === "job.completed"), { timeoutMs: 20_000 });
        await waitFor(() => wsEvents.some((e) => e.event === "job.completed"), {
          timeoutMs: 20_000,
        });
      } finally {
        await stopChild(crossWorker);
        abort.abort();
        socket.close();
        await reading;
      }
      assert.deepEqual(
        seen.map((e) => e.event),
        ["job.queued", "job.started", "job.completed"],
      );
      assert.deepEqual(
        wsEvents.map((e) => e.event),
        ["job.queued", "job.started", "job.completed"],
      );
      // Resume after the first event: the rest is replayed from the log, without repeats.
      const resumed: string[] = [];
      const resumeAbort = new AbortController();
      const resuming = (async () => {
        for await (const event of t.client().events("/events?queue=crossproc", {
          signal: resumeAbort.signal,
          lastEventId: seen[0]!.seq!,
        })) {
          resumed.push(event.event);
          if (resumed.length === 2) resumeAbort.abort();
        }
      })().catch(() => undefined);
      await resuming;
      assert.deepEqual(resumed, ["job.started", "job.completed"]);
    });

    it("the Python reference worker runs jobs submitted over HTTP; the Python polling client sees progress and the result", async () => {
      const workerKey = await t.key("worker", "default", ["python"]);
      const producerKey = await t.key("producer", "default");
      const python = spawn(
        "python3",
        [
          join(EXAMPLES, "worker.py"),
          "--queue",
          "python",
          "--name",
          "py-1",
          "--lease-seconds",
          "5",
        ],
        {
          env: { ...process.env, SPOOL_URL: t.url, SPOOL_TOKEN: workerKey },
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      let out = "";
      python.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
      try {
        await waitFor(() => out.includes("ready"), { timeoutMs: 20_000 });
        const sum = await t.fetch("POST", "/jobs", {
          token: producerKey,
          body: JSON.stringify({
            type: "py.sum",
            queue: "python",
            payload: { numbers: [1, 2, 39] },
          }),
        });
        const done = await waitFor(
          async () => {
            const res = await t.fetch("GET", `/jobs/${sum.body.job_id}`, { token: producerKey });
            return res.body.status === "completed" ? res.body : undefined;
          },
          { timeoutMs: 20_000 },
        );
        assert.deepEqual(done.result, { sum: 42 });
        assert.equal(done.worker, "py-1");
        const client = spawn(
          "python3",
          [
            join(EXAMPLES, "client.py"),
            "py.text_stats",
            JSON.stringify({ text: "a b\nc d e\nf\ng h\ni", delay_per_line: 0.15 }),
          ],
          {
            env: {
              ...process.env,
              SPOOL_URL: t.url,
              SPOOL_TOKEN: producerKey,
              SPOOL_QUEUE: "python",
              POLL_SECONDS: "0.05",
            },
            stdio: ["ignore", "pipe", "inherit"],
          },
        );
        let clientOut = "";
        client.stdout.on("data", (chunk: Buffer) => (clientOut += chunk.toString()));
        const [code] = (await once(client, "exit")) as [number];
        assert.equal(code, 0, clientOut);
        const progress = [...clientOut.matchAll(/Progress: (\d+)%/g)].map((m) => Number(m[1]));
        assert.ok(
          progress.some((p) => p > 0 && p < 100),
          `progress was seen rising: ${progress.join(",")}`,
        );
        assert.deepEqual(
          progress,
          [...progress].sort((x, y) => x - y),
          "progress never goes down",
        );
        assert.match(clientOut, /Result: \{"lines": 5, "words": 9, "worker": "python"\}/);
      } finally {
        python.kill("SIGTERM");
        await once(python, "exit");
      }
    });

    it("--no-auth is refused unless the server listens on loopback only", async () => {
      const spool = await Spool.open({ url: tempSqliteUrl(), maintenance: false });
      try {
        await assert.rejects(
          startServer({ spool, auth: false, host: "0.0.0.0", port: 0 }),
          /loopback/,
        );
        const open = await startServer({
          spool,
          auth: false,
          host: "127.0.0.1",
          port: 0,
          validateResponses: true,
        });
        assert.equal(open.initialAdminKey, null);
        const res = await fetch(`${open.url}/jobs`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ type: "x" }),
        });
        assert.equal(res.status, 202);
        await open.close();
      } finally {
        await spool.close();
      }
    });

    it("on first start with no keys an admin key is created, once", async () => {
      const spool = await Spool.open({ url: tempSqliteUrl(), maintenance: false });
      try {
        const first = await startServer({ spool, port: 0, validateResponses: true });
        assert.match(first.initialAdminKey ?? "", /^spool_/);
        await first.close();
        const second = await startServer({ spool, port: 0, validateResponses: true });
        assert.equal(second.initialAdminKey, null);
        const res = await fetch(`${second.url}/stats`, {
          headers: { authorization: `Bearer ${first.initialAdminKey}` },
        });
        assert.equal(res.status, 200);
        await second.close();
      } finally {
        await spool.close();
      }
    });
  });
}
