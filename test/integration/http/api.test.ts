/**
 * The HTTP API over a real server on a real port (SPEC §2): every endpoint, its success codes
 * and the error codes it can return.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Worker } from "../../../src/index.js";
import { HTTP_TEST_STORES, startTestServer, type TestServer } from "../../helpers/http-server.js";
import { waitFor } from "../../helpers/wait-for.js";

for (const store of HTTP_TEST_STORES) {
  describe(`HTTP API (${store})`, () => {
    let t: TestServer;
    let worker: Worker;

    before(async () => {
      t = await startTestServer({ store });
      worker = t.spool.worker({
        queues: ["work"],
        concurrency: 4,
        pollIntervalMs: 50,
        handlers: {
          "demo.echo": async (job, ctx) => {
            await ctx.progress(50, "half way");
            return { echo: job.payload };
          },
          "demo.fail": async () => {
            throw new Error("always fails");
          },
          "demo.block": (_job, ctx) =>
            new Promise((resolve) => ctx.signal.addEventListener("abort", () => resolve(null))),
        },
      });
      await worker.start();
    });
    after(async () => {
      await worker.stop({ graceMs: 0 });
      await t.close();
    });

    const submit = async (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
      t.fetch("POST", "/jobs", { body: JSON.stringify(body), headers });
    const waitStatus = (id: string, status: string) =>
      waitFor(async () => {
        const { body } = await t.fetch("GET", `/jobs/${id}`);
        return body.status === status ? body : undefined;
      });

    it("POST /jobs → 202 with job_id, status, job and Location; GET follows it to completed", async () => {
      const res = await submit({
        type: "demo.echo",
        queue: "work",
        payload: { n: 1 },
        tags: ["a"],
        priority: 3,
      });
      assert.equal(res.status, 202);
      assert.equal(res.headers.get("location"), `/jobs/${res.body.job_id}`);
      assert.equal(res.body.status, "queued");
      assert.equal(res.body.duplicate, false);
      assert.equal(res.body.job.id, res.body.job_id);
      assert.equal(res.body.job.priority, 3);
      assert.equal(res.body.job.max_attempts, 3);
      assert.equal(res.body.job.timeout_seconds, 300);
      assert.match(res.body.job.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      const done = await waitStatus(res.body.job_id, "completed");
      assert.deepEqual(done.result, { echo: { n: 1 } });
      assert.equal(done.progress, 100);
      assert.equal(done.progress_message, "half way");
      assert.equal(typeof done.elapsed_seconds, "number");
      assert.ok(done.started_at && done.completed_at);
      assert.equal(done.job.id, done.id, "the envelope repeats the resource (seed 002 clients)");
    });

    it("accepts `parameters` as an alias of payload", async () => {
      const res = await submit({
        type: "demo.echo",
        queue: "work",
        parameters: { scene_paths: ["a"] },
      });
      assert.equal(res.status, 202);
      assert.deepEqual(res.body.job.payload, { scene_paths: ["a"] });
      const both = await submit({ type: "demo.echo", payload: {}, parameters: {} });
      assert.equal(both.status, 400);
      assert.equal(both.body.error.details.field, "parameters");
    });

    it("waiting jobs show queue_position and eta_seconds; delay_seconds and run_at schedule", async () => {
      const first = await submit({ type: "nobody.handles", queue: "idle" });
      const second = await submit({ type: "nobody.handles", queue: "idle" });
      const got = await t.fetch("GET", `/jobs/${second.body.job_id}`);
      assert.equal(got.body.queue_position, 1);
      assert.equal(typeof got.body.eta_seconds, "number");
      assert.ok(got.body.eta_seconds > 0);
      assert.equal((await t.fetch("GET", `/jobs/${first.body.job_id}`)).body.queue_position, 0);
      const delayed = await submit({ type: "nobody.handles", queue: "idle", delay_seconds: 60 });
      assert.equal(delayed.body.status, "scheduled");
      assert.ok((await t.fetch("GET", `/jobs/${delayed.body.job_id}`)).body.eta_seconds >= 60);
      const runAt = new Date(Date.now() + 3_600_000).toISOString();
      const at = await submit({ type: "nobody.handles", queue: "idle", run_at: runAt });
      assert.equal(at.body.job.run_at, runAt);
    });

    it("a duplicate unique_key or Idempotency-Key → 200 with the existing job and duplicate: true", async () => {
      const first = await submit({ type: "nobody.handles", queue: "idle", unique_key: "report-7" });
      const again = await submit({ type: "nobody.handles", queue: "idle", unique_key: "report-7" });
      assert.equal(again.status, 200);
      assert.equal(again.body.duplicate, true);
      assert.equal(again.body.job_id, first.body.job_id);
      const a = await submit(
        { type: "nobody.handles", queue: "idle" },
        { "idempotency-key": "req-1" },
      );
      const b = await submit(
        { type: "nobody.handles", queue: "idle" },
        { "idempotency-key": "req-1" },
      );
      assert.equal(a.status, 202);
      assert.equal(b.status, 200);
      assert.equal(b.body.job_id, a.body.job_id);
    });

    it("POST /jobs/batch is all or nothing", async () => {
      const before = (await t.fetch("GET", "/stats")).body.total_jobs;
      const bad = await t.fetch("POST", "/jobs/batch", {
        body: JSON.stringify({
          jobs: [
            { type: "demo.echo", queue: "work" },
            { type: "demo.echo", queue: "Bad Queue" },
          ],
        }),
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.details.field, "jobs[1].queue");
      assert.equal((await t.fetch("GET", "/stats")).body.total_jobs, before);
      const ok = await t.fetch("POST", "/jobs/batch", {
        body: JSON.stringify({
          jobs: [1, 2, 3].map((n) => ({ type: "demo.echo", queue: "work", payload: { n } })),
        }),
      });
      assert.equal(ok.status, 202);
      assert.equal(ok.body.count, 3);
      assert.equal((await t.fetch("GET", "/stats")).body.total_jobs, before + 3);
      const tooMany = await t.fetch("POST", "/jobs/batch", {
        body: JSON.stringify({ jobs: Array.from({ length: 1001 }, () => ({ type: "x" })) }),
      });
      assert.equal(tooMany.status, 400);
    });

    it("GET /jobs lists with filters, pending alias and cursor pagination", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++)
        ids.push((await submit({ type: "list.me", queue: "listing", tags: ["page"] })).body.job_id);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: {
          status: number;
          body: { jobs: { id: string }[]; count: number; next_cursor: string | null };
        } = await t.fetch("GET", `/jobs?queue=listing&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
        assert.equal(res.status, 200);
        assert.equal(res.body.count, res.body.jobs.length);
        seen.push(...res.body.jobs.map((j) => j.id));
        cursor = res.body.next_cursor;
      } while (cursor !== null);
      assert.deepEqual(seen, [...ids].reverse());
      assert.equal((await t.fetch("GET", "/jobs?status=pending&queue=listing")).body.count, 5);
      assert.equal(
        (await t.fetch("GET", "/jobs?status=queued,running&type=list.me&tag=page")).body.count,
        5,
      );
      assert.equal((await t.fetch("GET", "/jobs?status=bogus")).status, 400);
      assert.equal((await t.fetch("GET", "/jobs?limit=0")).status, 400);
      assert.equal((await t.fetch("GET", "/jobs?limit=abc")).status, 400);
      assert.equal((await t.fetch("GET", "/jobs?cursor=nonsense")).status, 400);
      assert.equal((await t.fetch("GET", "/jobs?unknown=1")).status, 400);
    });

    it("DELETE /jobs/:id: 200 when waiting, 202 when running, 409 when final, 404 when unknown", async () => {
      const waiting = await submit({ type: "nobody.handles", queue: "idle" });
      const cancelled = await t.fetch("DELETE", `/jobs/${waiting.body.job_id}`);
      assert.equal(cancelled.status, 200);
      assert.equal(cancelled.body.status, "cancelled");
      assert.equal((await t.fetch("DELETE", `/jobs/${waiting.body.job_id}`)).status, 409);
      const running = await submit({ type: "demo.block", queue: "work" });
      await waitStatus(running.body.job_id, "running");
      const requested = await t.fetch("DELETE", `/jobs/${running.body.job_id}`);
      assert.equal(requested.status, 202);
      assert.equal(requested.body.status, "running");
      assert.equal(requested.body.cancel_requested, true);
      await waitStatus(running.body.job_id, "cancelled");
      assert.equal(
        (await t.fetch("DELETE", "/jobs/01a20000-0000-7000-8000-000000000000")).status,
        404,
      );
      assert.equal((await t.fetch("DELETE", "/jobs/not-an-id")).status, 404);
    });

    it("POST /jobs/:id/retry re-queues failed and cancelled jobs; 409 otherwise", async () => {
      const res = await submit({ type: "demo.fail", queue: "work", max_attempts: 1 });
      await waitStatus(res.body.job_id, "failed");
      const failed = (await t.fetch("GET", `/jobs/${res.body.job_id}`)).body;
      assert.equal(failed.error.message, "always fails");
      assert.equal(failed.errors.length, 1);
      const retried = await t.fetch("POST", `/jobs/${res.body.job_id}/retry`);
      assert.equal(retried.status, 200);
      assert.equal(retried.body.job.attempt, 0);
      await waitStatus(res.body.job_id, "failed");
      const waiting = await submit({ type: "nobody.handles", queue: "idle" });
      assert.equal((await t.fetch("POST", `/jobs/${waiting.body.job_id}/retry`)).status, 409);
      assert.equal(
        (await t.fetch("POST", "/jobs/01a20000-0000-7000-8000-000000000000/retry")).status,
        404,
      );
    });

    it("GET /stats and GET /queues", async () => {
      const stats = (await t.fetch("GET", "/stats")).body;
      for (const key of [
        "total_jobs",
        "scheduled",
        "queued",
        "running",
        "retrying",
        "completed",
        "failed",
        "cancelled",
        "queue_size",
      ]) {
        assert.equal(typeof stats[key], "number", key);
      }
      assert.equal(stats.queue_size, stats.scheduled + stats.queued + stats.retrying);
      const queues = (await t.fetch("GET", "/queues")).body.queues as {
        name: string;
        counts: Record<string, number>;
        run_seconds: unknown;
      }[];
      const work = queues.find((q) => q.name === "work")!;
      assert.ok(work.counts.completed! >= 1);
      assert.ok(work.run_seconds !== null);
      assert.equal((await t.fetch("GET", "/stats?queue=work")).status, 200);
    });

    it("queue control: pause, resume, PATCH (admin only)", async () => {
      const paused = await t.fetch("POST", "/queues/ctl/pause");
      assert.equal(paused.status, 200);
      assert.equal(paused.body.paused, true);
      const patched = await t.fetch("PATCH", "/queues/ctl", {
        body: JSON.stringify({ concurrency: 2, timeout_seconds: 30 }),
      });
      assert.equal(patched.status, 200);
      assert.equal(patched.body.concurrency, 2);
      assert.equal(patched.body.timeout_seconds, 30);
      assert.equal(
        (await t.fetch("PATCH", "/queues/ctl", { body: JSON.stringify({ concurrency: 0 }) }))
          .status,
        400,
      );
      assert.equal(
        (await t.fetch("PATCH", "/queues/ctl", { body: JSON.stringify({ nope: 1 }) })).status,
        400,
      );
      assert.equal((await t.fetch("POST", "/queues/Bad Name/pause")).status, 400);
      const resumed = await t.fetch("POST", "/queues/ctl/resume");
      assert.equal(resumed.body.paused, false);
      const producer = await t.key("producer");
      assert.equal((await t.fetch("POST", "/queues/ctl/pause", { token: producer })).status, 403);
    });

    it("credits: a quota over its limit answers 429 with Retry-After and writes nothing", async () => {
      const acme = await t.key("producer", "acme-credits");
      const set = await t.fetch("PUT", "/tenants/acme-credits/quota", {
        body: JSON.stringify({ daily_limit: 2, monthly_limit: null }),
      });
      assert.equal(set.status, 200);
      assert.equal(set.body.daily.limit, 2);
      assert.equal(set.body.monthly.limit, null);
      const submit = (body: object) =>
        t.fetch("POST", "/jobs", { token: acme, body: JSON.stringify(body) });
      assert.equal(
        (await submit({ type: "nobody.handles", queue: "idle", unique_key: "k" })).status,
        202,
      );
      assert.equal(
        (await submit({ type: "nobody.handles", queue: "idle", unique_key: "k" })).status,
        200,
        "duplicate",
      );
      const batch = await t.fetch("POST", "/jobs/batch", {
        token: acme,
        body: JSON.stringify({
          jobs: [
            { type: "nobody.handles", queue: "idle" },
            { type: "nobody.handles", queue: "idle" },
          ],
        }),
      });
      assert.equal(batch.status, 429, "the batch would exceed the quota: all of it is refused");
      assert.equal(batch.body.error.code, "quota_exceeded");
      const retryAfter = Number(batch.headers.get("retry-after"));
      assert.ok(retryAfter > 0 && retryAfter <= 86_400, `Retry-After ${retryAfter}`);
      assert.equal((await submit({ type: "nobody.handles", queue: "idle" })).status, 202);
      assert.equal((await submit({ type: "nobody.handles", queue: "idle" })).status, 429);
      const credits = await t.fetch("GET", "/credits", { token: acme });
      assert.equal(credits.status, 200);
      assert.deepEqual(
        {
          tenant: credits.body.tenant,
          used: credits.body.daily.used,
          remaining: credits.body.daily.remaining,
        },
        { tenant: "acme-credits", used: 2, remaining: 0 },
      );
      assert.equal(
        (await t.fetch("GET", "/jobs", { token: acme })).body.count,
        2,
        "refused jobs were not written",
      );
      assert.equal(
        (await t.fetch("GET", "/credits?tenant=acme-credits")).body.daily.used,
        2,
        "admins see any tenant",
      );
      assert.equal(
        (
          await t.fetch("PUT", "/tenants/acme-credits/quota", {
            token: acme,
            body: JSON.stringify({ daily_limit: 9, monthly_limit: null }),
          })
        ).status,
        403,
      );
      const bad = await t.fetch("PUT", "/tenants/acme-credits/quota", {
        body: JSON.stringify({ daily_limit: -1, monthly_limit: null }),
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.details.field, "daily_limit");
    });

    it("health, readiness, metrics, OpenAPI and docs", async () => {
      assert.deepEqual((await t.fetch("GET", "/healthz", { token: null })).body, {
        success: true,
        status: "ok",
      });
      assert.equal((await t.fetch("GET", "/readyz", { token: null })).status, 200);
      const metrics = await t.fetch("GET", "/metrics");
      assert.equal(metrics.status, 200);
      assert.match(metrics.body, /spool_jobs\{queue="work",state="completed"\} \d+/);
      assert.match(metrics.body, /spool_jobs_completed_total\{queue="work"\} \d+/);
      assert.match(metrics.body, /spool_job_run_seconds_bucket/);
      const openapi = await t.fetch("GET", "/openapi.json", { token: null });
      assert.equal(openapi.status, 200);
      assert.ok(openapi.body.paths["/jobs"].post);
      assert.ok(openapi.body.paths["/queues/{name}/claim"].post);
      const docs = await fetch(`${t.url}/docs`);
      assert.equal(docs.status, 200);
      assert.equal((await t.fetch("GET", "/no/such/route")).status, 404);
      assert.equal((await t.fetch("GET", "/no/such/route")).body.error.code, "not_found");
    });

    it("every response carries a request id", async () => {
      const res = await t.fetch("GET", "/healthz", { headers: { "x-request-id": "req-abc" } });
      assert.equal(res.headers.get("x-request-id"), "req-abc");
      assert.ok((await t.fetch("GET", "/stats")).headers.get("x-request-id"));
    });
  });
}
