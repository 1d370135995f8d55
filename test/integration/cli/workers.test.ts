/**
 * The worker registry from the command line, with real processes: `spool worker --name` is
 * stored exactly as given and a second live worker with that name is refused (exit 4, a clear
 * message); `spool workers` lists it over `--url` and `--server`; a graceful stop frees the
 * name; `spool job ID` says why a job waits.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { tempSqliteUrl } from "../../helpers/temp-dir.js";
import { runSpool, startSpool, type SpoolProcess } from "./spool-cli.js";

const STARTED = /^worker \S+ started/;
const SERVING = /^Spool is serving (http:\/\/\S+)/;
const running: SpoolProcess[] = [];

function spool(args: string[]): SpoolProcess {
  const process = startSpool(args);
  running.push(process);
  return process;
}

after(async () => {
  for (const p of running) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
    await p.exited;
  }
});

describe("spool worker --name and spool workers", () => {
  it("refuses a second live worker with the same name; lists the first by its exact name; a stop frees it", async () => {
    const url = tempSqliteUrl();
    const first = spool(["worker", "--demo", "--name", "worker-1", "--url", url]);
    await first.waitForLine(STARTED);

    const second = await runSpool(["worker", "--demo", "--name", "worker-1", "--url", url]);
    assert.equal(second.code, 4, second.stderr);
    assert.match(second.stderr, /--name worker-1: a live worker with this name is already running/);

    const table = await runSpool(["workers", "--url", url]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^NAME\s+KIND\s+HOST/m);
    assert.match(table.stdout, /^worker-1\s+local\s+/m);
    const json = await runSpool(["workers", "--url", url, "--json"]);
    const { workers } = JSON.parse(json.stdout) as { workers: Record<string, unknown>[] };
    assert.deepEqual(
      workers.map((w) => [w.name, w.kind, w.pid]),
      [["worker-1", "local", first.child.pid]],
    );
    assert.deepEqual([...(workers[0]!.types as string[])].sort(), [
      "demo.flaky",
      "demo.sleep",
      "route.optimize",
    ]);

    first.child.kill("SIGTERM");
    assert.equal((await first.exited).code, 0);
    const empty = await runSpool(["workers", "--url", url]);
    assert.match(empty.stdout, /no live workers/);
    const again = spool(["worker", "--demo", "--name", "worker-1", "--url", url]);
    await again.waitForLine(STARTED);
    again.child.kill("SIGTERM");
    assert.equal((await again.exited).code, 0);
  });

  it("spool workers --server and spool job ID's waiting reason", async () => {
    const url = tempSqliteUrl();
    const serve = spool([
      "serve",
      "--demo",
      "--no-auth",
      "--port",
      "0",
      "--url",
      url,
      "--log-level",
      "silent",
    ]);
    const base = SERVING.exec(await serve.waitForLine(SERVING, 30_000))![1]!;
    const listed = await runSpool(["workers", "--server", base, "--json"]);
    assert.equal(listed.code, 0, listed.stderr);
    const names = (JSON.parse(listed.stdout) as { workers: { name: string }[] }).workers.map(
      (w) => w.name,
    );
    assert.ok(
      names.some((name) => name.startsWith("serve-")),
      `the built-in workers are listed: ${names.join(", ")}`,
    );

    const enqueued = await runSpool([
      "enqueue",
      "nobody.serves",
      "--queue",
      "orphans",
      "--server",
      base,
      "--json",
    ]);
    assert.equal(enqueued.code, 0, enqueued.stderr);
    const id = (JSON.parse(enqueued.stdout) as { id: string }).id;
    for (const connection of [
      ["--server", base],
      ["--url", url],
    ]) {
      const shown = await runSpool(["job", id, ...connection]);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(
        shown.stdout,
        /waiting\s+no live worker serves type "nobody.serves".*\(no_worker\)/,
      );
      const json = await runSpool(["job", id, ...connection, "--json"]);
      assert.equal(
        (JSON.parse(json.stdout) as { waiting_reason: { code: string } }).waiting_reason.code,
        "no_worker",
      );
    }
    serve.child.kill("SIGTERM");
    assert.equal((await serve.exited).code, 0);
  });
});
