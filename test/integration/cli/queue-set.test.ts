/**
 * `spool queues set NAME --rate 50/s --key-concurrency N` as a real process on a SQLite file
 * (SPEC §7): the settings land in the store, `spool queues` shows them, `none` clears them, and
 * a bad rate exits 2 naming the flag.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { tempSqliteUrl } from "../../helpers/temp-dir.js";
import { runSpool } from "./spool-cli.js";

describe("spool queues set", () => {
  it("sets, shows and clears a rate limit and a per-key cap", async () => {
    const url = tempSqliteUrl();
    const set = await runSpool([
      "queues",
      "set",
      "emails",
      "--rate",
      "50/s",
      "--key-concurrency",
      "3",
      "--url",
      url,
    ]);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /queue emails: rate 50\/s, key concurrency 3/);
    const json = await runSpool([
      "queues",
      "set",
      "emails",
      "--rate",
      "600/m",
      "--json",
      "--url",
      url,
    ]);
    assert.equal(json.code, 0, json.stderr);
    const config = JSON.parse(json.stdout) as { rateLimit: unknown; keyConcurrency: number };
    assert.deepEqual(config.rateLimit, { limit: 600, periodMs: 60_000 });
    assert.equal(config.keyConcurrency, 3);
    const list = await runSpool(["queues", "--url", url]);
    assert.match(list.stdout, /RATE +PER KEY/);
    assert.match(list.stdout, /emails .* 600\/m +3 /);
    const cleared = await runSpool([
      "queues",
      "set",
      "emails",
      "--rate",
      "none",
      "--key-concurrency",
      "none",
      "--url",
      url,
    ]);
    assert.match(cleared.stdout, /rate none, key concurrency none/);
  });

  it("exits 2 naming the flag on a bad rate or cap", async () => {
    const url = tempSqliteUrl();
    const cases: [string[], RegExp][] = [
      [["--rate", "fast"], /--rate/],
      [["--rate", "0/s"], /--rate/],
      [["--key-concurrency", "0"], /--key-concurrency/],
      [[], /--rate, --key-concurrency or --concurrency/],
    ];
    for (const [args, pattern] of cases) {
      const run = await runSpool(["queues", "set", "emails", ...args, "--url", url]);
      assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, pattern);
    }
  });
});
