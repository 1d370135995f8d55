/**
 * Flows and batches across real processes (SPEC §8), on both stores. The promises span
 * processes — parents run in three worker processes, the resolver in whichever of them leads
 * maintenance — so the workers are real processes (test/helpers/flow-worker-process.ts):
 * - a job depending on 50 others starts only after the last of the 50 completed, and sees all 50
 *   results; with one failing parent it ends `cancelled` with `DependencyFailed` and never runs;
 * - a 1,000-job batch reports exact progress while it runs and enqueues `on_complete` exactly
 *   once, also when its last two jobs finish at the same moment in two processes (while this
 *   process runs resolver rounds of its own beside the leader's).
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { DEPENDENCY_FAILED, type ParentResult } from "../../src/core/flows.js";
import { Spool } from "../../src/index.js";
import type { FlowWorkerConfig } from "../helpers/flow-worker-process.js";
import { createSchemaFixture, type SchemaFixture } from "../helpers/postgres.js";
import { helperPath, spawnTs, stopChild, waitForLine } from "../helpers/processes.js";
import { tempDir, tempSqliteUrl } from "../helpers/temp-dir.js";
import { waitFor } from "../helpers/wait-for.js";

const children: ReturnType<typeof spawnTs>[] = [];

afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => stopChild(child)));
});

for (const kind of ["sqlite", "postgres"] as const) {
  describe(`flows and batches across processes (${kind})`, () => {
    let spool: Spool;
    let url: string;
    let fixture: SchemaFixture | undefined;

    before(async () => {
      fixture = kind === "postgres" ? createSchemaFixture() : undefined;
      url = fixture?.url ?? tempSqliteUrl();
      // No maintenance here: the workers' processes resolve (unless a test runs rounds itself).
      spool = await Spool.open({
        url,
        maintenance: false,
        ...(fixture === undefined ? {} : { storeTuning: { schema: fixture.schema, poolSize: 4 } }),
      });
    });
    after(async () => {
      await spool.close();
      await fixture?.drop();
    });

    const startWorkers = async (
      names: string[],
      queues: (name: string) => string[],
      extra: Partial<FlowWorkerConfig> = {},
    ): Promise<string> => {
      const logPath = join(tempDir(), "flow.log");
      writeFileSync(logPath, "");
      const started = names.map((name) => {
        const config: FlowWorkerConfig = {
          url,
          ...(fixture === undefined ? {} : { schema: fixture.schema }),
          logPath,
          name,
          queues: queues(name),
          concurrency: 8,
          ...extra,
        };
        const child = spawnTs(helperPath("flow-worker-process.ts"), {
          SPOOL_TEST_FLOW_WORKER: JSON.stringify(config),
        });
        children.push(child);
        return child;
      });
      await Promise.all(started.map((child) => waitForLine(child, "ready", 90_000)));
      return logPath;
    };
    const logLines = (path: string): string[][] =>
      readFileSync(path, "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => line.split(" "));

    it("a job depending on 50 others starts after the last of them and sees all 50 results", async () => {
      // Each process has a queue of its own for a third of the parents: all three run some.
      const log = await startWorkers(["flow-0", "flow-1", "flow-2"], (name) => [name, "flow"]);
      const parents = await spool.enqueueMany(
        Array.from({ length: 50 }, (_, n) => ({
          type: "flow.parent",
          payload: { n },
          queue: `flow-${n % 3}`,
        })),
      );
      const child = await spool.enqueue(
        "flow.child",
        {},
        { queue: "flow", dependsOn: parents.map((p) => p.id) },
      );
      assert.equal((await spool.explain(child.id))?.code, "dependencies");
      await waitFor(async () => (await spool.get(child.id))?.status === "completed", {
        timeoutMs: 30_000,
      });
      const lines = logLines(log);
      const parentEnds = lines.filter((l) => l[0] === "parent");
      assert.equal(parentEnds.length, 50);
      assert.equal(new Set(parentEnds.map((l) => l[2])).size, 3, "parents ran in three processes");
      const childLines = lines.filter((l) => l[0] === "child");
      assert.equal(childLines.length, 1, "the child ran once");
      const lastParentEnd = Math.max(...parentEnds.map((l) => Number(l[3])));
      assert.ok(Number(childLines[0]![3]) >= lastParentEnd, "started after the last parent");
      const seen = JSON.parse(childLines[0]!.slice(4).join(" ")) as ParentResult[];
      assert.deepEqual(
        seen.map((p) => p.id),
        parents.map((p) => p.id),
      );
      assert.deepEqual(
        seen.map((p) => (p.result as { n: number }).n),
        Array.from({ length: 50 }, (_, n) => n),
      );
      assert.ok(seen.every((p) => p.status === "completed" && p.type === "flow.parent"));
    });

    it("a failing parent cancels the dependent job with DependencyFailed; it never runs", async () => {
      const log = await startWorkers(["fail-1", "fail-2", "fail-3"], () => ["flow-fail"]);
      const { jobs } = await spool.batch([
        ...Array.from({ length: 50 }, (_, n) => ({
          type: "flow.parent",
          payload: { n, fail: n === 37 },
          queue: "flow-fail",
        })),
        {
          type: "flow.child",
          queue: "flow-fail",
          dependsOn: Array.from({ length: 50 }, (_, n) => `$${n}`),
        },
      ]);
      const child = jobs[50]!;
      const cancelled = await waitFor(
        async () => {
          const job = await spool.get(child.id);
          return job?.status === "cancelled" ? job : null;
        },
        { timeoutMs: 30_000 },
      );
      assert.equal(cancelled.error?.type, DEPENDENCY_FAILED);
      assert.match(cancelled.error!.message, new RegExp(jobs[37]!.id));
      assert.equal((await spool.get(jobs[37]!.id))?.status, "failed");
      assert.equal(logLines(log).filter((l) => l[0] === "child").length, 0, "never ran");
    });

    it("a 1,000-job batch reports exact progress and enqueues on_complete once, also when its last two jobs finish together in two processes", async () => {
      const gatePath = join(tempDir(), "gate");
      const log = await startWorkers(
        ["batch-a", "batch-b"],
        (name) => ["batch-all", name === "batch-a" ? "batch-gate-a" : "batch-gate-b"],
        { gatePath },
      );
      const requests = Array.from({ length: 998 }, (_, i) => ({
        type: "batch.job",
        payload: { i },
        queue: "batch-all",
      }));
      const { batchId } = await spool.batch(
        [
          ...requests,
          { type: "batch.job", payload: { i: 998, gate: true }, queue: "batch-gate-a" },
          { type: "batch.job", payload: { i: 999, gate: true }, queue: "batch-gate-b" },
        ],
        { onComplete: { type: "batch.done", queue: "batch-all", payload: { batch: "x" } } },
      );
      // While it runs: `finished` lies between the final jobs counted just before and just after.
      let previous = -1;
      let samples = 0;
      for (;;) {
        const before = await finalCount(spool);
        const batch = (await spool.getBatch(batchId))!;
        const after = await finalCount(spool);
        assert.equal(batch.total, 1_000);
        assert.ok(
          before <= batch.finished && batch.finished <= after,
          `${before} ≤ ${batch.finished} ≤ ${after}`,
        );
        assert.equal(batch.progress, Math.floor(batch.finished / 10));
        assert.ok(batch.finished >= previous, "progress never goes back");
        assert.equal(batch.onCompleteJobId, null, "not before the gated jobs finish");
        previous = batch.finished;
        samples += 1;
        if (batch.finished === 998) break;
      }
      assert.ok(samples > 1);
      await waitFor(async () => (await spool.getBatch(batchId))!.counts.running === 2, {
        message: "the gated two are running, held at the gate",
      });
      // Open the gate: both return at once, in two processes; resolver rounds race here too.
      writeFileSync(gatePath, "");
      const racing = (async () => {
        for (let i = 0; i < 200; i++) {
          await spool.runMaintenance();
          if ((await spool.getBatch(batchId))!.onCompleteJobId !== null) return;
        }
      })();
      const done = await waitFor(
        async () => {
          const batch = await spool.getBatch(batchId);
          return batch?.onCompleteJobId != null ? batch : null;
        },
        { timeoutMs: 30_000 },
      );
      await racing;
      assert.equal(done.progress, 100);
      assert.equal(done.counts.completed, 1_000);
      await waitFor(() => logLines(log).some((l) => l[0] === "done"), { timeoutMs: 30_000 });
      await spool.runMaintenance();
      const onComplete = await spool.list({ type: "batch.done", limit: 10 });
      assert.equal(onComplete.jobs.length, 1, "exactly one on_complete job");
      assert.equal(onComplete.jobs[0]!.id, done.onCompleteJobId);
      assert.equal(logLines(log).filter((l) => l[0] === "done").length, 1);
    });
  });
}

async function finalCount(spool: Spool): Promise<number> {
  let total = 0;
  for (const queue of ["batch-all", "batch-gate-a", "batch-gate-b"]) {
    const stats = await spool.stats({ queue });
    total += stats.completed + stats.failed + stats.cancelled;
  }
  return total;
}
