/**
 * Seed 004 (PLOSolver: async jobs with per-tier credits) with its own frontend functions
 * (fixtures/seed004-frontend.mjs, the seed's code but for two URLs) against a real `spool
 * serve` with auth on: a producer whose tenant has the Free tier's limits (1 job a day, 30 a
 * month — the seed's table) submits one spot simulation (202, its job object back, then read
 * with `monitorJob`), and a second one is refused with 429. The seed's handler reads
 * `error.response.data.credits_info`, so the 429 body carries `credits_info {tier, daily_limit,
 * daily_used, monthly_limit, monthly_used, resets_at}` (SPEC §6/§7), besides `Retry-After`, the
 * error shape, `success: false` and snake_case details. The refused call consumed nothing
 * (seed: "Failed job submissions don't consume credits").
 *
 * The limits are set with `PUT /tenants/:tenant/quota` (a per-tenant quota overrides the tier,
 * SPEC §7), so the test does not depend on how tiers are configured; `tier` must still be named.
 * A second server without `--config` shows that the seed's tier table is the default
 * configuration: a tenant put on `free` gets one job a day, and the 429 names `free`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { tempDir } from "../helpers/temp-dir.js";
import { call, createKey, runNode, startServe, type SeedServer } from "./seed-harness.js";

interface Seen {
  first: { id: string; status: string; type: string; tenant: string };
  monitored: { id: string; status: string; type: string };
  refused: {
    status: number;
    headers: Record<string, string>;
    data: {
      success?: boolean;
      credits_info?: Record<string, unknown>;
      error: { code: string; message: string; details?: Record<string, unknown> };
    };
  } | null;
  logged: unknown[][];
}

interface Period {
  limit: number | null;
  used: number;
  resets_at: string;
}

/** `GET /credits`: today's `{daily, monthly}` periods, or the `credits_info` SPEC §7 names. */
interface CreditsAnswer {
  daily?: Period;
  monthly?: Period;
  credits_info?: { daily_used: number; monthly_used: number; resets_at: string };
}

/** Used counts and the daily reset from either shape of `GET /credits`. */
function usage(body: CreditsAnswer): { daily: number; monthly: number; dailyResetsAt: string } {
  if (body.credits_info)
    return {
      daily: body.credits_info.daily_used,
      monthly: body.credits_info.monthly_used,
      dailyResetsAt: body.credits_info.resets_at,
    };
  return {
    daily: body.daily!.used,
    monthly: body.monthly!.used,
    dailyResetsAt: body.daily!.resets_at,
  };
}

const TENANT = "plo-free-player";

