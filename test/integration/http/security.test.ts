/**
 * Auth, roles, tenant isolation and bad input over HTTP: no key or a wrong key gets 401 on every
 * non-health route; another tenant's job is 404 everywhere; bad input gets a 400/413/415 that
 * names the problem and changes no job.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { HTTP_TEST_STORES, startTestServer, type TestServer } from "../../helpers/http-server.js";

/** Every job as the store holds it, for "nothing changed" checks. */
async function snapshot(t: TestServer): Promise<string> {
  const { jobs } = await t.spool.list({ limit: 1000 });
  return JSON.stringify(jobs.map((job) => ({ ...job, updatedAt: job.updatedAt.getTime() })));
}

const JOB_ROUTES = (id: string): [string, string][] => [
  ["GET", `/jobs/${id}`],
  ["DELETE", `/jobs/${id}`],
  ["POST", `/jobs/${id}/retry`],
  ["GET", `/jobs/${id}/events`],
  ["POST", `/jobs/${id}/heartbeat`],
  ["POST", `/jobs/${id}/complete`],
  ["POST", `/jobs/${id}/fail`],
];

for (const store of HTTP_TEST_STORES) {
  describe(`HTTP security and input validation (${store})`, () => {
    let t: TestServer;
    let acme: string;
    let globex: string;
    let acmeWorker: string;
    let acmeJob: string;

    before(async () => {
      t = await startTestServer({ bodyLimit: 64 * 1024, store });
      acme = await t.key("producer", "acme");
      globex = await t.key("producer", "globex");
      acmeWorker = await t.key("worker", "acme", ["emails"]);
      const res = await t.fetch("POST", "/jobs", {
        token: acme,
        body: JSON.stringify({
          type: "mail.send",
          queue: "emails",
          payload: { to: "a@example.com" },
        }),
      });
      assert.equal(res.status, 202);
      acmeJob = res.body.job_id;
    });
    after(() => t.close());

    it("no key or a wrong key → 401 on every non-health route", async () => {
      const routes: [string, string][] = [
        ["POST", "/jobs"],
        ["POST", "/jobs/batch"],
        ["GET", "/jobs"],
        ...JOB_ROUTES(acmeJob),
        ["GET", "/events"],
        ["GET", "/stats"],
        ["GET", "/queues"],
        ["POST", "/queues/emails/pause"],
        ["POST", "/queues/emails/resume"],
        ["PATCH", "/queues/emails"],
        ["POST", "/queues/emails/claim"],
        ["GET", "/metrics"],
        ["GET", "/keys"],
        ["POST", "/keys"],
      ];
      for (const token of [null, "spool_wrong", ""]) {
        for (const [method, path] of routes) {
          const res = await t.fetch(method, path, {
            token,
            body: method === "GET" ? undefined : "{}",
          });
          assert.equal(
            res.status,
            401,
            `${method} ${path} with ${token === null ? "no key" : "a wrong key"}`,
          );
          assert.equal(res.body.error.code, "unauthorized");
        }
      }
      assert.equal((await t.fetch("GET", "/healthz", { token: null })).status, 200);
      assert.equal((await t.fetch("GET", "/readyz", { token: null })).status, 200);
    });

    it("a revoked key stops working", async () => {
      const created = await t.fetch("POST", "/keys", {
        body: JSON.stringify({ role: "producer", tenant: "temp" }),
      });
      assert.equal(created.status, 201);
      assert.match(created.body.key, /^spool_/);
      assert.equal((await t.fetch("GET", "/stats", { token: created.body.key })).status, 200);
      const listed = await t.fetch("GET", "/keys");
      assert.ok(
        listed.body.keys.every(
          (k: Record<string, unknown>) => k.key === undefined && k.hash === undefined,
        ),
        "keys are never listed",
      );
      assert.equal((await t.fetch("DELETE", `/keys/${created.body.id}`)).status, 200);
      assert.equal((await t.fetch("GET", "/stats", { token: created.body.key })).status, 401);
    });

    it("roles: a worker cannot submit or read; a producer cannot claim or control queues", async () => {
      const submit = await t.fetch("POST", "/jobs", {
        token: acmeWorker,
        body: JSON.stringify({ type: "x" }),
      });
      assert.equal(submit.status, 403);
      assert.equal(submit.body.error.code, "forbidden");
      assert.equal((await t.fetch("GET", "/jobs", { token: acmeWorker })).status, 403);
      assert.equal(
        (
          await t.fetch("POST", "/queues/emails/claim", {
            token: acme,
            body: JSON.stringify({ worker: "w" }),
          })
        ).status,
        403,
      );
      assert.equal(
        (
          await t.fetch("PATCH", "/queues/emails", {
            token: acme,
            body: JSON.stringify({ paused: true }),
          })
        ).status,
        403,
      );
      assert.equal((await t.fetch("GET", "/metrics", { token: acme })).status, 403);
      assert.equal(
        (await t.fetch("POST", "/keys", { token: acme, body: JSON.stringify({ role: "admin" }) }))
          .status,
        403,
      );
      const otherQueue = await t.fetch("POST", "/queues/reports/claim", {
        token: acmeWorker,
        body: JSON.stringify({ worker: "w" }),
      });
      assert.equal(otherQueue.status, 403, "a worker key limited to queues cannot claim elsewhere");
    });

    it("tenant isolation: another tenant's job is 404 everywhere and never listed, counted, streamed or claimed", async () => {
      const globexWorker = await t.key("worker", "globex");
      const bodies: Record<string, object> = {
        heartbeat: { lease_token: "x".repeat(32) },
        complete: { lease_token: "x".repeat(32), result: 1 },
        fail: { lease_token: "x".repeat(32), error: { message: "x" } },
      };
      for (const [method, path] of JOB_ROUTES(acmeJob)) {
        const action = path.split("/")[3] ?? "";
        const workerRoute = action in bodies;
        const res = await t.fetch(method, path, {
          token: workerRoute ? globexWorker : globex,
          ...(workerRoute ? { body: JSON.stringify(bodies[action]) } : {}),
        });
        assert.equal(res.status, 404, `${method} ${path}`);
        assert.equal(res.body.error.code, "not_found");
      }
      assert.equal((await t.fetch("GET", "/jobs", { token: globex })).body.count, 0);
      assert.equal((await t.fetch("GET", "/stats", { token: globex })).body.total_jobs, 0);
      assert.equal((await t.fetch("GET", "/jobs", { token: acme })).body.count, 1);
      const globexQueues = (await t.fetch("GET", "/queues", { token: globex })).body.queues as {
        name: string;
        counts: Record<string, number>;
      }[];
      assert.equal(globexQueues.find((q) => q.name === "emails")?.counts.queued ?? 0, 0);
      const claim = await t.fetch("POST", "/queues/emails/claim", {
        token: globexWorker,
        body: JSON.stringify({ worker: "gw", max_jobs: 10 }),
      });
      assert.deepEqual(claim.body.jobs, [], "a worker of another tenant claims nothing");
      assert.equal((await t.spool.get(acmeJob))?.status, "queued", "nothing was touched");
      const stream = await fetch(`${t.url}/events?access_token=${globex}`);
      assert.equal(stream.status, 200);
      const reader = stream.body!.getReader();
      await t.fetch("POST", "/jobs", {
        token: acme,
        body: JSON.stringify({ type: "mail.send", queue: "emails" }),
      });
      // globex's own job is committed after acme's: by the time its event arrives, acme's event
      // (had it leaked) would have come first.
      await t.fetch("POST", "/jobs", { token: globex, body: JSON.stringify({ type: "marker" }) });
      let text = "";
      while (!text.includes('"type":"marker"')) {
        const chunk = await reader.read();
        if (chunk.done) break;
        text += new TextDecoder().decode(chunk.value);
      }
      assert.match(text, /"type":"marker"/);
      assert.ok(!text.includes("mail.send"), "globex's stream shows none of acme's events");
      await reader.cancel();
    });

    it("bad input to every write endpoint → 400/413/415 naming the problem, and no job changes", async () => {
      const running = await t.fetch("POST", "/jobs", {
        body: JSON.stringify({ type: "x.run", queue: "bad-input" }),
      });
      const [claimed] = (
        await t.fetch("POST", "/queues/bad-input/claim", { body: JSON.stringify({ worker: "w1" }) })
      ).body.jobs;
      assert.equal(claimed.id, running.body.job_id);
      const before = await snapshot(t);
      const huge = JSON.stringify({ type: "x", payload: { blob: "x".repeat(70 * 1024) } });
      const cases: {
        method: string;
        path: string;
        body?: string;
        headers?: Record<string, string>;
        status: number;
        field?: string;
      }[] = [
        { method: "POST", path: "/jobs", body: "{not json", status: 400 },
        { method: "POST", path: "/jobs", body: "[]", status: 400 },
        { method: "POST", path: "/jobs", body: JSON.stringify({}), status: 400, field: "type" },
        {
          method: "POST",
          path: "/jobs",
          body: JSON.stringify({ type: 42 }),
          status: 400,
          field: "type",
        },
        {
          method: "POST",
          path: "/jobs",
          body: JSON.stringify({ type: "bad type!" }),
          status: 400,
          field: "type",
        },
        {
          method: "POST",
          path: "/jobs",
          body: JSON.stringify({ type: "x", payload: "text" }),
          status: 400,
          field: "payload",
        },
        {
          method: "POST",
          path: "/jobs",
          body: JSON.stringify({ type: "x", payload: [1] }),
          status: 400,
          field: "payload",
        },
        {
          method: "POST",
          path: "/jobs",
          body: JSON.stringify({ type: "x", queue: "UPPER" }),
          status: 400,
          field: "queue",
        },
        {
          method: "POST",
          path: "/jobs",
          body: JSON.stringify({ type: "x", priority: 1e300 }),
          status: 400,
          field: "priority",
        },
        {
          method: "POST",
          path: "/jobs",
          body: JSON.stringify({ type: "x", priority: "5" }),
          status: 400,
          field: "priority",
        },
        {
          method: "POST",
          path: "/jobs",
          body: JSON.stringify({ type: "x", max_attempts: 0 }),
          status: 400,
          field: "max_attempts",
        },
        {
          method: "POST",
          path: "/jobs",
          body: JSON.stringify({ type: "x", delay_seconds: -1 }),
          status: 400,
          field: "delay_seconds",
        },
        {
          method: "POST",
          path: "/jobs",
          body: JSON.stringify({ type: "x", timeout_seconds: 0 }),
          status: 400,
          field: "timeout_seconds",
        },
        {
          method: "POST",
          path: "/jobs",
          body: JSON.stringify({ type: "x", run_at: "tomorrow" }),
          status: 400,
          field: "run_at",
        },
        {
          method: "POST",
          path: "/jobs",
          body: JSON.stringify({ type: "x", run_at: "2030-01-01T00:00:00Z", delay_seconds: 5 }),
          status: 400,
          field: "delay_seconds",
        },
        {
          method: "POST",
          path: "/jobs",
          body: JSON.stringify({ type: "x", tags: "a" }),
          status: 400,
          field: "tags",
        },
        {
          method: "POST",
          path: "/jobs",
          body: JSON.stringify({ type: "x", webhook_url: "ftp://x" }),
          status: 400,
          field: "webhook_url",
        },
        {
          method: "POST",
          path: "/jobs",
          body: JSON.stringify({ type: "x", surprise: true }),
          status: 400,
          field: "surprise",
        },
        { method: "POST", path: "/jobs", body: huge, status: 413 },
        {
          method: "POST",
          path: "/jobs",
          body: "type=x",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          status: 415,
        },
        {
          method: "POST",
          path: "/jobs",
          body: "type: x",
          headers: { "content-type": "text/plain" },
          status: 415,
        },
        {
          method: "POST",
          path: "/jobs/batch",
          body: JSON.stringify({ jobs: [] }),
          status: 400,
          field: "jobs",
        },
        {
          method: "POST",
          path: "/jobs/batch",
          body: JSON.stringify({ jobs: [{ type: "ok" }, { type: "x", priority: 2000 }] }),
          status: 400,
          field: "jobs[1].priority",
        },
        {
          method: "POST",
          path: `/jobs/${claimed.id}/heartbeat`,
          body: JSON.stringify({ lease_token: claimed.lease_token, progress: 101 }),
          status: 400,
          field: "progress",
        },
        {
          method: "POST",
          path: `/jobs/${claimed.id}/heartbeat`,
          body: JSON.stringify({
            lease_token: claimed.lease_token,
            progress_message: "x".repeat(501),
          }),
          status: 400,
          field: "progress_message",
        },
        {
          method: "POST",
          path: `/jobs/${claimed.id}/heartbeat`,
          body: JSON.stringify({ progress: 5 }),
          status: 400,
          field: "lease_token",
        },
        {
          method: "POST",
          path: `/jobs/${claimed.id}/complete`,
          body: JSON.stringify({
            lease_token: claimed.lease_token,
            result: { big: "y".repeat(70 * 1024) },
          }),
          status: 413,
        },
        {
          method: "POST",
          path: `/jobs/${claimed.id}/complete`,
          body: JSON.stringify({ lease_token: claimed.lease_token, extra: 1 }),
          status: 400,
          field: "extra",
        },
        {
          method: "POST",
          path: `/jobs/${claimed.id}/fail`,
          body: JSON.stringify({ lease_token: claimed.lease_token, error: "boom" }),
          status: 400,
          field: "error",
        },
        {
          method: "POST",
          path: `/jobs/${claimed.id}/fail`,
          body: JSON.stringify({
            lease_token: claimed.lease_token,
            error: { message: "x" },
            retryable: "no",
          }),
          status: 400,
          field: "retryable",
        },
        {
          method: "POST",
          path: "/queues/bad-input/claim",
          body: JSON.stringify({ worker: "w", max_jobs: 101 }),
          status: 400,
          field: "max_jobs",
        },
        {
          method: "POST",
          path: "/queues/bad-input/claim",
          body: JSON.stringify({ worker: "w", wait_seconds: 31 }),
          status: 400,
          field: "wait_seconds",
        },
        {
          method: "POST",
          path: "/queues/bad-input/claim",
          body: JSON.stringify({ max_jobs: 1 }),
          status: 400,
          field: "worker",
        },
        {
          method: "POST",
          path: "/queues/NOT VALID/claim",
          body: JSON.stringify({ worker: "w" }),
          status: 400,
          field: "name",
        },
        {
          method: "PATCH",
          path: "/queues/bad-input",
          body: JSON.stringify({ concurrency: -1 }),
          status: 400,
          field: "concurrency",
        },
        { method: "POST", path: "/jobs/not-a-uuid/retry", status: 404 },
        { method: "DELETE", path: "/jobs/../../etc/passwd", status: 404 },
        {
          method: "POST",
          path: "/jobs/01a20000-0000-7000-8000-000000000000/complete",
          body: JSON.stringify({ lease_token: "t" }),
          status: 404,
        },
      ];
      for (const c of cases) {
        const res = await t.fetch(c.method, c.path, {
          ...(c.body === undefined ? {} : { body: c.body }),
          ...(c.headers ? { headers: c.headers } : {}),
        });
        const label = `${c.method} ${c.path} ${c.body?.slice(0, 60) ?? ""}`;
        assert.equal(res.status, c.status, label);
        assert.equal(typeof res.body.error?.code, "string", `${label}: error shape`);
        assert.equal(typeof res.body.error?.message, "string", `${label}: error message`);
        if (c.field !== undefined)
          assert.equal(res.body.error.details?.field, c.field, `${label}: field`);
      }
      assert.equal(await snapshot(t), before, "no job changed");
    });

    it("stale lease tokens are refused with 409 and change nothing", async () => {
      const submitted = await t.fetch("POST", "/jobs", {
        body: JSON.stringify({ type: "x.stale", queue: "stale" }),
      });
      const [job] = (
        await t.fetch("POST", "/queues/stale/claim", { body: JSON.stringify({ worker: "w1" }) })
      ).body.jobs;
      assert.equal(job.id, submitted.body.job_id);
      const before = await snapshot(t);
      const stale = "0".repeat(32);
      for (const [path, body] of [
        ["heartbeat", { lease_token: stale, progress: 50 }],
        ["complete", { lease_token: stale, result: 1 }],
        ["fail", { lease_token: stale, error: { message: "x" } }],
      ] as const) {
        const res = await t.fetch("POST", `/jobs/${job.id}/${path}`, {
          body: JSON.stringify(body),
        });
        assert.equal(res.status, 409, path);
        assert.equal(res.body.error.code, "lease_lost");
      }
      assert.equal(await snapshot(t), before);
    });
  });
}
