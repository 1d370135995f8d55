/**
 * The first things a new user (or a seed's client) touches (issue 8): empty bodies whatever the
 * Content-Type, the cancel alias, `success` everywhere, `credits_info` and snake_case details,
 * list summaries, CORS, `access_token` only on event streams and never logged, refused WebSocket
 * upgrades answered and closed, tenants that cannot see each other's queues or backlogs,
 * framework errors in the error shape, strict timestamps, and a contract that says all of it.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import WebSocket from "ws";
import { startTestServer, type TestServer } from "../../helpers/http-server.js";
import { rawRequest, upgradeRequest } from "../../helpers/raw-http.js";

describe("HTTP first touch", () => {
  let t: TestServer;
  let acme: string;
  let globex: string;
  let worker: string;
  const logLines: string[] = [];

  before(async () => {
    const logger = pino({ level: "debug" }, { write: (line: string) => logLines.push(line) });
    t = await startTestServer({ corsOrigins: ["https://app.example.com"], logger });
    acme = await t.key("producer", "acme");
    globex = await t.key("producer", "globex");
    worker = await t.key("worker", "acme");
  });
  after(() => t.close());

  const submit = async (token: string, body: Record<string, unknown>) =>
    t.fetch("POST", "/jobs", { token, body: JSON.stringify(body) });

  it("DELETE and body-less POSTs accept an empty body with Content-Type: application/json (seed 002)", async () => {
    const empty = { "content-type": "application/json" };
    const a = (await submit(acme, { type: "cache_warming", parameters: {} })).body.job_id;
    const cancelled = await t.fetch("DELETE", `/jobs/${a}`, { token: acme, headers: empty });
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    assert.equal(cancelled.body.success, true);
    assert.equal(cancelled.body.status, "cancelled");
    const retried = await t.fetch("POST", `/jobs/${a}/retry`, { token: acme, headers: empty });
    assert.equal(retried.status, 200, JSON.stringify(retried.body));
    // The alias answers exactly like DELETE, whatever the Content-Type of an empty body.
    const alias = await t.fetch("POST", `/jobs/${a}/cancel`, {
      token: acme,
      headers: { "content-type": "text/plain" },
    });
    assert.equal(alias.status, 200, JSON.stringify(alias.body));
    assert.equal(alias.body.status, "cancelled");
    const again = await t.fetch("POST", `/jobs/${a}/cancel`, { token: acme, headers: empty });
    assert.equal(again.status, 409);
    assert.equal(again.body.success, false);
    // A body that is there must still be JSON.
    const text = await t.fetch("POST", `/jobs/${a}/retry`, {
      token: acme,
      body: "hello",
      headers: { "content-type": "text/plain" },
    });
    assert.equal(text.status, 415);
    for (const action of ["pause", "resume"]) {
      const res = await t.fetch("POST", `/queues/bodyless/${action}`, { headers: empty });
      assert.equal(res.status, 200, `${action}: ${JSON.stringify(res.body)}`);
    }
    const noBody = await t.fetch("POST", "/jobs", { token: acme, headers: empty });
    assert.equal(noBody.status, 400);
    assert.equal(noBody.body.error.details.field, "body");
  });

  it("seed 002's cancel example, in Python as the seed writes it (urllib for requests)", async () => {
    // Example 3 of seed 002: the headers dict carries Content-Type: application/json on every
    // call, DELETE included, and the client reads response.json()["success"].
    const script = `
import json, sys, urllib.request
API_URL, TOKEN = sys.argv[1], sys.argv[2]
headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(API_URL + path, data=data, headers=headers, method=method)
    with urllib.request.urlopen(req) as response:
        return json.loads(response.read())
job_id = call("POST", "/jobs", {"type": "cache_warming", "parameters": {}})["job_id"]
if call("DELETE", f"/jobs/{job_id}")["success"]:
    print("Job cancelled successfully")
`;
    const { stdout } = await promisify(execFile)("python3", ["-c", script, t.url, acme]);
    assert.equal(stdout.trim(), "Job cancelled successfully");
  });

  it("every JSON answer carries success, errors a request_id; details are snake_case", async () => {
    const ok = await t.fetch("GET", "/stats", { token: acme });
    assert.equal(ok.body.success, true);
    const missing = await t.fetch("GET", "/stats", { token: null });
    assert.equal(missing.status, 401);
    assert.equal(missing.body.success, false);
    assert.equal(missing.body.error.request_id, missing.headers.get("x-request-id"));
    // A stale lease: 409 with details.job_id (not jobId).
    const job = (await submit(acme, { type: "x.stale", queue: "stale" })).body.job_id;
    const claim = await t.fetch("POST", "/queues/stale/claim", {
      token: worker,
      body: JSON.stringify({ worker: "w1" }),
    });
    assert.equal(claim.body.jobs[0].id, job);
    const stale = await t.fetch("POST", `/jobs/${job}/heartbeat`, {
      token: worker,
      body: JSON.stringify({ lease_token: "not-the-token" }),
    });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.error.details.job_id, job);
    assert.equal(stale.body.error.details.jobId, undefined);
  });

  it("a credits 429 carries credits_info and details.retry_after_seconds (seed 004)", async () => {
    const quota = await t.fetch("PUT", "/tenants/metered/quota", {
      body: JSON.stringify({ daily_limit: 1, monthly_limit: 100 }),
    });
    assert.equal(quota.status, 200);
    assert.equal(quota.body.credits_info.tier, "custom");
    const metered = await t.key("producer", "metered");
    assert.equal((await submit(metered, { type: "spot.simulate" })).status, 202);
    const refused = await submit(metered, { type: "spot.simulate" });
    assert.equal(refused.status, 429);
    assert.equal(refused.body.success, false);
    assert.equal(refused.body.error.code, "quota_exceeded");
    const retryAfter = refused.body.error.details.retry_after_seconds;
    assert.ok(typeof retryAfter === "number" && retryAfter > 0);
    assert.equal(refused.headers.get("retry-after"), String(retryAfter));
    const info = refused.body.credits_info;
    assert.deepEqual(
      { ...info, resets_at: undefined },
      {
        tier: "custom",
        daily_limit: 1,
        daily_used: 1,
        monthly_limit: 100,
        monthly_used: 1,
        resets_at: undefined,
      },
    );
    assert.ok(Date.parse(info.resets_at) > Date.now());
  });

  it("GET /jobs returns summaries unless ?include= names the fields", async () => {
    await submit(acme, { type: "list.me", queue: "listing", payload: { big: "x".repeat(100) } });
    const summary = await t.fetch("GET", "/jobs?queue=listing", { token: acme });
    assert.equal(summary.status, 200);
    const [job] = summary.body.jobs;
    assert.equal(job.type, "list.me");
    assert.equal("payload" in job || "result" in job || "errors" in job, false);
    const full = await t.fetch("GET", "/jobs?queue=listing&include=payload,result", {
      token: acme,
    });
    assert.deepEqual(full.body.jobs[0].payload, { big: "x".repeat(100) });
    assert.equal(full.body.jobs[0].result, null);
    assert.equal("errors" in full.body.jobs[0], false);
    const bad = await t.fetch("GET", "/jobs?include=payload,secrets", { token: acme });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.details.field, "include");
  });

  it("CORS: an allowed origin's preflight gets the headers (Authorization allowed); others do not", async () => {
    const preflight = (origin: string) =>
      fetch(`${t.url}/jobs`, {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization,content-type",
        },
      });
    const allowed = await preflight("https://app.example.com");
    assert.ok(allowed.status === 204 || allowed.status === 200, String(allowed.status));
    assert.equal(allowed.headers.get("access-control-allow-origin"), "https://app.example.com");
    assert.match(allowed.headers.get("access-control-allow-headers") ?? "", /authorization/i);
    assert.match(allowed.headers.get("access-control-allow-methods") ?? "", /POST/);
    const other = await preflight("https://evil.example.com");
    assert.equal(other.headers.get("access-control-allow-origin"), null);
    // An actual cross-origin call from the allowed origin can read the answer.
    const get = await fetch(`${t.url}/stats`, {
      headers: { origin: "https://app.example.com", authorization: `Bearer ${acme}` },
    });
    assert.equal(get.headers.get("access-control-allow-origin"), "https://app.example.com");
  });

  it("access_token works only on event streams and never reaches the logs", async () => {
    const onRest = await t.fetch("GET", `/jobs?access_token=${acme}`, { token: null });
    assert.equal(onRest.status, 400);
    assert.equal(onRest.body.error.details.field, "access_token");
    const onStats = await t.fetch("GET", `/stats?access_token=${acme}`, { token: null });
    assert.equal(onStats.status, 400);
    const controller = new AbortController();
    const stream = await fetch(`${t.url}/events?access_token=${acme}`, {
      signal: controller.signal,
    });
    assert.equal(stream.status, 200);
    assert.match(stream.headers.get("content-type") ?? "", /text\/event-stream/);
    controller.abort();
    const ws = new WebSocket(`${t.url.replace("http", "ws")}/ws?access_token=${acme}`);
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    ws.close();
    const secret = acme.slice(6);
    assert.ok(logLines.some((line) => line.includes("access_token=[redacted]")));
    assert.equal(
      logLines.filter((line) => line.includes(secret)).length,
      0,
      "a key was written to the log",
    );
  });

  it("a refused /ws upgrade gets an HTTP answer in the error shape and the socket is closed", async () => {
    const cases: [string, Record<string, string>, number][] = [
      ["/ws", {}, 401],
      ["/ws", { authorization: "Bearer spool_wrong" }, 401],
      ["/ws", { authorization: `Bearer ${worker}` }, 403],
      [`/ws?access_token=${worker}`, {}, 403],
      ["/ws?queue=Not%20A%20Queue", { authorization: `Bearer ${acme}` }, 400],
      ["/ws?job_id=nope", { authorization: `Bearer ${acme}` }, 404],
      ["/jobs", { authorization: `Bearer ${acme}` }, 404],
      ["/nowhere", {}, 404],
    ];
    for (const [path, headers, status] of cases) {
      const answer = await rawRequest(t.url, upgradeRequest(path, headers));
      assert.equal(answer.status, status, `${path}: ${answer.body}`);
      assert.equal(answer.closedByServer, true);
      const body = JSON.parse(answer.body);
      assert.equal(body.success, false);
      assert.equal(typeof body.error.code, "string");
      assert.equal(body.error.request_id, answer.headers["x-request-id"]);
    }
  });

  it("a tenant never sees another tenant's queue names, counts or backlog", async () => {
    for (let i = 0; i < 3; i++) await submit(acme, { type: "a.job", queue: "acme-private" });
    const mine = (await submit(globex, { type: "g.job", queue: "acme-private" })).body.job_id;
    const globexQueues = await t.fetch("GET", "/queues", { token: globex });
    const acmeQueues = await t.fetch("GET", "/queues", { token: acme });
    const shared = (list: { name: string; counts: Record<string, number> }[]) =>
      list.find((q) => q.name === "acme-private");
    assert.equal(shared(globexQueues.body.queues)?.counts.queued, 1, "globex counts only its own");
    assert.equal(shared(acmeQueues.body.queues)?.counts.queued, 3);
    assert.equal(
      globexQueues.body.queues.some((q: { name: string }) => q.name === "listing"),
      false,
      "a queue only acme used is not listed to globex",
    );
    const job = await t.fetch("GET", `/jobs/${mine}`, { token: globex });
    assert.equal(job.body.queue_position, 0, "acme's three jobs ahead are not counted");
    const admin = await t.fetch("GET", "/queues");
    assert.equal(shared(admin.body.queues)?.counts.queued, 4);
  });

  it("framework errors answer in the error shape with a request id: bad URL, long params, malformed HTTP, 404, 405", async () => {
    const badUrl = await t.fetch("GET", "/jobs/%ZZ");
    assert.equal(badUrl.status, 400);
    assert.equal(badUrl.body.success, false);
    assert.equal(badUrl.body.error.request_id, badUrl.headers.get("x-request-id"));
    const long = await t.fetch("GET", `/jobs/${"a".repeat(300)}`);
    assert.equal(long.status, 400);
    assert.equal(long.body.error.code, "invalid_url");
    const longButAllowed = await t.fetch("GET", `/jobs/${"a".repeat(150)}`);
    assert.equal(longButAllowed.status, 404);
    const unknown = await t.fetch("GET", "/nope");
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, "not_found");
    const method = await t.fetch("PUT", "/stats");
    assert.equal(method.status, 405);
    assert.equal(method.body.error.code, "method_not_allowed");
    assert.match(method.headers.get("allow") ?? "", /GET/);
    const malformed = await rawRequest(t.url, "GARBAGE\r\n\r\n");
    assert.equal(malformed.status, 400);
    const body = JSON.parse(malformed.body);
    assert.equal(body.success, false);
    assert.equal(body.error.code, "malformed_request");
    assert.equal(typeof body.error.request_id, "string");
  });

  it("run_at must be RFC 3339 with a zone and a real date; patterns are enforced by the schema", async () => {
    for (const run_at of ["2023-02-29T00:00:00Z", "2024-01-01 10:00", "2024-01-01T10:00:00"]) {
      const res = await submit(acme, { type: "x.at", run_at });
      assert.equal(res.status, 400, run_at);
      assert.equal(res.body.error.details.field, "run_at");
    }
    const ok = await submit(acme, { type: "x.at", run_at: "2030-01-01T10:00:00+02:00" });
    assert.equal(ok.status, 202);
    assert.equal(ok.body.job.run_at, "2030-01-01T08:00:00.000Z");
    const empty = await submit(acme, { type: "" });
    assert.equal(empty.status, 400);
    assert.equal(empty.body.error.details.field, "type");
  });

  it("/openapi.json documents what the server sends", async () => {
    const doc = (await t.fetch("GET", "/openapi.json", { token: null })).body;
    assert.equal(doc.success, undefined, "the document itself has no envelope");
    const get = doc.paths["/jobs/{id}"].get.responses["200"].content["application/json"].schema;
    assert.ok(get.properties.job, "GET /jobs/{id} documents the job envelope");
    assert.ok(get.properties.success);
    for (const path of ["/events", "/jobs/{id}/events"]) {
      assert.ok(doc.paths[path].get.responses["200"].content["text/event-stream"], path);
    }
    assert.ok(doc.paths["/ws"].get.responses["101"]);
    assert.ok(doc.paths["/queues/{name}/claim"].post.responses["200"]);
    assert.ok(doc.paths["/jobs"].post.responses["429"]);
    assert.ok(doc.paths["/metrics"].get.responses["401"].content["application/json"]);
    const type =
      doc.paths["/jobs"].post.requestBody.content["application/json"].schema.properties.type;
    assert.equal(type.pattern, "^[A-Za-z0-9_.:-]{1,128}$");
  });
});
