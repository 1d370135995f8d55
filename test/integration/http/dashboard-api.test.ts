/** The API routes the dashboard added: bulk actions, session, throughput, tenants; the pages' CSP. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "../../helpers/http-server.js";

describe("dashboard API routes", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  const submit = async (token: string, tags: string[] = []): Promise<string> =>
    (await server.client(token).submit({ type: "t.x", payload: {}, tags })).job_id;

  it("gives admins each queue's oldest waiting job and producers null", async () => {
    const keyA = await server.key("producer", "oldest-a");
    const before = Date.now();
    const first = await server
      .client(keyA)
      .submit({ type: "t.x", payload: {}, queue: "oldest-q", priority: -3 });
    await server.client(keyA).submit({ type: "t.x", payload: {}, queue: "oldest-q", priority: 9 });
    const job = await server.client().get(first.job_id);
    const admin = await server.fetch("GET", "/queues");
    assert.equal(admin.status, 200);
    const queues = admin.body.queues as { name: string; oldest_waiting_at: string | null }[];
    const queue = queues.find((q) => q.name === "oldest-q");
    assert.ok(queue);
    assert.equal(queue.oldest_waiting_at, job.run_at);
    assert.ok(Date.parse(queue.oldest_waiting_at!) >= before - 1_000);
    const mine = await server.fetch("GET", "/queues", { token: keyA });
    assert.equal(mine.status, 200);
    const own = (mine.body.queues as typeof queues).find((q) => q.name === "oldest-q");
    assert.equal(own?.oldest_waiting_at, null);
  });

  it("bulk-cancels a filter in batches and stays inside the caller's tenant", async () => {
    const keyA = await server.key("producer", "tenant-a");
    const keyB = await server.key("producer", "tenant-b");
    const mine = await Promise.all([1, 2, 3, 4, 5].map(() => submit(keyA, ["bulk"])));
    const theirs = await submit(keyB, ["bulk"]);
    let cursor: string | null = null;
    let succeeded = 0;
    let batches = 0;
    do {
      const answer = await server.fetch("POST", "/jobs/bulk", {
        token: keyA,
        body: JSON.stringify({
          action: "cancel",
          filter: { tag: "bulk", tenant: "tenant-b" }, // ignored: a producer acts on its own
          limit: 2,
          ...(cursor === null ? {} : { cursor }),
        }),
      });
      assert.equal(answer.status, 200);
      succeeded += answer.body.succeeded as number;
      cursor = answer.body.next_cursor as string | null;
      assert.equal(answer.body.done, cursor === null);
      batches += 1;
    } while (cursor !== null);
    assert.equal(succeeded, 5);
    assert.ok(batches >= 3);
    for (const id of mine) assert.equal((await server.client().get(id)).status, "cancelled");
    assert.equal((await server.client().get(theirs)).status, "queued");
    // Another tenant's id is skipped, as if unknown.
    const byIds = await server.fetch("POST", "/jobs/bulk", {
      token: keyA,
      body: JSON.stringify({ action: "cancel", ids: [theirs] }),
    });
    assert.deepEqual(
      [byIds.body.processed, byIds.body.succeeded, byIds.body.skipped, byIds.body.done],
      [1, 0, 1, true],
    );
    assert.equal((await server.client().get(theirs)).status, "queued");
    // Retry by ids re-queues cancelled jobs.
    const retried = await server.fetch("POST", "/jobs/bulk", {
      token: keyA,
      body: JSON.stringify({ action: "retry", ids: mine }),
    });
    assert.equal(retried.body.succeeded, 5);
  });

  it("refuses a bulk call with both or neither of ids and filter, and worker keys", async () => {
    const both = await server.fetch("POST", "/jobs/bulk", {
      body: JSON.stringify({ action: "retry", ids: ["x"], filter: {} }),
    });
    assert.equal(both.status, 400);
    const neither = await server.fetch("POST", "/jobs/bulk", {
      body: JSON.stringify({ action: "retry" }),
    });
    assert.equal(neither.status, 400);
    const worker = await server.key("worker", "default");
    const refused = await server.fetch("POST", "/jobs/bulk", {
      token: worker,
      body: JSON.stringify({ action: "retry", filter: {} }),
    });
    assert.equal(refused.status, 403);
  });

  it("tells a key who it is", async () => {
    const worker = await server.key("worker", "w-tenant");
    const answer = await server.fetch("GET", "/session", { token: worker });
    assert.deepEqual(answer.body, {
      success: true,
      role: "worker",
      tenant: "w-tenant",
      auth: true,
    });
    assert.equal((await server.fetch("GET", "/session", { token: null })).status, 401);
  });

  it("lists tenants for admins only, and serves throughput buckets", async () => {
    const producer = await server.key("producer", "tenant-c");
    assert.equal((await server.fetch("GET", "/tenants", { token: producer })).status, 403);
    const tenants = await server.fetch("GET", "/tenants");
    assert.equal(tenants.status, 200);
    const names = (tenants.body.tenants as { tenant: string }[]).map((tenant) => tenant.tenant);
    assert.ok(names.includes("tenant-c") && names.includes("default"));
    const throughput = await server.fetch("GET", "/throughput?window_seconds=3600");
    assert.equal(throughput.status, 200);
    assert.equal(throughput.body.bucket_seconds, 60);
    assert.equal((await server.fetch("GET", "/throughput?window_seconds=7")).status, 400);
  });

  it("documents the new routes in /openapi.json", async () => {
    const doc = await server.fetch("GET", "/openapi.json", { token: null });
    for (const path of ["/jobs/bulk", "/session", "/throughput", "/tenants"])
      assert.ok(doc.body.paths[path], `${path} is documented`);
  });

  it("says auth is off on a --no-auth server, where no key is needed", async () => {
    const open = await startTestServer({ auth: false });
    try {
      const answer = await open.fetch("GET", "/session", { token: null });
      assert.deepEqual(answer.body, {
        success: true,
        role: "admin",
        tenant: "default",
        auth: false,
      });
    } finally {
      await open.close();
    }
  });
});
