/**
 * Traffic control over HTTP (SPEC §7): PATCH /queues/:name {rate_limit, key_concurrency} and
 * how GET /queues shows them, `concurrency_key` on submissions and the job resource, the
 * waiting reasons they cause, and the 400s for bad bodies (naming the field; nothing changes).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { HTTP_TEST_STORES, startTestServer, type TestServer } from "../../helpers/http-server.js";

for (const store of HTTP_TEST_STORES) {
  describe(`traffic control over HTTP (${store})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer({ store });
    });
    after(async () => {
      await t.close();
    });

    const patch = (queue: string, body: unknown) =>
      t.fetch("PATCH", `/queues/${queue}`, { body: JSON.stringify(body) });
    const queueOf = async (name: string) =>
      (await t.fetch("GET", "/queues")).body.queues.find((q: { name: string }) => q.name === name);

    it("PATCH sets and clears rate_limit and key_concurrency; GET /queues shows them", async () => {
      const set = await patch("mail", {
        rate_limit: { limit: 50, period_seconds: 1 },
        key_concurrency: 3,
      });
      assert.equal(set.status, 200);
      assert.deepEqual(set.body.rate_limit, { limit: 50, period_seconds: 1 });
      assert.equal(set.body.key_concurrency, 3);
      await t.fetch("POST", "/jobs", { body: JSON.stringify({ type: "x", queue: "mail" }) });
      const listed = await queueOf("mail");
      assert.deepEqual(listed.rate_limit, { limit: 50, period_seconds: 1 });
      assert.equal(listed.key_concurrency, 3);
      const minute = await patch("mail", { rate_limit: { limit: 600, period_seconds: 60 } });
      assert.deepEqual(minute.body.rate_limit, { limit: 600, period_seconds: 60 });
      assert.equal(minute.body.key_concurrency, 3, "a field left out is left alone");
      const cleared = await patch("mail", { rate_limit: null, key_concurrency: null });
      assert.equal(cleared.body.rate_limit, null);
      assert.equal(cleared.body.key_concurrency, null);
      const config = (await t.spool.store.listQueues()).find((q) => q.name === "mail");
      assert.equal(config?.rateLimit, null);
    });

    it("bad PATCH bodies answer 400 naming the field, and change nothing", async () => {
      await patch("strict", { rate_limit: { limit: 5, period_seconds: 2 }, key_concurrency: 2 });
      const cases: [unknown, RegExp][] = [
        [{ rate_limit: { limit: 0, period_seconds: 1 } }, /rate_limit\.limit/],
        [{ rate_limit: { limit: 1.5, period_seconds: 1 } }, /rate_limit\.limit/],
        [{ rate_limit: { limit: 5 } }, /rate_limit\.period_seconds/],
        [{ rate_limit: { limit: 5, period_seconds: 0 } }, /rate_limit\.period_seconds/],
        [{ rate_limit: { limit: 5, period_seconds: 86_401 } }, /rate_limit\.period_seconds/],
        [{ rate_limit: { limit: 5, period_seconds: 1, burst: 2 } }, /rate_limit/],
        [{ rate_limit: "50/s" }, /rate_limit/],
        [{ key_concurrency: 0 }, /key_concurrency/],
        [{ key_concurrency: 2.5 }, /key_concurrency/],
        [{ key_concurrency: "3" }, /key_concurrency/],
      ];
      for (const [body, field] of cases) {
        const answer = await patch("strict", body);
        assert.equal(answer.status, 400, JSON.stringify(body));
        assert.equal(answer.body.success, false);
        assert.match(JSON.stringify(answer.body.error), field, JSON.stringify(answer.body));
      }
      const config = (await t.spool.store.listQueues()).find((q) => q.name === "strict");
      assert.deepEqual(config?.rateLimit, { limit: 5, periodMs: 2_000 });
      assert.equal(config?.keyConcurrency, 2);
    });

    it("concurrency_key on POST /jobs and /jobs/batch, in the job resource; too long is 400", async () => {
      const one = await t.fetch("POST", "/jobs", {
        body: JSON.stringify({ type: "x", queue: "keyed", concurrency_key: "user-1" }),
      });
      assert.equal(one.status, 202);
      assert.equal(one.body.job.concurrency_key, "user-1");
      assert.equal(
        (await t.fetch("GET", `/jobs/${one.body.job_id}`)).body.concurrency_key,
        "user-1",
      );
      const batch = await t.fetch("POST", "/jobs/batch", {
        body: JSON.stringify({ jobs: [{ type: "x", concurrency_key: "k" }, { type: "x" }] }),
      });
      assert.equal(batch.status, 202);
      const ids: string[] = batch.body.jobs.map((job: { job_id: string }) => job.job_id);
      const keys = await Promise.all(
        ids.map(async (id) => (await t.fetch("GET", `/jobs/${id}`)).body.concurrency_key),
      );
      assert.deepEqual(keys, ["k", null]);
      const long = await t.fetch("POST", "/jobs", {
        body: JSON.stringify({ type: "x", concurrency_key: "k".repeat(256) }),
      });
      assert.equal(long.status, 400);
      assert.match(JSON.stringify(long.body.error), /concurrency_key/);
    });

    it("waiting jobs say rate_limited until when, and name a key at its cap", async () => {
      await patch("slow", { rate_limit: { limit: 1, period_seconds: 60 } });
      await patch("capped", { key_concurrency: 1 });
      const submit = async (queue: string, extra: object = {}) =>
        (
          await t.fetch("POST", "/jobs", {
            body: JSON.stringify({ type: "x", queue, ...extra }),
          })
        ).body.job_id as string;
      await submit("slow");
      const second = await submit("slow");
      await submit("capped", { concurrency_key: "user-9" });
      const blocked = await submit("capped", { concurrency_key: "user-9" });
      const claim = (queue: string) =>
        t.spool.store.claimJobs({
          queues: [queue],
          workerId: "w",
          limit: 10,
          leaseMs: 30_000,
          now: Date.now(),
        });
      assert.equal((await claim("slow")).length, 1);
      assert.equal((await claim("capped")).length, 1);
      const limited = (await t.fetch("GET", `/jobs/${second}`)).body.waiting_reason;
      assert.equal(limited.code, "rate_limited");
      assert.match(limited.message, /until \d{4}-\d\d-\d\dT/);
      const keyed = (await t.fetch("GET", `/jobs/${blocked}`)).body.waiting_reason;
      assert.equal(keyed.code, "queue_concurrency");
      assert.match(keyed.message, /key "user-9".*1\/1 running/);
    });
  });
}
