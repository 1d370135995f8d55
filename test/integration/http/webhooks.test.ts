/**
 * Webhooks: a job submitted with webhook_url is POSTed to that URL when it ends, signed with
 * the server's secret, and delivery is retried when the receiver fails.
 */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import { once } from "node:events";
import { after, before, describe, it } from "node:test";
import { startServer, type RunningServer } from "../../../src/http/server.js";
import { Spool, type Worker } from "../../../src/index.js";
import { tempSqliteUrl } from "../../helpers/temp-dir.js";
import { waitFor } from "../../helpers/wait-for.js";

const SECRET = "test-secret";

describe("webhooks", () => {
  let spool: Spool;
  let server: RunningServer;
  let worker: Worker;
  const received: { headers: IncomingMessage["headers"]; body: string; status: number }[] = [];
  let failNext = 1;
  const receiver = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const status = failNext-- > 0 ? 500 : 204;
      received.push({ headers: request.headers, body, status });
      response.writeHead(status).end();
    });
  });

  before(async () => {
    receiver.listen(0, "127.0.0.1");
    await once(receiver, "listening");
    spool = await Spool.open({ url: tempSqliteUrl(), random: () => 0 });
    server = await startServer({
      spool,
      port: 0,
      auth: false,
      webhooks: { secret: SECRET, allow: ["127.0.0.1"] },
      validateResponses: true,
    });
    worker = spool.worker({
      handlers: { "demo.ok": async () => ({ fine: true }) },
      pollIntervalMs: 50,
    });
    await worker.start();
  });
  after(async () => {
    await worker.stop();
    await server.close();
    await spool.close();
    receiver.close();
  });

  it("POSTs the final event and job to webhook_url, signed, retrying a failed delivery", async () => {
    const address = receiver.address() as { port: number };
    const res = await fetch(`${server.url}/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        type: "demo.ok",
        webhook_url: `http://127.0.0.1:${address.port}/hook`,
      }),
    });
    const { job_id } = (await res.json()) as { job_id: string };
    await waitFor(() => received.some((r) => r.status === 204), { timeoutMs: 20_000 });
    assert.equal(received.length, 2, "one failed delivery, then one retry");
    const delivery = received.at(-1)!;
    const body = JSON.parse(delivery.body) as {
      event: string;
      event_id: number;
      job_id: string;
      job: { status: string; result: unknown };
    };
    assert.equal(body.event, "job.completed");
    assert.equal(body.job_id, job_id);
    assert.equal(body.job.status, "completed");
    assert.deepEqual(body.job.result, { fine: true });
    assert.equal(typeof body.event_id, "number");
    assert.equal(delivery.headers["x-spool-event"], "job.completed");
    const expected = `sha256=${createHmac("sha256", SECRET).update(delivery.body).digest("hex")}`;
    assert.equal(delivery.headers["x-spool-signature"], expected);
    assert.equal(received[0]!.body, delivery.body, "the retry sends the same event");
  });
});
