/**
 * The cron schedule routes (SPEC §8) on both stores: create or replace, list with next and last
 * run, pause/resume/delete, 400s naming the field with nothing stored, roles, and tenant
 * isolation (another tenant's schedule answers 404, and same names never collide). Ticks are
 * driven with a fake clock through `runMaintenance`.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FakeClock } from "../../helpers/fake-clock.js";
import { HTTP_TEST_STORES, startTestServer, type TestServer } from "../../helpers/http-server.js";

for (const kind of HTTP_TEST_STORES) {
  describe(`schedule routes (${kind})`, () => {
    let t: TestServer;
    const clock = new FakeClock(Date.UTC(2030, 0, 1));
    let acme: string;
    let globex: string;
    let worker: string;
    before(async () => {
      t = await startTestServer({ store: kind, spool: { clock, maintenance: false } });
      acme = await t.key("producer", "acme");
      globex = await t.key("producer", "globex");
      worker = await t.key("worker", "acme");
    });
    after(async () => t.close());

    const put = (name: string, body: unknown, token = acme, query = "") =>
      t.fetch("PUT", `/schedules/${name}${query}`, { token, body: JSON.stringify(body) });

    it("creates (201), replaces (200) and shows next and last run", async () => {
      const created = await put("nightly", {
        cron: "0 3 * * *",
        type: "report.build",
        payload: { format: "pdf" },
        queue: "reports",
        timezone: "Europe/Berlin",
        options: { priority: 3, max_attempts: 2, timeout_seconds: 90, tags: ["cron"] },
      });
      assert.equal(created.status, 201);
      assert.equal(created.body.success, true);
      assert.equal(created.body.created, true);
      assert.equal(created.body.tenant, "acme");
      assert.equal(created.body.next_run_at, "2030-01-01T02:00:00.000Z");
      assert.equal(created.body.last_run_at, null);
      assert.deepEqual(created.body.options, {
        priority: 3,
        max_attempts: 2,
        timeout_seconds: 90,
        tags: ["cron"],
        webhook_url: null,
      });
      const replaced = await put("nightly", { cron: "*/10 * * * * *", type: "report.build" });
      assert.equal(replaced.status, 200);
      assert.equal(replaced.body.created, false);
      assert.equal(replaced.body.queue, "default");
      assert.equal(replaced.body.timezone, "UTC");
      clock.advance(25_000);
      await t.spool.runMaintenance(clock.now());
      const one = await t.fetch("GET", "/schedules/nightly", { token: acme });
      assert.equal(one.status, 200);
      assert.equal(one.body.last_run_at, "2030-01-01T00:00:20.000Z");
      assert.equal(one.body.next_run_at, "2030-01-01T00:00:30.000Z");
      const job = await t.fetch("GET", `/jobs/${one.body.last_job_id}`, { token: acme });
      assert.equal(job.status, 200);
      assert.equal(job.body.unique_key, "schedule:nightly:2030-01-01T00:00:20.000Z");
      const list = await t.fetch("GET", "/schedules", { token: acme });
      assert.equal(list.body.count, 1);
      assert.equal(list.body.schedules[0].last_run_at, "2030-01-01T00:00:20.000Z");
    });

    it("answers 400 naming the field for a bad cron, time zone or type, storing nothing", async () => {
      const cases: [unknown, string][] = [
        [{ cron: "61 * * * *", type: "a.b" }, "cron"],
        [{ cron: "every minute", type: "a.b" }, "cron"],
        [{ cron: "0 0 30 2 *", type: "a.b" }, "cron"],
        [{ cron: "* * * * *", type: "a.b", timezone: "Mars/Olympus" }, "timezone"],
        [{ cron: "* * * * *", type: "bad type!" }, "type"],
        [{ cron: "* * * * *", type: "a.b", options: { priority: 5000 } }, "options.priority"],
      ];
      for (const [body, field] of cases) {
        const answer = await put("bad-one", body, globex);
        assert.equal(answer.status, 400, JSON.stringify(body));
        assert.equal(answer.body.success, false);
        assert.match(JSON.stringify(answer.body.error), new RegExp(field.replace(".", "\\.")));
      }
      const bad = await put("bad name!", { cron: "* * * * *", type: "a.b" }, globex);
      assert.equal(bad.status, 400);
      const list = await t.fetch("GET", "/schedules", { token: globex });
      assert.deepEqual(list.body.schedules, []);
    });

    it("keeps tenants apart: 404 for another tenant's schedule, same names independent", async () => {
      await put("shared-name", { cron: "0 * * * *", type: "a.b" }, acme);
      for (const [method, path] of [
        ["GET", "/schedules/shared-name"],
        ["DELETE", "/schedules/shared-name"],
        ["POST", "/schedules/shared-name/pause"],
        ["POST", "/schedules/shared-name/resume"],
      ] as const) {
        const answer = await t.fetch(method, path, { token: globex });
        assert.equal(answer.status, 404, `${method} ${path}`);
      }
      const tried = await put(
        "shared-name",
        { cron: "0 * * * *", type: "a.b" },
        globex,
        "?tenant=acme",
      );
      assert.equal(tried.status, 201, "a producer's ?tenant= is ignored: it creates its own");
      assert.equal(tried.body.tenant, "globex");
      const mine = await t.fetch("GET", "/schedules/shared-name", { token: acme });
      assert.equal(mine.body.cron, "0 * * * *");
      assert.equal(mine.body.tenant, "acme");
      const all = await t.fetch("GET", "/schedules");
      const names = all.body.schedules.map(
        (s: { tenant: string; name: string }) => `${s.tenant}/${s.name}`,
      );
      assert.ok(names.includes("acme/shared-name") && names.includes("globex/shared-name"));
      const admin = await t.fetch("GET", "/schedules/shared-name?tenant=globex");
      assert.equal(admin.body.tenant, "globex");
      assert.equal((await t.fetch("GET", "/schedules", { token: worker })).status, 403);
      assert.equal(
        (await t.fetch("DELETE", "/schedules/shared-name", { token: globex })).status,
        200,
      );
      assert.equal((await t.fetch("GET", "/schedules/shared-name", { token: acme })).status, 200);
    });

    it("pauses, resumes and deletes", async () => {
      await put("pausable", { cron: "* * * * *", type: "a.b" });
      const paused = await t.fetch("POST", "/schedules/pausable/pause", { token: acme });
      assert.equal(paused.status, 200);
      assert.equal(paused.body.paused, true);
      const resumed = await t.fetch("POST", "/schedules/pausable/resume", { token: acme });
      assert.equal(resumed.body.paused, false);
      assert.ok(Date.parse(resumed.body.next_run_at) > clock.now());
      const deleted = await t.fetch("DELETE", "/schedules/pausable", { token: acme });
      assert.deepEqual(deleted.body, { success: true, name: "pausable", deleted: true });
      assert.equal((await t.fetch("DELETE", "/schedules/pausable", { token: acme })).status, 404);
    });
  });
}