describe("seed 004: credits exhaustion answers 429 with credits_info", () => {
  let server: SeedServer;
  let producer: string;

  before(async () => {
    server = await startServe(["--url", `sqlite:${join(tempDir(), "spool.db")}`]);
    producer = await createKey(server, "producer", TENANT);
    const quota = await call(server, "PUT", `/tenants/${TENANT}/quota`, {
      token: server.adminKey,
      body: { daily_limit: 1, monthly_limit: 30 },
    });
    assert.equal(quota.status, 200);
  });
  after(async () => {
    await server?.stop();
  });

  it("the seed's submitSpotSimulation and monitorJob: one job fits, the next is a 429 the seed can read", async () => {
    const run = await runNode("seed004-frontend.mjs", {
      SPOOL_API_URL: server.base,
      SPOOL_TOKEN: producer,
    });
    assert.equal(run.code, 0, run.stderr);
    const seen = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as Seen;

    // The first submission: 202, `response.data.job` is the job object with ID and status.
    assert.match(seen.first.id, /^[0-9a-f-]{36}$/);
    assert.equal(seen.first.status, "queued");
    assert.equal(seen.first.type, "spot.simulate");
    assert.equal(seen.first.tenant, TENANT);
    assert.equal(seen.monitored.id, seen.first.id, "monitorJob reads response.data.job");
    assert.equal(seen.monitored.status, "queued");

    // The second: refused for credits.
    const refused = seen.refused;
    assert.ok(refused, "the second submission was refused");
    assert.equal(refused.status, 429);
    assert.equal(refused.data.error.code, "quota_exceeded");
    const retryAfter = Number(refused.headers["retry-after"]);
    assert.ok(Number.isInteger(retryAfter) && retryAfter > 0, `Retry-After ${retryAfter}`);

    // Nothing consumed by the refusal; one job stored.
    const credits = await call<CreditsAnswer>(server, "GET", "/credits", { token: producer });
    assert.equal(credits.status, 200);
    const used = usage(credits.body);
    assert.equal(used.daily, 1);
    assert.equal(used.monthly, 1);
    const listed = await call<{ jobs: { id: string }[] }>(server, "GET", "/jobs", {
      token: producer,
    });
    assert.deepEqual(
      listed.body.jobs.map((job) => job.id),
      [seen.first.id],
    );

    // SPEC §6: credits_info in the 429, as the seed's handler reads it.
    const info = refused.data.credits_info;
    assert.ok(info, `the 429 body carries credits_info: ${JSON.stringify(refused.data)}`);
    assert.deepEqual(Object.keys(info).sort(), [
      "daily_limit",
      "daily_used",
      "monthly_limit",
      "monthly_used",
      "resets_at",
      "tier",
    ]);
    assert.equal(typeof info.tier, "string");
    assert.notEqual(info.tier, "");
    assert.equal(info.daily_limit, 1);
    assert.equal(info.daily_used, 1);
    assert.equal(info.monthly_limit, 30);
    assert.equal(info.monthly_used, 1);
    assert.equal(
      info.resets_at,
      used.dailyResetsAt,
      "resets_at: when the exhausted (daily) period resets",
    );
    assert.deepEqual(
      seen.logged,
      [["Credits exhausted:", info]],
      "the seed's handler logged the credits_info",
    );
    assert.equal(refused.data.success, false, "every JSON response carries success (SPEC §6)");
    for (const key of Object.keys(refused.data.error.details ?? {}))
      assert.match(key, /^[a-z0-9_]+$/, `error details are snake_case (SPEC §6): ${key}`);
  });
});

describe("seed 004: the seed's tier table is the default configuration", () => {
  let server: SeedServer;

  before(async () => {
    server = await startServe(["--url", `sqlite:${join(tempDir(), "spool.db")}`]);
  });
  after(async () => {
    await server?.stop();
  });

  it("Free 1/30, Pro 10/100, Elite 20/500; a Free tenant's second job of the day is a 429 naming its tier", async () => {
    const tiers = await call<{ tiers: { name: string; daily_limit: number | null }[] }>(
      server,
      "GET",
      "/tiers",
      { token: server.adminKey },
    );
    assert.deepEqual(tiers.body.tiers, [
      { name: "elite", daily_limit: 20, monthly_limit: 500 },
      { name: "free", daily_limit: 1, monthly_limit: 30 },
      { name: "pro", daily_limit: 10, monthly_limit: 100 },
      { name: "unlimited", daily_limit: null, monthly_limit: null },
    ]);
    const set = await call(server, "PUT", "/tenants/plo-player", {
      token: server.adminKey,
      body: { tier: "free" },
    });
    assert.equal(set.status, 200);
    const producer = await createKey(server, "producer", "plo-player");
    const submit = () =>
      call<{ credits_info?: Record<string, unknown> }>(server, "POST", "/jobs", {
        token: producer,
        body: { type: "spot.simulate", payload: {} },
      });
    assert.equal((await submit()).status, 202);
    const refused = await submit();
    assert.equal(refused.status, 429);
    assert.deepEqual(
      { ...refused.body.credits_info, resets_at: undefined },
      {
        tier: "free",
        daily_limit: 1,
        daily_used: 1,
        monthly_limit: 30,
        monthly_used: 1,
        resets_at: undefined,
      },
    );
  });
});
