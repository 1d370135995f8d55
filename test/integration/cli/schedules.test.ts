/**
 * `spool schedules` (SPEC §8): set, list with next and last run, pause, resume and delete, over
 * a store (`--url`) and over a server (`--server`), with exit code 2 naming the flag for a bad
 * expression or time zone (and nothing stored) and 3 for an unknown schedule.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startTestServer } from "../../helpers/http-server.js";
import { tempSqliteUrl } from "../../helpers/temp-dir.js";
import { runSpool } from "./spool-cli.js";

describe("spool schedules", () => {
  it("sets, lists, pauses, resumes and deletes over --url, refusing bad input", async () => {
    const url = tempSqliteUrl();
    const set = await runSpool([
      "schedules",
      "set",
      "nightly",
      "--cron",
      "0 3 * * *",
      "--timezone",
      "Europe/Berlin",
      "--type",
      "report.build",
      "--payload",
      '{"format":"pdf"}',
      "--url",
      url,
    ]);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /^created schedule nightly; next run \d{4}-\d\d-\d\dT0[12]:00:00/);
    const bad = await Promise.all([
      runSpool(["schedules", "set", "x", "--cron", "61 * * * *", "--type", "a", "--url", url]),
      runSpool(
        ["schedules", "set", "x", "--cron", "* * * * *", "--type", "a"].concat([
          "--timezone",
          "Mars/Olympus",
          "--url",
          url,
        ]),
      ),
    ]);
    assert.equal(bad[0]!.code, 2);
    assert.match(bad[0]!.stderr, /--cron/);
    assert.equal(bad[1]!.code, 2);
    assert.match(bad[1]!.stderr, /--timezone/);
    const list = await runSpool(["schedules", "--url", url]);
    assert.equal(list.code, 0);
    const [header, ...rows] = list.stdout.trimEnd().split("\n");
    assert.match(header!, /NAME\s+CRON\s+TIMEZONE\s+TYPE\s+QUEUE\s+STATE\s+NEXT RUN\s+LAST RUN/);
    assert.equal(rows.length, 1, "the refused schedule was not stored");
    assert.match(
      rows[0]!,
      /^nightly\s+0 3 \* \* \*\s+Europe\/Berlin\s+report\.build\s+default\s+active/,
    );
    const paused = await runSpool(["schedules", "pause", "nightly", "--json", "--url", url]);
    assert.equal((JSON.parse(paused.stdout) as { paused: boolean }).paused, true);
    const resumed = await runSpool(["schedules", "resume", "nightly", "--json", "--url", url]);
    assert.equal((JSON.parse(resumed.stdout) as { paused: boolean }).paused, false);
    assert.equal((await runSpool(["schedules", "delete", "nightly", "--url", url])).code, 0);
    const gone = await runSpool(["schedules", "delete", "nightly", "--url", url]);
    assert.equal(gone.code, 3);
    assert.match(gone.stderr, /schedule nightly not found/);
  });

  it("works the same over --server with a producer key", async () => {
    const t = await startTestServer();
    try {
      const env = { SPOOL_TOKEN: await t.key("producer", "acme") };
      const set = await runSpool(
        ["schedules", "set", "tick", "--cron", "*/10 * * * * *", "--type", "ping"].concat([
          "--server",
          t.url,
          "--json",
        ]),
        { env },
      );
      assert.equal(set.code, 0, set.stderr);
      const saved = JSON.parse(set.stdout) as { tenant: string; created: boolean };
      assert.equal(saved.tenant, "acme");
      assert.equal(saved.created, true);
      const list = await runSpool(["schedules", "--server", t.url, "--json"], { env });
      const all = JSON.parse(list.stdout) as { name: string; nextRunAt: string }[];
      assert.deepEqual(
        all.map((s) => s.name),
        ["tick"],
      );
      const missing = await runSpool(["schedules", "pause", "nope", "--server", t.url], { env });
      assert.equal(missing.code, 3);
      assert.match(missing.stderr, /schedule nope not found/);
    } finally {
      await t.close();
    }
  });
});
