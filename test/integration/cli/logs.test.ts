/**
 * `spool logs ID [--follow]` with the real binary (SPEC §8 "Job logs"): lines grouped by
 * attempt; `--follow` prints lines as the running job writes them and exits 0 once the job is
 * final, over `--url` (the store) and `--server` (HTTP); an unknown job exits 3.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Spool, type JobContext, type Worker } from "../../../src/index.js";
import { startTestServer, type TestServer } from "../../helpers/http-server.js";
import { tempSqliteUrl } from "../../helpers/temp-dir.js";
import { waitFor } from "../../helpers/wait-for.js";
import { runSpool, startSpool } from "./spool-cli.js";

/** A handler that logs, then waits for the test to let it go on (by job id). */
function gatedHandlers(gates: Map<string, () => void>) {
  return {
    "gated.logs": async (job: { id: string }, ctx: JobContext) => {
      ctx.log(`attempt ${ctx.attempt}: before the gate`);
      if (ctx.attempt === 1) throw new Error("first attempt fails");
      await new Promise<void>((resolve) => gates.set(job.id, resolve));
      ctx.log(`attempt ${ctx.attempt}: after the gate`, { level: "warn" });
      return { ok: true };
    },
  };
}

describe("spool logs", () => {
  const gates = new Map<string, () => void>();
  let spool: Spool;
  let worker: Worker;
  let url: string;
  let server: TestServer;
  let serverWorker: Worker;

  before(async () => {
    url = tempSqliteUrl();
    spool = await Spool.open({ url, random: () => 0, maintenance: { promoteIntervalMs: 20 } });
    worker = spool.worker({ handlers: gatedHandlers(gates), pollIntervalMs: 20 });
    await worker.start();
    server = await startTestServer({
      spool: { random: () => 0, maintenance: { promoteIntervalMs: 20 } },
    });
    serverWorker = server.spool.worker({ handlers: gatedHandlers(gates), pollIntervalMs: 20 });
    await serverWorker.start();
  });
  after(async () => {
    for (const release of gates.values()) release();
    await worker.stop();
    await spool.close();
    await serverWorker.stop();
    await server.close();
  });

  const gateOf = (id: string) => waitFor(() => gates.get(id), { timeoutMs: 10_000 });

  it("--follow prints lines as they come and exits when the job is final (--url)", async () => {
    const job = await spool.enqueue("gated.logs", {}, { maxAttempts: 2 });
    const release = await gateOf(job.id);
    const follow = startSpool(["logs", job.id, "--follow", "--url", url]);
    await follow.waitForLine(/attempt 2: before the gate/);
    assert.equal(follow.child.exitCode, null, "still following while the job runs");
    release();
    const run = await follow.exited;
    assert.equal(run.code, 0, run.stderr);
    const text = run.stdout.split("\n").filter((line) => line !== "");
    assert.deepEqual(
      text.map((line) => line.replace(/^\S+Z /, "<at> ")),
      [
        "── attempt 1 ──",
        "<at> INFO  attempt 1: before the gate",
        "── attempt 2 ──",
        "<at> INFO  attempt 2: before the gate",
        "<at> WARN  attempt 2: after the gate",
      ],
    );
    assert.equal((await spool.get(job.id))?.status, "completed");
  });

  it("--follow works over --server too; --json prints one object per line", async () => {
    const producer = await server.key("producer", "default");
    const [enqueued] = await server.spool.enqueueMany([{ type: "gated.logs", maxAttempts: 2 }]);
    const id = enqueued!.id;
    const release = await gateOf(id);
    const env = { SPOOL_TOKEN: producer };
    const follow = startSpool(["logs", id, "--follow", "--json", "--server", server.url], { env });
    await follow.waitForLine(/attempt 2: before the gate/);
    release();
    const run = await follow.exited;
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout
      .trim()
      .split("\n")
      .map(
        (line) =>
          JSON.parse(line) as { seq: number; attempt: number; level: string; message: string },
      );
    assert.deepEqual(
      lines.map((line) => [line.seq, line.attempt, line.level, line.message]),
      [
        [1, 1, "info", "attempt 1: before the gate"],
        [2, 2, "info", "attempt 2: before the gate"],
        [3, 2, "warn", "attempt 2: after the gate"],
      ],
    );
    const once = await runSpool(["logs", id, "--attempt", "2", "--server", server.url], { env });
    assert.equal(once.code, 0, once.stderr);
    assert.doesNotMatch(once.stdout, /attempt 1/);
    assert.match(once.stdout, /── attempt 2 ──/);
  });

  it("an unknown job exits 3", async () => {
    const id = "0192f3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b";
    const run = await runSpool(["logs", id, "--follow", "--url", url]);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /not found/);
  });
});
