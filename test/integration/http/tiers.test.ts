/**
 * Tiers over HTTP (SPEC §7, seed 004): `PUT /tenants/:tenant {tier, weight}` (admin; unknown
 * tier → 400 naming `tier`, bad weight → 400 naming `weight`, nothing changed), `GET
 * /tenants/:tenant` (a producer: only its own, others 404), `GET /tiers`, the tenants listing,
 * `GET /credits` and the 429's `credits_info` with the real tier name, and 20 concurrent
 * submissions against a tier with 10 credits left: exactly 10 × 202 and 10 × 429 (one server,
 * SQLite; the two-server PostgreSQL run is in test/integration/postgres/tier-credits.test.ts).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "../../helpers/http-server.js";

describe("HTTP: tiers and tenant settings", () => {
  let t: TestServer;

  before(async () => {
    t = await startTestServer({
      spool: {
        tiers: {
          free: { dailyLimit: 1, monthlyLimit: 30 },
          pro: { dailyLimit: 10, monthlyLimit: 100 },
          team: { dailyLimit: 20, monthlyLimit: 500 },
          unlimited: {},
        },
      },
    });
  });
  after(async () => {
    await t?.close();
  });

  const put = (tenant: string, body: unknown, token?: string) =>
    t.fetch("PUT", `/tenants/${tenant}`, {
      body: JSON.stringify(body),
      ...(token === undefined ? {} : { token }),
    });
  const submit = (token: string) =>
    t.fetch("POST", "/jobs", { token, body: JSON.stringify({ type: "spot.simulate" }) });

  it("GET /tiers lists the configured tiers", async () => {
    const answer = await t.fetch("GET", "/tiers");
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.tiers, [
      { name: "free", daily_limit: 1, monthly_limit: 30 },
      { name: "pro", daily_limit: 10, monthly_limit: 100 },
      { name: "team", daily_limit: 20, monthly_limit: 500 },
      { name: "unlimited", daily_limit: null, monthly_limit: null },
    ]);
    assert.equal(answer.body.default_tier, null);
  });

  it("PUT /tenants/:tenant sets tier and weight; GET shows limits and usage", async () => {
    const set = await put("acme", { tier: "pro", weight: 3 });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal(set.body.success, true);
    assert.equal(set.body.tier, "pro");
    assert.equal(set.body.assigned_tier, "pro");
    assert.equal(set.body.weight, 3);
    assert.deepEqual(set.body.limits, { daily_limit: 10, monthly_limit: 100 });
    assert.equal(set.body.quota, null);
    const weightOnly = await put("acme", { weight: 5 });
    assert.deepEqual([weightOnly.body.tier, weightOnly.body.weight], ["pro", 5]);
    const read = await t.fetch("GET", "/tenants/acme");
    assert.equal(read.status, 200);
    assert.equal(read.body.daily.limit, 10);
    assert.equal(read.body.daily.used, 0);
    assert.equal(read.body.credits_info.tier, "pro");
  });

  it("an unknown tier is a 400 naming `tier`; a bad weight one naming `weight`; nothing changes", async () => {
    await put("steady", { tier: "free", weight: 2 });
    const unknown = await put("steady", { tier: "gold", weight: 9 });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.details.field, "tier");
    assert.match(unknown.body.error.message, /free, pro, team, unlimited/);
    for (const weight of [0, 1001, 2.5, "3"]) {
      const bad = await put("steady", { weight });
      assert.equal(bad.status, 400, `weight ${weight}`);
      assert.equal(bad.body.error.details.field, "weight");
    }
    const extra = await put("steady", { tier: "pro", colour: "red" });
    assert.equal(extra.status, 400);
    const read = await t.fetch("GET", "/tenants/steady");
    assert.deepEqual([read.body.tier, read.body.weight], ["free", 2], "bad input changed nothing");
  });

  it("roles: only admins set; a producer reads its own tenant and gets 404 for others", async () => {
    const producer = await t.key("producer", "own-co");
    await put("own-co", { tier: "free" });
    const forbidden = await put("own-co", { tier: "unlimited" }, producer);
    assert.equal(forbidden.status, 403);
    const own = await t.fetch("GET", "/tenants/own-co", { token: producer });
    assert.equal(own.status, 200);
    assert.equal(own.body.tier, "free");
    const other = await t.fetch("GET", "/tenants/acme", { token: producer });
    assert.equal(other.status, 404);
    assert.doesNotMatch(JSON.stringify(other.body), /pro|weight|limit/);
    const worker = await t.key("worker", "own-co");
    assert.equal((await t.fetch("GET", "/tenants/own-co", { token: worker })).status, 403);
  });

  it("a quota overrides the tier: credits_info shows the tier with the override's limit", async () => {
    const producer = await t.key("producer", "capped");
    await put("capped", { tier: "pro" });
    const quota = await t.fetch("PUT", "/tenants/capped/quota", {
      body: JSON.stringify({ daily_limit: 1, monthly_limit: null }),
    });
    assert.equal(quota.status, 200);
    assert.equal(quota.body.credits_info.tier, "pro");
    assert.equal(quota.body.daily.limit, 1);
    assert.equal(quota.body.monthly.limit, 100, "monthly from the tier");
    assert.equal((await submit(producer)).status, 202);
    const refused = await submit(producer);
    assert.equal(refused.status, 429);
    assert.deepEqual(
      { ...refused.body.credits_info, resets_at: undefined },
      {
        tier: "pro",
        daily_limit: 1,
        daily_used: 1,
        monthly_limit: 100,
        monthly_used: 1,
        resets_at: undefined,
      },
    );
    const tenant = await t.fetch("GET", "/tenants/capped");
    assert.deepEqual(tenant.body.quota, { daily_limit: 1, monthly_limit: null });
    assert.deepEqual(tenant.body.limits, { daily_limit: 1, monthly_limit: 100 });
  });

  it("20 concurrent submissions with 10 credits left: exactly 10 × 202 and 10 × 429", async () => {
    const producer = await t.key("producer", "racer");
    await put("racer", { tier: "team" }); // 20 a day
    for (let i = 0; i < 10; i++) assert.equal((await submit(producer)).status, 202);
    const answers = await Promise.all(Array.from({ length: 20 }, () => submit(producer)));
    const statuses = answers.map((a) => a.status).sort();
    assert.deepEqual(statuses, [...Array(10).fill(202), ...Array(10).fill(429)]);
    for (const refused of answers.filter((a) => a.status === 429)) {
      assert.equal(refused.body.error.code, "quota_exceeded");
      assert.equal(refused.body.credits_info.tier, "team");
      assert.equal(refused.body.credits_info.daily_limit, 20);
      assert.equal(refused.body.credits_info.daily_used, 20);
      assert.ok(Number(refused.headers.get("retry-after")) > 0);
    }
    const credits = await t.fetch("GET", "/credits", { token: producer });
    assert.equal(credits.body.daily.used, 20);
    assert.equal(credits.body.daily.remaining, 0);
    const jobs = await t.fetch("GET", "/jobs?limit=100", { token: producer });
    assert.equal(jobs.body.jobs.length, 20, "a refused submission stored nothing");
  });

  it("the tenants listing shows tier, weight and quota", async () => {
    const listing = await t.fetch("GET", "/tenants");
    assert.equal(listing.status, 200);
    const acme = listing.body.tenants.find((x: { tenant: string }) => x.tenant === "acme");
    assert.ok(acme, "a tenant with settings is listed even without keys or jobs");
    assert.deepEqual([acme.tier, acme.weight, acme.quota], ["pro", 5, null]);
    assert.equal(acme.daily.limit, 10);
    const capped = listing.body.tenants.find((x: { tenant: string }) => x.tenant === "capped");
    assert.deepEqual(capped.quota, { daily_limit: 1, monthly_limit: null });
  });

  it("tier null clears the tenant's tier: back to unlimited and uncounted", async () => {
    const producer = await t.key("producer", "leaver");
    await put("leaver", { tier: "free" });
    assert.equal((await submit(producer)).status, 202);
    assert.equal((await submit(producer)).status, 429);
    const cleared = await put("leaver", { tier: null });
    assert.equal(cleared.body.tier, null);
    assert.equal(cleared.body.credits_info.tier, null);
    assert.equal((await submit(producer)).status, 202);
  });
});
