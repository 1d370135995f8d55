/**
 * Remote claims by type over HTTP (SPEC §6): `POST /queues/:name/claim {…, types}` takes only
 * jobs of the named types; omitted or `["*"]` takes any; a bad list answers 400 naming the
 * entry and claims nothing; a long-polling claim is not answered by a job of another type.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { HTTP_TEST_STORES, startTestServer, type TestServer } from "../../helpers/http-server.js";

for (const store of HTTP_TEST_STORES) {
  describe(`HTTP claims by type (${store})`, () => {
    let t: TestServer;

    before(async () => {
      t = await startTestServer({ store });
    });
    after(() => t.close());

    const submit = async (type: string, queue: string): Promise<string> => {
      const res = await t.fetch("POST", "/jobs", { body: JSON.stringify({ type, queue }) });
      assert.equal(res.status, 202);
      return res.body.job_id as string;
    };
    const claim = (queue: string, body: Record<string, unknown>) =>
      t.fetch("POST", `/queues/${queue}/claim`, {
        body: JSON.stringify({ worker: "remote-1", max_jobs: 10, ...body }),
      });

    it("takes only the named types; * and an omitted list take any", async () => {
      const mail = await submit("mail.send", "typed");
      const report = await submit("report.build", "typed");
      const video = await submit("video.encode", "typed");
      const first = await claim("typed", { types: ["mail.send", "report.build"] });
      assert.equal(first.status, 200);
      assert.deepEqual(
        (first.body.jobs as { id: string }[]).map((job) => job.id).sort(),
        [mail, report].sort(),
      );
      assert.deepEqual((await claim("typed", { types: ["mail.send"] })).body.jobs, []);
      const waiting = await t.fetch("GET", `/jobs/${video}`);
      assert.equal(waiting.body.status, "queued");
      assert.equal(waiting.body.attempt, 0);
      const any = await claim("typed", { types: ["*"] });
      assert.deepEqual(
        (any.body.jobs as { id: string }[]).map((job) => job.id),
        [video],
      );
      const late = await submit("whatever.type", "typed");
      assert.deepEqual(
        ((await claim("typed", {})).body.jobs as { id: string }[]).map((job) => job.id),
        [late],
      );
    });

    it("refuses a bad list with 400 naming the entry, and claims nothing", async () => {
      const job = await submit("mail.send", "refused");
      const bad: [unknown, string][] = [
        [[], "types"],
        [Array.from({ length: 101 }, (_, i) => `t.${i}`), "types"],
        [["mail.send", "has space"], "types[1]"],
        [["mail.send", ""], "types[1]"],
        [[7], "types[0]"],
        ["mail.send", "types"],
      ];
      for (const [types, field] of bad) {
        const res = await claim("refused", { types });
        assert.equal(res.status, 400, JSON.stringify(types));
        assert.equal(res.body.error.code, "validation_error");
        assert.match(JSON.stringify(res.body.error), new RegExp(field.replace(/[[\]]/g, "\\$&")));
      }
      assert.equal((await t.fetch("GET", `/jobs/${job}`)).body.status, "queued");
      const ok = await claim("refused", { types: Array.from({ length: 100 }, (_, i) => `t.${i}`) });
      assert.equal(ok.status, 200, "100 types are allowed");
    });

    it("a long-polling claim is answered by a job of its types, not by another type", async () => {
      const polling = claim("poll", { types: ["wanted.type"], wait_seconds: 30 });
      await submit("other.type", "poll");
      const wanted = await submit("wanted.type", "poll");
      const res = await polling;
      assert.deepEqual(
        (res.body.jobs as { id: string; type: string }[]).map((job) => job.id),
        [wanted],
      );
    });

    it("the OpenAPI document describes `types` on the claim body", async () => {
      const openapi = await t.fetch("GET", "/openapi.json");
      const body =
        openapi.body.paths["/queues/{name}/claim"].post.requestBody.content["application/json"]
          .schema;
      assert.equal(body.properties.types.type, "array");
    });
  });
}
