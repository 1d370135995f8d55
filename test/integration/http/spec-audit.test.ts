/**
 * Deviations from SPEC §2 found by reading it as an acceptance tester would; each case failed
 * before its fix.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { HTTP_TEST_STORES, startTestServer, type TestServer } from "../../helpers/http-server.js";

for (const store of HTTP_TEST_STORES) {
  describe(`SPEC audit: HTTP (${store})`, () => {
    let t: TestServer;

    before(async () => {
      t = await startTestServer({ store });
    });
    after(async () => {
      await t.close();
    });

    const post = (path: string, body: Record<string, unknown>) =>
      t.fetch("POST", path, { body: JSON.stringify(body) });

    it("run_at with delay_seconds → 400 whose message names the HTTP fields (snake_case)", async () => {
      const res = await post("/jobs", {
        type: "audit.any",
        payload: {},
        run_at: new Date(Date.now() + 60_000).toISOString(),
        delay_seconds: 5,
      });
      assert.equal(res.status, 400);
      assert.equal(res.body.success, false);
      assert.equal(res.body.error.code, "validation_error");
      assert.equal(res.body.error.details.field, "delay_seconds");
      assert.match(res.body.error.message, /run_at/);
      assert.doesNotMatch(JSON.stringify(res.body.error), /runAt/);
    });

    it("a heartbeat without lease_seconds renews by the lease the claim asked for", async () => {
      const submitted = await post("/jobs", {
        type: "audit.lease",
        queue: "audit-lease",
        payload: {},
      });
      assert.equal(submitted.status, 202);
      const claimed = await post("/queues/audit-lease/claim", {
        worker: "audit-lease-worker",
        types: ["audit.lease"],
        lease_seconds: 600,
      });
      assert.equal(claimed.status, 200);
      const [job] = claimed.body.jobs;
      assert.equal(job.id, submitted.body.job_id);
      const before = Date.now();
      const beat = await post(`/jobs/${job.id}/heartbeat`, { lease_token: job.lease_token });
      assert.equal(beat.status, 200);
      // The default lease is 30 s; a 600 s claim must keep (about) 600 s after a heartbeat.
      const remainingMs = Date.parse(beat.body.lease_expires_at) - before;
      assert.ok(remainingMs > 300_000, `lease renewed for only ${remainingMs} ms`);
      const shorter = await post(`/jobs/${job.id}/heartbeat`, {
        lease_token: job.lease_token,
        lease_seconds: 10,
      });
      assert.equal(shorter.status, 200);
      assert.ok(Date.parse(shorter.body.lease_expires_at) - Date.now() <= 10_000);
      const done = await post(`/jobs/${job.id}/complete`, {
        lease_token: job.lease_token,
        result: { ok: true },
      });
      assert.equal(done.status, 200);
    });
  });
}
