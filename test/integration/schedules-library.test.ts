/**
 * The library's cron calls (SPEC §8): `spool.schedule(name, cron, type, payload, opts)` validates
 * every argument (SpoolValidationError naming the field, nothing stored), and a Spool's own
 * maintenance enqueues the ticks of a per-second schedule, one job each.
 */
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { Spool, SpoolNotFoundError, SpoolValidationError } from "../../src/index.js";
import { tempSqliteUrl } from "../helpers/temp-dir.js";
import { waitFor } from "../helpers/wait-for.js";

describe("spool.schedule", () => {
  const opened: Spool[] = [];
  afterEach(async () => {
    for (const spool of opened.splice(0)) await spool.close();
  });
  const open = async (maintenance: boolean) => {
    const spool = await Spool.open({
      url: tempSqliteUrl(),
      maintenance: maintenance ? { cronIntervalMs: 100 } : false,
    });
    opened.push(spool);
    return spool;
  };

  it("names the field of every bad argument and stores nothing", async () => {
    const spool = await open(false);
    const cases: [() => Promise<unknown>, string][] = [
      [() => spool.schedule("bad name!", "* * * * *", "a.b"), "name"],
      [() => spool.schedule("x", "* * * *", "a.b"), "cron"],
      [() => spool.schedule("x", "0 0 31 4 *", "a.b"), "cron"],
      [() => spool.schedule("x", "* * * * *", "a.b", {}, { timezone: "Nowhere/City" }), "timezone"],
      [() => spool.schedule("x", "* * * * *", "not a type"), "type"],
      [() => spool.schedule("x", "* * * * *", "a.b", {}, { priority: 1.5 }), "priority"],
      [() => spool.schedule("x", "* * * * *", "a.b", {}, { queue: "Bad Queue" }), "queue"],
      [() => spool.schedule("x", "* * * * *", "a.b", {}, { delay: 5 } as never), "delay"],
      [() => spool.schedule("x", "* * * * *", "a.b", {}, { uniqueKey: "k" } as never), "uniqueKey"],
      [() => spool.schedule("x", "* * * * *", "a.b", [] as never), "payload"],
    ];
    for (const [call, field] of cases) {
      await assert.rejects(call, (error: unknown) => {
        assert.ok(error instanceof SpoolValidationError, String(error));
        assert.equal(error.field, field);
        return true;
      });
    }
    assert.deepEqual(await spool.schedules(), []);
    await assert.rejects(spool.pauseSchedule("nope"), SpoolNotFoundError);
    assert.equal(await spool.unschedule("nope"), false);
  });

  it("enqueues one job per tick through the Spool's own maintenance", async () => {
    const spool = await open(true);
    const saved = await spool.schedule(
      "beat",
      "* * * * * *",
      "beat.ping",
      { n: 1 },
      {
        queue: "beats",
        tags: ["cron"],
      },
    );
    assert.equal(saved.created, true);
    const jobs = await waitFor(
      async () => {
        const { jobs } = await spool.list({ queue: "beats", limit: 100 });
        return jobs.length >= 3 ? jobs : null;
      },
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    await spool.pauseSchedule("beat");
    const keys = jobs.map((job) => job.uniqueKey);
    assert.equal(new Set(keys).size, keys.length, "one job per tick");
    for (const job of jobs) {
      assert.equal(job.uniqueKey, `schedule:beat:${job.runAt.toISOString()}`);
      assert.deepEqual(job.tags, ["cron"]);
    }
    const stored = await spool.getSchedule("beat");
    assert.equal(stored?.paused, true);
    assert.ok(stored?.lastRunAt !== null);
  });

  it("charges each tick to the tenant's credits under the Spool's configured tiers", async () => {
    const spool = await Spool.open({
      url: tempSqliteUrl(),
      maintenance: { cronIntervalMs: 100 },
      tiers: { metered: { dailyLimit: 2, monthlyLimit: null } },
      defaultTier: "metered",
    });
    opened.push(spool);
    await spool.schedule("metered-beat", "* * * * * *", "beat.ping", {}, { queue: "beats" });
    await waitFor(async () => (await spool.list({ queue: "beats" })).jobs.length >= 2, {
      timeoutMs: 15_000,
    });
    const credits = await spool.credits("default");
    assert.equal(credits.dailyLimit, 2, "the configured tier, not the built-in ones");
    assert.equal(credits.dailyUsed, 2, "each tick's job was charged");
  });
});
