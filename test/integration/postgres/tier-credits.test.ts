/**
 * Credits are exact across API servers (SPEC §7, issue 13): two `spool serve` processes on one
 * PostgreSQL schema, both started with the same `--config` tiers, take 20 concurrent
 * submissions (10 each) for a tenant whose tier has 10 credits left today: exactly 10 are
 * accepted (202) and 10 refused (429 with `credits_info` and `Retry-After`), the usage is 20,
 * and the refused ones stored nothing. The usage row's lock, taken by the charge inside each
 * submission's transaction, is what serialises the two servers (store/postgres/sql/quotas.ts).
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createSchemaFixture, type SchemaFixture } from "../../helpers/postgres.js";
import { tempDir } from "../../helpers/temp-dir.js";
import { startSpool, type SpoolProcess } from "../cli/spool-cli.js";
import { call, createKey, startServe, type SeedServer } from "../../seeds/seed-harness.js";

const SERVING = /^Spool is serving (http:\/\/\S+)/;

describe("credits across two API servers on one PostgreSQL (real processes)", () => {
  let fixture: SchemaFixture;
  let first: SeedServer;
  let second: SpoolProcess;
  let secondBase: string;

  before(async () => {
    fixture = createSchemaFixture();
    const config = join(tempDir(), "spool.json");
    writeFileSync(
      config,
      JSON.stringify({
        tiers: { hobby: { daily_limit: 1 }, team: { daily_limit: 20, monthly_limit: 500 } },
      }),
    );
    const url = `${fixture.url}?schema=${fixture.schema}`;
    first = await startServe(["--url", url, "--config", config]);
    // The second server finds the admin key the first created: it prints none.
    second = startSpool([
      "serve",
      "--port",
      "0",
      "--log-level",
      "silent",
      "--url",
      url,
      "--config",
      config,
    ]);
    secondBase = SERVING.exec(await second.waitForLine(SERVING, 60_000))![1]!;
  });
  after(async () => {
    second?.child.kill("SIGTERM");
    await second?.exited;
    await first?.stop();
    await fixture?.drop();
  });

  it("20 concurrent submissions over both servers with 10 credits left: exactly 10 accepted", async () => {
    const producer = await createKey(first, "producer", "racer");
    const tier = await call<{ tier: string; limits: { daily_limit: number } }>(
      first,
      "PUT",
      "/tenants/racer",
      { token: first.adminKey, body: { tier: "team" } },
    );
    assert.equal(tier.status, 200);
    assert.deepEqual([tier.body.tier, tier.body.limits.daily_limit], ["team", 20]);
    const servers = [first, { ...first, base: secondBase }];
    const submit = (i: number) =>
      call<{ error?: { code: string }; credits_info?: Record<string, unknown> }>(
        servers[i % 2]!,
        "POST",
        "/jobs",
        { token: producer, body: { type: "spot.simulate", payload: { i } } },
      );
    for (let i = 0; i < 10; i++) assert.equal((await submit(i)).status, 202);

    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => submit(i)));
    const byServer = [0, 1].map((s) =>
      answers.filter((_, i) => i % 2 === s).map((answer) => answer.status),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    assert.deepEqual(
      statuses,
      [...Array(10).fill(202), ...Array(10).fill(429)],
      `per server: ${JSON.stringify(byServer)}`,
    );
    for (const refused of answers.filter((answer) => answer.status === 429)) {
      assert.equal(refused.body.error?.code, "quota_exceeded");
      assert.equal(refused.body.credits_info?.tier, "team");
      assert.equal(refused.body.credits_info?.daily_limit, 20);
      assert.equal(refused.body.credits_info?.daily_used, 20);
      assert.ok(Number(refused.headers.get("retry-after")) > 0);
    }

    for (const server of servers) {
      const credits = await call<{ daily: { used: number; remaining: number } }>(
        server,
        "GET",
        "/credits",
        { token: producer },
      );
      assert.deepEqual(credits.body.daily, { ...credits.body.daily, used: 20, remaining: 0 });
    }
    const jobs = await call<{ jobs: unknown[] }>(first, "GET", "/jobs?limit=100", {
      token: producer,
    });
    assert.equal(jobs.body.jobs.length, 20, "the refused submissions stored nothing");
  });

  it("both servers know the configured tiers (an unknown one is a 400 naming tier)", async () => {
    const other = { ...first, base: secondBase };
    const tiers = await call<{ tiers: { name: string }[] }>(other, "GET", "/tiers", {
      token: first.adminKey,
    });
    assert.deepEqual(
      tiers.body.tiers.map((t) => t.name),
      ["hobby", "team"],
    );
    const bad = await call<{ error: { details: { field: string } } }>(
      other,
      "PUT",
      "/tenants/racer",
      { token: first.adminKey, body: { tier: "pro" } },
    );
    assert.equal(bad.status, 400, "pro is not configured: --config replaced the defaults");
    assert.equal(bad.body.error.details.field, "tier");
  });
});
