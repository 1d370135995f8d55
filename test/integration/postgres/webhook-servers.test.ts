/**
 * Webhook deliveries with several API server processes on one PostgreSQL (issue 13): every
 * delivery is sent once per delivery id even though both servers fan out the same events and
 * both look for due deliveries (leases, FOR UPDATE SKIP LOCKED); and a server killed in the
 * middle of a delivery leaves a lease that expires, after which another server sends the same
 * delivery (same id) again — at-least-once, receivers dedupe by id.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { after, afterEach, describe, it } from "node:test";
import { uuidv7 } from "../../../src/core/ids.js";
import { Spool, type Worker } from "../../../src/index.js";
import type { ApiServerProcessConfig } from "../../helpers/api-server-process.js";
import { createSchemaFixture, type SchemaFixture } from "../../helpers/postgres.js";
import { helperPath, spawnTs, stopChild } from "../../helpers/processes.js";
import { waitFor } from "../../helpers/wait-for.js";

const LEASE_MS = 1_500;
type Child = ReturnType<typeof spawnTs>;

describe("webhook deliveries across API server processes (PostgreSQL)", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  after(() => undefined);

  /** A receiver; `hold` decides per request whether to leave it unanswered. */
  async function receiver(hold: (id: string, count: number) => boolean) {
    const received: { id: string; body: string }[] = [];
    const held: ServerResponse[] = [];
    const server = createServer((request: IncomingMessage, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        const id = String(request.headers["x-spool-delivery"]);
        received.push({ id, body });
        if (hold(id, received.filter((r) => r.id === id).length)) held.push(response);
        else response.writeHead(204).end();
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    cleanups.push(async () => {
      server.closeAllConnections();
      server.close();
    });
    const { port } = server.address() as { port: number };
    return { url: `http://127.0.0.1:${port}/hook`, received, held };
  }

  async function setup(): Promise<{ fixture: SchemaFixture; spool: Spool; worker: Worker }> {
    const fixture = createSchemaFixture();
    const spool = await Spool.open({
      url: fixture.url,
      storeTuning: { schema: fixture.schema, poolSize: 4 },
      maintenance: false,
    });
    const worker = spool.worker({
      handlers: { "t.ok": async () => ({ ok: true }) },
      concurrency: 8,
      pollIntervalMs: 20,
    });
    await worker.start();
    cleanups.push(() => fixture.drop());
    cleanups.push(() => spool.close());
    cleanups.push(() => worker.stop());
    return { fixture, spool, worker };
  }

  async function apiServer(fixture: SchemaFixture): Promise<Child> {
    const config: ApiServerProcessConfig = {
      url: fixture.url,
      schema: fixture.schema,
      allow: ["127.0.0.1"],
      leaseMs: LEASE_MS,
    };
    const child = spawnTs(helperPath("api-server-process.ts"), {
      SPOOL_TEST_API_SERVER: JSON.stringify(config),
    });
    cleanups.push(() => stopChild(child, "SIGKILL"));
    await waitFor(() => child.lines.some((line) => line.startsWith("listening ")), {
      timeoutMs: 30_000,
    });
    return child;
  }

  async function subscribe(spool: Spool, url: string): Promise<string> {
    const id = uuidv7(Date.now());
    await spool.store.createWebhook({
      webhook: {
        id,
        tenant: "default",
        url,
        events: ["job.completed"],
        secret: "two-servers-secret",
        createdAt: new Date(Date.now() - 1_000),
      },
    });
    return id;
  }

  it("two servers on one database send each delivery once", async () => {
    const { fixture, spool } = await setup();
    const hook = await receiver(() => false);
    await Promise.all([apiServer(fixture), apiServer(fixture)]);
    const webhookId = await subscribe(spool, hook.url);
    const jobs = await spool.enqueueMany(
      Array.from({ length: 40 }, (_, i) => ({ type: "t.ok", payload: { i } })),
    );
    await waitFor(
      async () => {
        const page = await spool.store.listWebhookDeliveries({ webhookId, limit: 100 });
        return (
          page.deliveries.length === 40 && page.deliveries.every((d) => d.status === "succeeded")
        );
      },
      { timeoutMs: 60_000, message: "40 deliveries succeed" },
    );
    const ids = hook.received.map((r) => r.id);
    assert.equal(new Set(ids).size, 40, "one delivery per job");
    assert.equal(ids.length, 40, "no delivery id was sent twice");
    const jobIds = new Set(
      hook.received.map((r) => (JSON.parse(r.body) as { job_id: string }).job_id),
    );
    assert.deepEqual([...jobIds].sort(), jobs.map((j) => j.id).sort());
    const page = await spool.store.listWebhookDeliveries({ webhookId, limit: 100 });
    assert.ok(page.deliveries.every((d) => d.attempts.length === 1 && d.attempt === 1));
  });

  it("a server killed mid-delivery: another sends the same delivery again after the lease", async () => {
    const { fixture, spool } = await setup();
    const hook = await receiver((_id, count) => count === 1); // the first attempt hangs
    const first = await apiServer(fixture);
    const webhookId = await subscribe(spool, hook.url);
    await spool.enqueue("t.ok", {});
    await waitFor(() => hook.held.length === 1, { timeoutMs: 30_000 });
    await stopChild(first, "SIGKILL");
    await apiServer(fixture);
    await waitFor(() => hook.received.length === 2, { timeoutMs: 30_000 });
    assert.equal(hook.received[1]!.id, hook.received[0]!.id, "the same delivery id");
    assert.equal(hook.received[1]!.body, hook.received[0]!.body);
    await waitFor(async () => {
      const page = await spool.store.listWebhookDeliveries({ webhookId, limit: 10 });
      return page.deliveries[0]?.status === "succeeded" ? page.deliveries[0] : null;
    }).then((delivery) => {
      assert.deepEqual(
        delivery.attempts.map((a) => [
          a.attempt,
          a.statusCode,
          a.error?.startsWith("interrupted") ?? false,
        ]),
        [
          [1, null, true],
          [2, 204, false],
        ],
      );
    });
  });
});
