/**
 * The worker registry and explained waiting over HTTP (SPEC §6): `GET /workers` by role (admin
 * sees every worker, a worker key its own tenant's, producers 403), remote workers registered
 * by their claims, duplicate names refused with 409, and `waiting_reason` on `GET /jobs/:id`
 * for a paused queue, a full queue, a queue nobody serves, a ready job and a delayed one.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SpoolConflictError } from "../../../src/core/errors.js";
import type { Worker } from "../../../src/worker/worker.js";
import { HTTP_TEST_STORES, startTestServer, type TestServer } from "../../helpers/http-server.js";

for (const store of HTTP_TEST_STORES) {
  describe(`worker registry and waiting_reason (${store})`, () => {
    let t: TestServer;
    let producer: string;
    let acmeWorker: string;
    let globexWorker: string;
    const workers: Worker[] = [];

    before(async () => {
      t = await startTestServer({ store });
      producer = await t.key("producer", "acme");
      acmeWorker = await t.key("worker", "acme");
      globexWorker = await t.key("worker", "globex");
    });
    after(async () => {
      await Promise.all(workers.map((worker) => worker.stop()));
      await t.close();
    });

    const submit = async (body: Record<string, unknown>): Promise<string> => {
      const res = await t.fetch("POST", "/jobs", { body: JSON.stringify(body) });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      return res.body.job_id as string;
    };
    const claim = (queue: string, body: Record<string, unknown>, token?: string) =>
      t.fetch("POST", `/queues/${queue}/claim`, {
        body: JSON.stringify(body),
        ...(token === undefined ? {} : { token }),
      });
    const reasonOf = async (id: string) => {
      const res = await t.fetch("GET", `/jobs/${id}`);
      assert.equal(res.status, 200);
      return res.body.waiting_reason as { code: string; message: string } | null;
    };
    const listed = async (token?: string) => {
      const res = await t.fetch("GET", "/workers", token === undefined ? {} : { token });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.workers as Record<string, unknown>[];
    };

    it("GET /workers: admin sees local and remote workers with every field", async () => {
      const worker = t.spool.worker({
        name: "local-1",
        queues: ["reg-local"],
        concurrency: 3,
        handlers: { "reg.local": async () => null },
      });
      workers.push(worker);
      await worker.start();
      const res = await claim("reg-remote", { worker: "remote-1", max_jobs: 5, lease_seconds: 10 });
      assert.equal(res.status, 200);

      const all = await listed();
      const local = all.find((w) => w.name === "local-1");
      assert.ok(local, JSON.stringify(all));
      assert.equal(local.id, worker.id);
      assert.equal(local.kind, "local");
      assert.equal(local.pid, process.pid);
      assert.deepEqual(local.queues, ["reg-local"]);
      assert.deepEqual(local.types, ["reg.local"]);
      assert.equal(local.concurrency, 3);
      assert.equal(local.running, 0);
      assert.equal(local.tenant, null);
      assert.equal(local.stale_after_seconds, 90);
      assert.match(String(local.version), /^\d+\.\d+\.\d+/);
      assert.ok(Date.parse(String(local.started_at)) <= Date.parse(String(local.last_seen_at)));

      const remote = all.find((w) => w.name === "remote-1");
      assert.ok(remote, JSON.stringify(all));
      assert.equal(remote.kind, "remote");
      assert.equal(remote.pid, null);
      assert.deepEqual(remote.queues, ["reg-remote"]);
      assert.deepEqual(remote.types, ["*"]);
      assert.equal(remote.concurrency, 5);
      assert.equal(remote.stale_after_seconds, 30, "3 periods of its 10 s lease");
      assert.deepEqual(Object.keys(remote).sort(), [
        "concurrency",
        "host",
        "id",
        "kind",
        "last_seen_at",
        "name",
        "pid",
        "queues",
        "running",
        "stale_after_seconds",
        "started_at",
        "tenant",
        "types",
        "version",
      ]);
    });

    it("a remote worker's claims on more queues add to its row; its running count follows its jobs", async () => {
      await submit({ type: "reg.count", queue: "reg-count" });
      const res = await claim("reg-count", { worker: "remote-1", max_jobs: 5, lease_seconds: 10 });
      assert.equal(res.body.jobs.length, 1);
      const remote = (await listed()).find((w) => w.name === "remote-1")!;
      assert.deepEqual(remote.queues, ["reg-count", "reg-remote"]);
      assert.equal(remote.running, 1);
    });

    it("GET /workers: a worker key sees only its tenant's workers; producers get 403, no key 401", async () => {
      assert.equal((await claim("reg-acme", { worker: "acme-w" }, acmeWorker)).status, 200);
      assert.equal((await claim("reg-globex", { worker: "globex-w" }, globexWorker)).status, 200);
      const acme = await listed(acmeWorker);
      assert.deepEqual(
        acme.map((w) => [w.name, w.tenant]),
        [["acme-w", "acme"]],
      );
      const everyone = (await listed()).map((w) => w.name);
      assert.ok(everyone.includes("acme-w") && everyone.includes("globex-w"));
      assert.equal((await t.fetch("GET", "/workers", { token: producer })).status, 403);
      assert.equal((await t.fetch("GET", "/workers", { token: null })).status, 401);
    });

    it("a second live worker with the same name is refused: 409 on a claim, SpoolConflictError in process", async () => {
      const res = await claim("reg-dup", { worker: "local-1" });
      assert.equal(res.status, 409);
      assert.equal(res.body.error.code, "worker_name_taken");
      const twin = t.spool.worker({
        name: "local-1",
        queues: ["reg-local"],
        handlers: { "reg.local": async () => null },
      });
      workers.push(twin);
      await assert.rejects(twin.start(), SpoolConflictError);
      // Other tenants' remote workers may use the name: names are unique per tenant scope.
      assert.equal((await claim("reg-acme", { worker: "local-1" }, acmeWorker)).status, 200);
    });

    it("a gracefully stopped worker's row is removed at once", async () => {
      const worker = t.spool.worker({
        name: "short-lived",
        queues: ["reg-short"],
        handlers: { "reg.short": async () => null },
      });
      await worker.start();
      assert.ok((await listed()).some((w) => w.name === "short-lived"));
      await worker.stop();
      assert.ok(!(await listed()).some((w) => w.name === "short-lived"));
    });

    it("waiting_reason: queue_paused, no_worker, ready, scheduled, queue_concurrency, null", async () => {
      // A remote worker that serves "wr" but is not claiming right now.
      assert.equal((await claim("wr", { worker: "wr-remote" })).status, 200);

      const ready = await submit({ type: "wr.any", queue: "wr" });
      assert.equal((await reasonOf(ready))?.code, "ready");

      const nobody = await submit({ type: "wr.any", queue: "wr-nobody" });
      const noWorker = await reasonOf(nobody);
      assert.equal(noWorker?.code, "no_worker");
      assert.match(noWorker?.message ?? "", /wr\.any/);

      const runAt = new Date(Date.now() + 3_600_000);
      const later = await submit({ type: "wr.any", queue: "wr", run_at: runAt.toISOString() });
      const scheduled = await reasonOf(later);
      assert.equal(scheduled?.code, "scheduled");
      assert.match(scheduled?.message ?? "", new RegExp(runAt.toISOString().slice(0, 19)));

      assert.equal((await t.fetch("POST", "/queues/wr/pause")).status, 200);
      assert.equal((await reasonOf(ready))?.code, "queue_paused");
      assert.equal((await t.fetch("POST", "/queues/wr/resume")).status, 200);

      const limited = await t.fetch("PATCH", "/queues/wr", {
        body: JSON.stringify({ concurrency: 1 }),
      });
      assert.equal(limited.status, 200);
      const claimed = await claim("wr", { worker: "wr-remote" });
      assert.equal(claimed.body.jobs[0].id, ready);
      const second = await submit({ type: "wr.any", queue: "wr" });
      const full = await reasonOf(second);
      assert.equal(full?.code, "queue_concurrency");
      assert.match(full?.message ?? "", /1\/1 running/);

      assert.equal(await reasonOf(ready), null, "a running job is not waiting");
      const resource = await t.fetch("GET", `/jobs/${ready}`);
      assert.equal(resource.body.waiting_reason, null);

      // The library answers the same, in camelCase, and null for jobs that are not waiting.
      assert.deepEqual(await t.spool.explain(second), full);
      assert.equal(await t.spool.explain(ready), null);
    });

    it("the OpenAPI document describes GET /workers and waiting_reason", async () => {
      const doc = (await t.fetch("GET", "/openapi.json")).body;
      const route = doc.paths["/workers"].get;
      for (const status of ["200", "401", "403"]) assert.ok(route.responses[status], status);
      const worker = route.responses["200"].content["application/json"].schema.properties.workers
        .items.properties as Record<string, unknown>;
      for (const field of ["id", "name", "host", "pid", "kind", "queues", "types", "running"])
        assert.ok(worker[field], field);
      const job = doc.paths["/jobs/{id}"].get.responses["200"].content["application/json"].schema;
      assert.ok(job.properties.waiting_reason, "waiting_reason documented");
    });
  });
}
