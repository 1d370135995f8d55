/**
 * The CLI's tiers (SPEC §7): `--config spool.json` is checked and a bad file is reported with
 * the file, the field and the reason (exit 2, for `spool serve` and the tenant commands alike);
 * `spool tenants set T --tier … --weight …`, `spool tenants`, `spool tenants show` and `spool
 * credits` work straight on a store with the configured tiers.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { startTestServer } from "../../helpers/http-server.js";
import { tempDir } from "../../helpers/temp-dir.js";
import { runSpool } from "./spool-cli.js";

function configFile(content: unknown): string {
  const path = join(tempDir(), "spool.json");
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

describe("spool --config and spool tenants", () => {
  it("a bad configuration file stops `spool serve` with the field and the reason", async () => {
    const cases: [unknown, RegExp][] = [
      [{ tiers: { pro: { daily_limit: -1 } } }, /tiers\.pro\.daily_limit: must be 0 or more/],
      [{ tiers: { pro: { daily: 3 } } }, /tiers\.pro\.daily: is not a known setting/],
      [{ tier: {} }, /: tier: is not a known setting/],
      [{ default_tier: "gold" }, /default_tier: "gold" names no configured tier/],
      [{ tiers: { "Big Tier": {} } }, /tiers\.Big Tier: tier names match/],
      ["{not json", /is not JSON/],
    ];
    for (const [content, message] of cases) {
      const path = configFile(content);
      const run = await runSpool([
        "serve",
        "--no-auth",
        "--port",
        "0",
        "--url",
        `sqlite:${join(tempDir(), "spool.db")}`,
        "--config",
        path,
      ]);
      assert.equal(run.code, 2, `${JSON.stringify(content)}: ${run.stderr}`);
      assert.match(run.stderr, /--config: /);
      assert.ok(run.stderr.includes(path), run.stderr);
      assert.match(run.stderr, message);
    }
    const missing = await runSpool(["tenants", "--config", "/nonexistent/spool.json"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--config: cannot read \/nonexistent\/spool\.json/);
  });

  it("tenants set / show / list and credits, straight on the store with --config tiers", async () => {
    const config = configFile({ tiers: { starter: { daily_limit: 2 }, big: {} } });
    const url = `sqlite:${join(tempDir(), "spool.db")}`;
    const common = ["--url", url, "--config", config];
    const set = await runSpool([
      "tenants",
      "set",
      "acme",
      "--tier",
      "starter",
      "--weight",
      "4",
      ...common,
    ]);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stdout, "tenant acme: tier starter, weight 4\n");

    const unknown = await runSpool(["tenants", "set", "acme", "--tier", "pro", ...common]);
    assert.equal(unknown.code, 2, "pro is not among the configured tiers");
    assert.match(unknown.stderr, /--tier: must be one of big, starter/);
    const badWeight = await runSpool(["tenants", "set", "acme", "--weight", "0", ...common]);
    assert.equal(badWeight.code, 2);
    const nothing = await runSpool(["tenants", "set", "acme", ...common]);
    assert.equal(nothing.code, 2);

    const shown = await runSpool(["tenants", "show", "acme", "--json", ...common]);
    assert.equal(shown.code, 0, shown.stderr);
    const view = JSON.parse(shown.stdout);
    assert.deepEqual(
      [view.tier, view.weight, view.limits],
      ["starter", 4, { daily_limit: 2, monthly_limit: null }],
    );

    const enqueued = await runSpool(["enqueue", "x.y", "--url", url]);
    assert.equal(enqueued.code, 0, enqueued.stderr); // tenant default: no tier, unlimited

    const list = await runSpool(["tenants", ...common]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /TENANT\s+TIER\s+WEIGHT/);
    assert.match(list.stdout, /acme\s+starter\s+4\s+0\/2\s+0\/∞/);

    const credits = await runSpool(["credits", "--tenant", "acme", "--json", ...common]);
    assert.equal(credits.code, 0, credits.stderr);
    assert.deepEqual(
      { ...JSON.parse(credits.stdout).credits_info, resets_at: undefined },
      {
        tier: "starter",
        daily_limit: 2,
        daily_used: 0,
        monthly_limit: null,
        monthly_used: 0,
        resets_at: undefined,
      },
    );

    const cleared = await runSpool(["tenants", "set", "acme", "--clear-tier", ...common]);
    assert.equal(cleared.stdout, "tenant acme: tier none, weight 4\n");
  });

  it("through a server: set and show need an admin key; a producer sees its own credits", async () => {
    const t = await startTestServer();
    try {
      const admin = ["--server", t.url, "--token", t.adminKey];
      const set = await runSpool(["tenants", "set", "acme", "--tier", "elite", ...admin]);
      assert.equal(set.code, 0, set.stderr);
      assert.equal(set.stdout, "tenant acme: tier elite, weight 1\n");
      const shown = await runSpool(["tenants", "show", "acme", "--json", ...admin]);
      assert.equal(JSON.parse(shown.stdout).limits.daily_limit, 20);
      const unknown = await runSpool(["tenants", "set", "acme", "--tier", "gold", ...admin]);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /--tier: must be one of elite, free, pro, unlimited/);
      const producer = await t.key("producer", "acme");
      const mine = await runSpool(["credits", "--server", t.url, "--token", producer]);
      assert.equal(mine.code, 0, mine.stderr);
      assert.match(mine.stdout, /acme\s+elite\s+0\/20\s+0\/500/);
      const refused = await runSpool([
        "tenants",
        "set",
        "acme",
        "--weight",
        "3",
        "--server",
        t.url,
        "--token",
        producer,
      ]);
      assert.notEqual(refused.code, 0, "a producer cannot set tenants");
    } finally {
      await t.close();
    }
  });
});
