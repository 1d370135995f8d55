/**
 * The PostgreSQL server restarted while workers in two processes are busy: every job still
 * completes, none is lost, none is duplicated, and every result is the one its final attempt
 * produced. The server restarted is a private cluster of this test (test/helpers/private-postgres.ts),
 * never the machine's own, so the test runs in parallel with everything else.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { Spool, StoreUnavailableError, type Logger } from "../../../src/index.js";
import { readExecutions } from "../../helpers/execution-log.js";
import { createSchemaFixture, type SchemaFixture } from "../../helpers/postgres.js";
import { PrivatePostgres } from "../../helpers/private-postgres.js";
import { helperPath, spawnTs, stopChild, waitForLine } from "../../helpers/processes.js";
import { tempDir } from "../../helpers/temp-dir.js";
import { waitFor } from "../../helpers/wait-for.js";

const children: ReturnType<typeof spawnTs>[] = [];
let fixture: SchemaFixture | undefined;
let spool: Spool | undefined;
let cluster: PrivatePostgres | undefined;

afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => stopChild(child, "SIGKILL")));
  await spool?.close();
  await fixture?.drop();
  await cluster?.destroy();
});

describe("PostgreSQL restart during processing (real processes)", () => {
  it("all jobs complete, none lost, none duplicated", async () => {
    cluster = await PrivatePostgres.start();
    fixture = createSchemaFixture(cluster.url);
    // The parent's own connections die too; it only logs (and retries) while the server is down.
    const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
    const parent = await Spool.open({
      store: fixture.openStore(),
      maintenance: false,
      logger: quiet,
    });
    spool = parent;
    const dir = tempDir();
    const total = 3_000;
    await parent.enqueueMany(
      Array.from({ length: total }, (_, i) => ({ type: "crash.job", payload: { i } })),
    );
    const logs = [join(dir, "a.log"), join(dir, "b.log")];
    const workers = logs.map((logPath, i) => {
      const child = spawnTs(helperPath("worker-process.ts"), {
        SPOOL_TEST_WORKER: JSON.stringify({
          url: fixture!.url,
          schema: fixture!.schema,
          logPath,
          name: `w${i}`,
          concurrency: 8,
          leaseMs: 15_000,
          maxDelayMs: 5,
          reportCompletions: true,
        }),
      });
      children.push(child);
      return child;
    });
    for (const worker of workers) await waitForLine(worker, "ready");
    const acknowledged = () =>
      workers.flatMap((w) => w.lines.filter((line) => line.startsWith("completed ")));
    await waitFor(() => acknowledged().length >= 500, { timeoutMs: 60_000 });

    cluster.restart();
    const beforeRestart = acknowledged().length;
    assert.ok(beforeRestart < total, "the restart came before the work was done");

    const completed = await waitFor(
      async () => {
        try {
          const stats = await parent.stats();
          return stats.completed === total ? stats : undefined;
        } catch (error) {
          if (error instanceof StoreUnavailableError) return undefined; // still coming back
          throw error;
        }
      },
      { timeoutMs: 120_000, intervalMs: 200 },
    );
    assert.equal(completed.totalJobs, total, "no job lost, none duplicated");
    const executions = readExecutions(logs);
    let cursor: string | undefined;
    do {
      const page = await parent.list({ limit: 1000, ...(cursor ? { cursor } : {}) });
      for (const job of page.jobs) {
        const runs = executions.get(job.id) ?? [];
        const final = runs.find((run) => run.attempt === job.attempt && run.endMs !== null);
        assert.ok(final, `job ${job.id}: no finished execution of attempt ${job.attempt}`);
        assert.deepEqual(job.result, { pid: final.pid, attempt: job.attempt });
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    for (const line of acknowledged()) {
      const job = await parent.get(line.slice("completed ".length));
      assert.equal(job?.status, "completed", "an acknowledged result was lost");
    }
  });
});
