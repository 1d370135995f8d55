/**
 * Webhook subscriptions over HTTP (issue 13), on both stores: a loopback receiver (allow-listed
 * here) gets every subscribed event once per delivery id, signed, and the retries after it
 * answered 500 twice; the delivery log shows every attempt; redelivery re-sends the same id;
 * tenants never see each other's subscriptions or deliveries; and without the allow-list,
 * loopback and private targets are refused with 400 naming the field.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { UnrecoverableError, type Worker } from "../../../src/index.js";
import { uuidv7 } from "../../../src/core/ids.js";
import { signWebhook } from "../../../src/core/webhook.js";
import { HTTP_TEST_STORES, startTestServer, type TestServer } from "../../helpers/http-server.js";
import { waitFor } from "../../helpers/wait-for.js";

const SECRET = "receiver-secret-0123456789";

interface Received {
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
  status: number;
}

/** A receiver that answers 500 to the first `failures` requests of each delivery id. */
async function startReceiver(failures: number): Promise<{
  server: Server;
  url: string;
  received: Received[];
}> {
  const received: Received[] = [];
  const seen = new Map<string, number>();
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const id = String(request.headers["x-spool-delivery"]);
      const count = (seen.get(id) ?? 0) + 1;
      seen.set(id, count);
      const status = count <= failures ? 500 : 204;
      received.push({ path: request.url ?? "", headers: request.headers, body, status });
      response.writeHead(status).end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}`, received };
}

for (const store of HTTP_TEST_STORES) {
  describe(`webhook subscriptions (${store})`, () => {
    let t: TestServer;
    let worker: Worker;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let acme: string;
    let globex: string;

    before(async () => {
      receiver = await startReceiver(2);
      t = await startTestServer({
        store,
        webhooks: {
          allow: ["127.0.0.1"],
          delivery: { backoff: { baseMs: 40, capMs: 200 }, pollIntervalMs: 25, maxAttempts: 5 },
        },
      });
      worker = t.spool.worker({
        handlers: {
          "t.ok": async () => ({ fine: true }),
          "t.fail": async () => {
            throw new UnrecoverableError("broken on purpose");
          },
        },
        pollIntervalMs: 20,
      });
      await worker.start();
      acme = await t.key("producer", "acme");
      globex = await t.key("producer", "globex");
    });
    after(async () => {
      await worker.stop();
      await t.close();
      receiver.server.close();
    });

    const post = (path: string, body: unknown, token: string) =>
      t.fetch("POST", path, { token, body: JSON.stringify(body) });
    const submit = async (body: Record<string, unknown>, token: string): Promise<string> => {
      const res = await post("/jobs", body, token);
      assert.equal(res.status, 202, JSON.stringify(res.body));
      return res.body.job_id as string;
    };
    const successes = (path: string) =>
      receiver.received.filter((r) => r.path === path && r.status === 204);

    it("delivers every final event once per delivery id, signed, after two 500s", async () => {
      const created = await post(
        "/webhooks",
        {
          url: `${receiver.url}/acme`,
          events: ["job.completed", "job.failed", "job.cancelled"],
          secret: SECRET,
        },
        acme,
      );
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.secret, undefined, "a given secret is never echoed");
      assert.equal(created.body.secret_hint, `…${SECRET.slice(-4)}`);
      assert.deepEqual(created.body.events, ["job.completed", "job.failed", "job.cancelled"]);
      const hookId = created.body.id as string;

      const completed = await submit({ type: "t.ok" }, acme);
      const failed = await submit({ type: "t.fail", max_attempts: 1 }, acme);
      const cancelled = await submit({ type: "t.ok", delay_seconds: 3600 }, acme);
      assert.equal((await t.fetch("DELETE", `/jobs/${cancelled}`, { token: acme })).status, 200);

      await waitFor(() => successes("/acme").length === 3, {
        timeoutMs: 30_000,
        message: "three deliveries succeed",
      });
      const byId = new Map<string, Received[]>();
      for (const r of receiver.received.filter((x) => x.path === "/acme")) {
        const id = String(r.headers["x-spool-delivery"]);
        byId.set(id, [...(byId.get(id) ?? []), r]);
      }
      assert.equal(byId.size, 3, "one delivery id per event");
      const events = new Map<string, string>();
      for (const [id, requests] of byId) {
        assert.deepEqual(
          requests.map((r) => r.status),
          [500, 500, 204],
          "two 500s, then the retry that succeeds, then nothing more",
        );
        for (const r of requests) {
          const timestamp = Number(r.headers["x-spool-webhook-timestamp"]);
          assert.ok(Number.isInteger(timestamp));
          assert.equal(
            r.headers["x-spool-webhook-signature"],
            `v1=${signWebhook(SECRET, timestamp, r.body)}`,
          );
          assert.equal(r.body, requests[0]!.body, "every attempt sends the same body");
        }
        const body = JSON.parse(requests[0]!.body) as Record<string, unknown>;
        assert.equal(body.delivery_id, id);
        assert.equal(body.webhook_id, hookId);
        assert.equal(requests[0]!.headers["x-spool-event"], body.event);
        assert.equal(requests[0]!.headers["x-spool-webhook-id"], hookId);
        assert.equal((body.job as { id: string }).id, body.job_id);
        assert.equal(body.tenant, "acme");
        events.set(body.job_id as string, `${body.event as string}/${body.status as string}`);
      }
      assert.deepEqual(Object.fromEntries(events), {
        [completed]: "job.completed/completed",
        [failed]: "job.failed/failed",
        [cancelled]: "job.cancelled/cancelled",
      });

      // The receiver sees the 204 before the sender records it: wait for the record.
      const log = await waitFor(
        async () => {
          const page = await t.fetch("GET", `/webhooks/${hookId}/deliveries`, { token: acme });
          assert.equal(page.status, 200);
          const done = (page.body.deliveries as { status: string }[]).every(
            (d) => d.status !== "sending" && d.status !== "pending",
          );
          return done ? page : null;
        },
        { timeoutMs: 20_000, message: "three deliveries recorded" },
      );
      assert.equal(log.body.deliveries.length, 3);
      for (const d of log.body.deliveries as {
        status: string;
        attempts: { status_code: number }[];
      }[]) {
        assert.equal(d.status, "succeeded");
        assert.deepEqual(
          d.attempts.map((a) => a.status_code),
          [500, 500, 204],
        );
      }
      const perJob = await t.fetch("GET", `/jobs/${completed}/deliveries`, { token: acme });
      assert.equal(perJob.status, 200);
      assert.equal(perJob.body.deliveries.length, 1);
      assert.equal(perJob.body.deliveries[0].event, "job.completed");

      // Redelivery: the same delivery id again (the receiver now answers 204 at once).
      const deliveryId = perJob.body.deliveries[0].id as string;
      const before = successes("/acme").length;
      const redelivered = await post(
        `/webhooks/${hookId}/deliveries/${deliveryId}/redeliver`,
        {},
        acme,
      );
      assert.equal(redelivered.status, 202, JSON.stringify(redelivered.body));
      await waitFor(() => successes("/acme").length === before + 1, { timeoutMs: 20_000 });
      assert.equal(successes("/acme").at(-1)!.headers["x-spool-delivery"], deliveryId);
      const again = await waitFor(async () => {
        const page = await t.fetch("GET", `/jobs/${completed}/deliveries`, { token: acme });
        return page.body.deliveries[0].status === "succeeded" ? page : null;
      });
      assert.deepEqual(
        again.body.deliveries[0].attempts.map((a: { status_code: number }) => a.status_code),
        [500, 500, 204, 204],
      );
    });

    it("keeps tenants apart: subscriptions, their events and their deliveries", async () => {
      const mine = await post(
        "/webhooks",
        { url: `${receiver.url}/globex`, events: ["*"] },
        globex,
      );
      assert.equal(mine.status, 201);
      assert.match(mine.body.secret as string, /^whsec_/, "a generated secret is shown once");
      const acmeHooks = await t.fetch("GET", "/webhooks", { token: acme });
      const acmeHook = acmeHooks.body.webhooks[0].id as string;
      assert.deepEqual(
        acmeHooks.body.webhooks.map((w: { tenant: string }) => w.tenant),
        ["acme"],
      );
      const theirs = await t.fetch("GET", "/webhooks", { token: globex });
      assert.deepEqual(
        theirs.body.webhooks.map((w: { id: string }) => w.id),
        [mine.body.id],
      );
      for (const [method, path] of [
        ["GET", `/webhooks/${acmeHook}`],
        ["DELETE", `/webhooks/${acmeHook}`],
        ["GET", `/webhooks/${acmeHook}/deliveries`],
        ["POST", `/webhooks/${acmeHook}/deliveries/${acmeHook}/redeliver`],
      ] as const) {
        const res = await t.fetch(method, path, { token: globex });
        assert.equal(res.status, 404, `${method} ${path}`);
        assert.doesNotMatch(JSON.stringify(res.body), /acme/);
      }

      const job = await submit({ type: "t.ok" }, globex);
      // Globex's own subscription sees its job's events ("*": queued, started, completed).
      await waitFor(
        () =>
          successes("/globex").some(
            (r) => (JSON.parse(r.body) as { event: string }).event === "job.completed",
          ),
        { timeoutMs: 30_000 },
      );
      // The same fan-out round would have created acme's delivery: there is none.
      assert.ok(!receiver.received.some((r) => r.path === "/acme" && r.body.includes(job)));
      const acmeLog = await t.fetch("GET", `/webhooks/${acmeHook}/deliveries`, { token: acme });
      assert.ok(!JSON.stringify(acmeLog.body).includes(job));
      assert.equal((await t.fetch("GET", `/jobs/${job}/deliveries`, { token: acme })).status, 404);
      const own = await t.fetch("GET", `/jobs/${job}/deliveries`, { token: globex });
      assert.ok(own.body.deliveries.length >= 3);

      const all = await t.fetch("GET", "/webhooks");
      assert.equal(all.body.webhooks.length, 2, "an admin sees every tenant's");
      const one = await t.fetch("GET", "/webhooks?tenant=globex");
      assert.deepEqual(
        one.body.webhooks.map((w: { tenant: string }) => w.tenant),
        ["globex"],
      );
      const removed = await t.fetch("DELETE", `/webhooks/${mine.body.id as string}`, {
        token: globex,
      });
      assert.equal(removed.status, 200);
      assert.equal(
        (await t.fetch("GET", `/webhooks/${mine.body.id as string}`, { token: globex })).status,
        404,
      );
    });
  });

  describe(`webhook targets without an allow-list (${store})`, () => {
    let t: TestServer;
    let producer: string;
    before(async () => {
      t = await startTestServer({ store });
      producer = await t.key("producer", "acme");
    });
    after(async () => t.close());

    const refused = async (path: string, body: unknown, field: string) => {
      const res = await t.fetch("POST", path, { token: producer, body: JSON.stringify(body) });
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.success, false);
      assert.equal(res.body.error.details.field, field, JSON.stringify(res.body));
    };

    it("refuses loopback, private and link-local subscriptions and job webhooks with 400", async () => {
      const hook = { events: ["job.completed"], secret: SECRET };
      await refused("/webhooks", { ...hook, url: "http://127.0.0.1/" }, "url");
      await refused("/webhooks", { ...hook, url: "http://localhost:8080/hook" }, "url");
      await refused("/webhooks", { ...hook, url: "http://[::1]/" }, "url");
      await refused("/webhooks", { ...hook, url: "http://169.254.169.254/latest" }, "url");
      await refused("/webhooks", { ...hook, url: "ftp://example.com/" }, "url");
      await refused(
        "/webhooks",
        { ...hook, url: "https://93.184.216.34/", events: ["job.complete"] },
        "events[0]",
      );
      await refused("/jobs", { type: "t.ok", webhook_url: "http://10.0.0.5/hook" }, "webhook_url");
      await refused("/jobs", { type: "t.ok", webhook_url: "http://192.168.1.10/" }, "webhook_url");
      await refused("/jobs", { type: "t.ok", webhook_url: "http://[fd00::1]/" }, "webhook_url");
      await refused(
        "/jobs/batch",
        { jobs: [{ type: "t.ok" }, { type: "t.ok", webhook_url: "http://127.0.0.1:9/" }] },
        "jobs[1].webhook_url",
      );
      // Bad input changed nothing.
      assert.deepEqual((await t.fetch("GET", "/webhooks", { token: producer })).body.webhooks, []);
      assert.equal((await t.fetch("GET", "/jobs", { token: producer })).body.count, 0);
      // A public target is fine.
      const ok = await t.fetch("POST", "/webhooks", {
        token: producer,
        body: JSON.stringify({ ...hook, url: "https://93.184.216.34/hook" }),
      });
      assert.equal(ok.status, 201);
    });

    it("refuses a loopback target again at delivery time (subscriptions and webhook_url)", async () => {
      const hook = await startReceiver(0);
      try {
        // Stored behind the API's back (as a target whose DNS changed would be): never sent.
        const webhookId = uuidv7(Date.now());
        await t.spool.store.createWebhook({
          webhook: {
            id: webhookId,
            tenant: "acme",
            url: `${hook.url}/sub`,
            events: ["job.completed"],
            secret: SECRET,
            createdAt: new Date(Date.now() - 1_000),
          },
        });
        const worker = t.spool.worker({
          handlers: { "t.ok": async () => ({}) },
          pollIntervalMs: 20,
        });
        await worker.start();
        try {
          const job = await t.spool.enqueue(
            "t.ok",
            {},
            { tenant: "acme", webhookUrl: `${hook.url}/job` },
          );
          const [delivery] = await waitFor(
            async () => {
              const page = await t.spool.store.listWebhookDeliveries({
                webhookId,
                jobId: job.id,
                limit: 10,
              });
              return page.deliveries[0]?.status === "failed" ? page.deliveries : null;
            },
            { timeoutMs: 30_000 },
          );
          assert.equal(delivery!.attempts.length, 1, "refused at once, not retried");
          assert.match(delivery!.attempts[0]!.error ?? "", /target refused: .*127\.0\.0\.1/);
          const webhookJob = await waitFor(
            async () => {
              const { jobs } = await t.spool.list({ queue: "spool.webhooks", limit: 10 });
              return jobs[0]?.status === "failed" ? jobs[0] : null;
            },
            { timeoutMs: 30_000 },
          );
          assert.match(webhookJob.error?.message ?? "", /target refused/);
          assert.equal(webhookJob.attempt, 1);
        } finally {
          await worker.stop();
        }
        assert.deepEqual(hook.received, [], "the receiver was never called");
      } finally {
        hook.server.close();
      }
    });
  });
}
