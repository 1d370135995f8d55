/**
 * The `spool` job, queue and schema commands as real processes on a SQLite file: bad flags exit
 * 2 naming the flag, `--json` output parses, an unknown job exits 3, a state conflict exits 4,
 * human output is an aligned table without colour off a terminal (and with NO_COLOR), payload
 * schemas of a handler module are enforced at submit time, migrations apply and print.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { JobResource } from "../../../src/http/contracts.js";
import { tempSqliteUrl } from "../../helpers/temp-dir.js";
import { runSpool } from "./spool-cli.js";

const NO_JOB = "01900000-0000-7000-8000-000000000000";
const ESC = "\u001b[";

describe("spool commands", () => {
  it("exits 2 and names the flag on bad input", async () => {
    const url = tempSqliteUrl();
    const cases: [string[], RegExp][] = [
      [["enqueue", "demo.sleep", "--priority", "high"], /--priority/],
      [["enqueue", "demo.sleep", "--payload", "{not json"], /--payload: .*not valid JSON/],
      [["enqueue", "demo.sleep", "--payload", "[1, 2]"], /--payload: must be a JSON object/],
      [["enqueue", "demo.sleep", "--delay", "soon"], /--delay/],
      [["enqueue", "demo.sleep", "--queue", "Bad Queue"], /--queue/],
      [["enqueue", "bad type!"], /TYPE: must match/],
      [["worker", "--concurrency", "0", "--demo"], /--concurrency/],
      [["worker", "--queues", "a,B"], /--queues/],
      [["worker"], /--handlers: is required/],
      [["worker", "--handlers", "./no/such/module.ts"], /--handlers: cannot load/],
      [["jobs", "--status", "sleeping"], /--status: unknown status "sleeping"/],
      [["job", "not-a-uuid"], /ID: must be a job id/],
      [["jobs", "--frobnicate"], /unknown option '--frobnicate'/],
      [["frobnicate"], /unknown command 'frobnicate'/],
      [["stats"], /--url: unsupported store URL/],
    ];
    const runs = await Promise.all(
      cases.map(([args]) => runSpool([...args, "--url", args[0] === "stats" ? "mysql://x" : url])),
    );
    runs.forEach((run, i) => {
      const [args, pattern] = cases[i]!;
      assert.equal(run.code, 2, `spool ${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, pattern, `spool ${args.join(" ")}`);
      assert.equal(run.stdout, "", `spool ${args.join(" ")} must not print results`);
    });
  });

  it("prints JSON that parses, and exits 3 for unknown jobs and 4 for conflicts", async () => {
    const url = tempSqliteUrl();
    const json = async (...args: string[]): Promise<unknown> => {
      const run = await runSpool([...args, "--json", "--url", url]);
      assert.equal(run.code, 0, `spool ${args.join(" ")}: ${run.stderr}`);
      return JSON.parse(run.stdout) as unknown;
    };
    const migrated = (await json("migrate")) as { version: number };
    assert.ok(migrated.version >= 1);

    const job = (await json(
      "enqueue",
      "demo.sleep",
      "--payload",
      '{"seconds": 2}',
      "--queue",
      "naps",
      "--priority",
      "7",
      "--delay",
      "1h",
      "--tag",
      "a",
      "--tag",
      "b",
      "--unique-key",
      "nap-1",
      "--max-attempts",
      "4",
      "--timeout",
      "90",
    )) as JobResource & { duplicate: boolean };
    assert.equal(job.type, "demo.sleep");
    assert.equal(job.queue, "naps");
    assert.equal(job.priority, 7);
    assert.equal(job.status, "scheduled");
    assert.deepEqual(job.tags, ["a", "b"]);
    assert.equal(job.max_attempts, 4);
    assert.equal(job.timeout_seconds, 90, "the HTTP resource's shape and units");
    assert.equal(job.duplicate, false);
    const again = (await json(
      "enqueue",
      "demo.sleep",
      "--queue",
      "naps",
      "--unique-key",
      "nap-1",
    )) as {
      id: string;
      duplicate: boolean;
    };
    assert.deepEqual([again.id, again.duplicate], [job.id, true]);

    const [pageJson, shownJson, statsJson] = await Promise.all([
      json("jobs", "--queue", "naps", "--status", "scheduled,queued"),
      json("job", job.id),
      json("stats", "--queue", "naps"),
    ]);
    const page = pageJson as { jobs: JobResource[]; next_cursor: string | null };
    assert.deepEqual(
      page.jobs.map((j) => j.id),
      [job.id],
    );
    const shown = shownJson as JobResource;
    assert.deepEqual(shown.payload, { seconds: 2 });
    const stats = statsJson as { scheduled: number; total_jobs: number };
    assert.deepEqual([stats.scheduled, stats.total_jobs], [1, 1]);

    const cancelled = (await json("cancel", job.id)) as JobResource;
    assert.equal(cancelled.status, "cancelled");
    const conflict = await runSpool(["cancel", job.id, "--url", url]);
    assert.equal(conflict.code, 4, conflict.stderr);
    const retried = (await json("retry", job.id)) as JobResource;
    assert.equal(retried.status, "queued");
    const notFailed = await runSpool(["retry", job.id, "--url", url]);
    assert.equal(notFailed.code, 4, notFailed.stderr);

    const commands = ["job", "cancel", "retry"];
    const missing = await Promise.all(commands.map((c) => runSpool([c, NO_JOB, "--url", url])));
    missing.forEach((run, i) => {
      assert.equal(run.code, 3, `${commands[i]}: ${run.stderr}`);
      assert.match(run.stderr, /not found/);
    });

    const paused = (await json("queues", "pause", "naps")) as { name: string; paused: boolean };
    assert.deepEqual([paused.name, paused.paused], ["naps", true]);
    const queues = (await json("queues")) as {
      name: string;
      paused: boolean;
      counts: { queued: number };
    }[];
    const naps = queues.find((q) => q.name === "naps")!;
    assert.deepEqual([naps.paused, naps.counts.queued], [true, 1]);
    const resumed = (await json("queues", "resume", "naps")) as { paused: boolean };
    assert.equal(resumed.paused, false);
  });

  it("prints aligned tables without colour off a terminal, and honours NO_COLOR", async () => {
    const url = tempSqliteUrl();
    for (const type of ["demo.sleep", "demo.flaky"]) {
      assert.equal((await runSpool(["enqueue", type, "--url", url])).code, 0);
    }
    const plain = await runSpool(["jobs", "--url", url]);
    assert.equal(plain.code, 0, plain.stderr);
    const [header, ...rows] = plain.stdout.trimEnd().split("\n");
    assert.match(header!, /^ID\s+TYPE\s+QUEUE\s+STATUS\s+PROGRESS\s+ATTEMPT\s+CREATED/);
    assert.equal(rows.length, 2);
    const column = header!.indexOf("STATUS");
    for (const row of rows) assert.match(row.slice(column), /^queued /, "columns line up");
    assert.ok(!plain.stdout.includes(ESC), "no colour codes off a terminal");

    const forced = await runSpool(["stats", "--url", url], { env: { FORCE_COLOR: "1" } });
    assert.ok(forced.stdout.includes(ESC));
    const noColor = await runSpool(["stats", "--url", url], {
      env: { FORCE_COLOR: "1", NO_COLOR: "1" },
    });
    assert.ok(!noColor.stdout.includes(ESC));
    assert.match(noColor.stdout, /^queued\s+2$/m);
  });

  it("reads the store URL from SPOOL_URL, then DATABASE_URL", async () => {
    const [first, second] = [tempSqliteUrl(), tempSqliteUrl()];
    await runSpool(["enqueue", "x.one", "--url", first]);
    const viaSpoolUrl = await runSpool(["stats", "--json"], {
      env: { SPOOL_URL: first, DATABASE_URL: second },
    });
    assert.equal((JSON.parse(viaSpoolUrl.stdout) as { total_jobs: number }).total_jobs, 1);
    const viaDatabaseUrl = await runSpool(["stats", "--json"], { env: { DATABASE_URL: second } });
    assert.equal((JSON.parse(viaDatabaseUrl.stdout) as { total_jobs: number }).total_jobs, 0);
  });

  it("enforces a handler module's payload schema and defaults at submit time", async () => {
    const url = tempSqliteUrl();
    const bad = await runSpool([
      "enqueue",
      "demo.sleep",
      "--handlers",
      "src/demo/handlers.ts",
      "--payload",
      '{"seconds": "five"}',
      "--url",
      url,
    ]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--payload \(payload\.seconds\)/);
    const stdin = await runSpool(
      [
        "enqueue",
        "report.build",
        "--handlers",
        "examples/handlers.example.ts",
        "--payload",
        "-",
        "--json",
        "--url",
        url,
      ],
      { input: '{"month": "2024-06"}' },
    );
    assert.equal(stdin.code, 0, stdin.stderr);
    const job = JSON.parse(stdin.stdout) as JobResource;
    assert.equal(job.queue, "reports", "the type's queue from the module");
    assert.equal(job.timeout_seconds, 120, "the type's timeout from the module");
  });

  it("--no-migrate on a store without its schema says to run spool migrate", async () => {
    const run = await runSpool([
      "worker",
      "--demo",
      "--burst",
      "--no-migrate",
      "--url",
      tempSqliteUrl(),
    ]);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /schema is missing or out of date \(run `spool migrate`/);
  });

  it("applies migrations once and prints their SQL", async () => {
    const url = tempSqliteUrl();
    const first = await runSpool(["migrate", "--url", url]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /applied migration/);
    const second = await runSpool(["migrate", "--url", url]);
    assert.match(second.stdout, /schema is up to date/);
    const printed = await runSpool(["migrate", "--print", "--url", "sqlite:./unused.db"]);
    assert.equal(printed.code, 0, printed.stderr);
    assert.match(printed.stdout, /^-- 0001_init\.sql$/m);
    assert.match(printed.stdout, /CREATE TABLE/i);
  });

  it("has --help with examples on every command", async () => {
    const commands = [
      [],
      ["worker"],
      ["enqueue"],
      ["jobs"],
      ["job"],
      ["cancel"],
      ["retry"],
      ["stats"],
      ["migrate"],
      ["queues"],
      ["logs"],
    ];
    const runs = await Promise.all(commands.map((c) => runSpool([...c, "--help"])));
    runs.forEach((run, i) => {
      assert.equal(run.code, 0, commands[i]!.join(" "));
      assert.match(
        run.stdout,
        /Examples:\n {2}\$ spool /,
        `spool ${commands[i]!.join(" ")} --help`,
      );
    });
  });
});
